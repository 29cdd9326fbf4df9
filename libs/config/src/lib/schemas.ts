import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** A TCP port given as a decimal string. */
export const portSchema = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

/** A boolean given as true/false, 1/0, yes/no or on/off. */
export const booleanSchema = z.stringbool({ error: 'must be true or false' });

/** A comma-separated list; blanks are dropped. */
export const listSchema = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean));

/** A duration in whole milliseconds within [min, max]. */
export function durationMsSchema(min: number, max: number) {
  return z.coerce
    .number({ error: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(min, `must be between ${min} and ${max} ms`)
    .max(max, `must be between ${min} and ${max} ms`);
}

/** What every Pixel Prompt service reads: where to listen, how to log, how long to drain. */
export const serviceEnvSchema = z.object({
  NODE_ENV: z.enum(['production', 'development', 'test'], { error: 'must be production, development or test' }).default('production'),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  /**
   * Longest time SIGTERM may take: in-flight work finishes or is cut off, then the process exits. Up
   * to 20 minutes: a worker's covers its longest model call and the storage retry window (10 each at most).
   */
  SHUTDOWN_TIMEOUT_MS: durationMsSchema(1000, 1_200_000).default(25_000),
  /** After SIGTERM the listener keeps serving this long (readiness 503, `Connection: close` on every response) so a load balancer can deregister the pod first. */
  SHUTDOWN_DRAIN_DELAY_MS: durationMsSchema(0, 120_000).default(0),
  /** Idle keep-alive connections are kept this long: above an AWS ALB's 60 s idle timeout, so the balancer, not the service, closes them. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: durationMsSchema(1000, 600_000).default(65_000),
  /** Browser origins allowed by CORS; empty means same-origin only. */
  CORS_ORIGINS: listSchema.default([]),
  /** Version and commit reported in logs and metrics; set by the image build. */
  APP_VERSION: z.string().default('dev'),
  GIT_COMMIT: z.string().default('unknown'),
});

export const redisEnvSchema = z.object({
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }),
});

export const s3EnvSchema = z.object({
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name'),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** Set only for S3-compatible servers (s3rver locally); unset means AWS S3. */
  S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  S3_FORCE_PATH_STYLE: booleanSchema.default(false),
});

export type ServiceEnv = z.output<typeof serviceEnvSchema>;
export type RedisEnv = z.output<typeof redisEnvSchema>;
export type S3Env = z.output<typeof s3EnvSchema>;

/** Job state, queues and the model registry: read by the gateway (producer) and generation (consumer). */
export const jobsEnvSchema = z.object({
  /** JSON or YAML model registry (mounted from a ConfigMap); the 9 built-in local models when unset. */
  MODEL_REGISTRY_PATH: z.string().min(1).optional(),
  /** How long job state and events stay in Redis. */
  JOB_TTL_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(60, 'must be between 60 and 2592000 seconds')
    .max(2_592_000, 'must be between 60 and 2592000 seconds')
    .default(86_400),
  /** Tries per model call when failures are transient. */
  JOB_ATTEMPTS: z.coerce.number({ error: 'must be a number' }).int().min(1, 'must be between 1 and 10').max(10, 'must be between 1 and 10').default(3),
  RETRY_BACKOFF_MS: durationMsSchema(10, 60_000).default(1000),
  /**
   * A worker's hold on a running job, renewed every half of it while the job runs (so model calls of
   * any length keep it): a dead worker's jobs go back to the queue at most this long plus one
   * stalled-check interval after it died, 25 s by default. It must outlast a Redis blip, or a live
   * worker's job would run a second time.
   */
  QUEUE_LOCK_DURATION_MS: durationMsSchema(1000, 600_000).default(20_000),
  /** How often workers look for jobs whose lock has expired. */
  QUEUE_STALLED_INTERVAL_MS: durationMsSchema(500, 600_000).default(5_000),
});

export type JobsEnv = z.output<typeof jobsEnvSchema>;

/** A secret given inline; surrounding whitespace is dropped because secret stores often add a newline. */
export const inlineKeySchema = z
  .string()
  .transform((value) => value.trim())
  .refine((value) => value.length > 0 && !/\s/.test(value), 'must be a single API key without spaces');

/** A mounted secret file (Kubernetes Secret): read once at boot, so the output is its content, never the path. */
export const secretFileSchema = z.string().transform((path, ctx) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must name a readable file' });
    return z.NEVER;
  }
});

/** An API key in a mounted secret file. */
export const keyFileSchema = secretFileSchema
  .transform((value) => value.trim())
  .refine((value) => value.length > 0 && !/\s/.test(value), 'must hold a single API key without spaces');
