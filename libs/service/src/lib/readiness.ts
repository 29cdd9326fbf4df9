import type { DependencyHealth } from '@pixel-prompt/contracts';

/** A dependency the service cannot serve without (Redis, S3, ...). */
export interface ReadinessCheck {
  /** Name reported by GET /health/ready: `redis`, `s3`. */
  readonly name: string;
  /** Resolves when the dependency answers; rejects otherwise. Must stop work when `signal` aborts. */
  check(signal: AbortSignal): Promise<void>;
  /**
   * Whether `error`, thrown while serving a request, says this dependency is down or failing rather
   * than that the request was wrong: such requests are answered 503 with Retry-After, never 500.
   */
  isOutage(error: unknown): boolean;
}

/** Socket errors of a connection that could not reach its server, or lost it. */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Whether `error` is a socket error saying the other side is unreachable or went away. */
export function isNetworkFailure(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code);
}

export interface CheckOutcome {
  name: string;
  health: DependencyHealth;
  error?: unknown;
}

/** Runs every check at once, each bounded by `timeoutMs`, so one hung dependency cannot hang the probe. */
export async function runReadinessChecks(checks: ReadinessCheck[], timeoutMs: number): Promise<CheckOutcome[]> {
  return Promise.all(
    checks.map(async (dependency): Promise<CheckOutcome> => {
      const { name } = dependency;
      const signal = AbortSignal.timeout(timeoutMs);
      const timedOut = new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
      );
      try {
        await Promise.race([dependency.check(signal), timedOut]);
        return { name, health: { status: 'up' } };
      } catch (error) {
        const reason = signal.aborted ? 'timeout' : 'unreachable';
        return { name, health: { status: 'down', reason }, error };
      }
    }),
  );
}
