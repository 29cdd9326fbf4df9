import type { DependencyHealth } from '@pixel-prompt/contracts';

/** A dependency the service cannot serve without (Redis, S3, ...). */
export interface ReadinessCheck {
  /** Name reported by GET /health/ready: `redis`, `s3`. */
  readonly name: string;
  /** Resolves when the dependency answers; rejects otherwise. Must stop work when `signal` aborts. */
  check(signal: AbortSignal): Promise<void>;
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
