// What the use case reads, named after the environment variables the services validated at boot.

/** The public API's side (the gateway). */
export interface GenerationApiConfig {
  /** Redis replicas that must hold a new job (or retry) before it is accepted; 0: the primary alone. */
  REDIS_WAIT_REPLICAS: number;
  REDIS_WAIT_TIMEOUT_MS: number;
  /** Comment lines on idle event streams, so proxies and load balancers keep them open. */
  SSE_HEARTBEAT_MS: number;
  /** How long a job stays in Redis after its last change. */
  JOB_TTL_SECONDS: number;
}

export const GENERATION_API_CONFIG = Symbol('GENERATION_API_CONFIG');

/** The workers' side (generation). */
export interface GenerationWorkerConfig {
  /** How long a made image (and a gallery) waits in memory for S3 to come back. */
  STORAGE_RETRY_WINDOW_MS: number;
}

export const GENERATION_WORKER_CONFIG = Symbol('GENERATION_WORKER_CONFIG');
