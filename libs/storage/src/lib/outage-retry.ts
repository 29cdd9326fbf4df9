import { setTimeout as delay } from 'node:timers/promises';
import { isS3Outage } from './s3';

/** Storage stayed unreachable for the whole retry window. */
export class StorageUnavailableError extends Error {
  constructor(windowMs: number, cause: unknown) {
    super(`storage stayed unavailable for ${Math.round(windowMs / 1000)} s`, { cause });
    this.name = 'StorageUnavailableError';
  }
}

export interface OutageRetryOptions {
  /** How long to keep trying, from the first failure. */
  windowMs: number;
  /** Stops waiting (rejecting with its reason) when it aborts: the work is no longer wanted. */
  signal?: AbortSignal;
  /** Called before each wait, for logging. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** First wait; each next one doubles, up to MAX_DELAY_MS. */
  firstDelayMs?: number;
}

const MAX_DELAY_MS = 5000;

/**
 * Runs `work` until it succeeds, trying again while S3 is out (isS3Outage) with exponential backoff
 * and jitter, for at most `windowMs` after the first failure; then throws StorageUnavailableError.
 * Any other error is thrown at once: retrying a refusal (access denied, no such bucket) helps nobody.
 * `work` must be safe to repeat (S3 puts of the same key and bytes are).
 */
export async function retryDuringOutage<T>(work: () => Promise<T>, { windowMs, signal, onRetry, firstDelayMs = 250 }: OutageRetryOptions): Promise<T> {
  let deadline: number | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isS3Outage(error)) throw error;
      deadline ??= Date.now() + windowMs;
      const base = Math.min(MAX_DELAY_MS, firstDelayMs * 2 ** (attempt - 1));
      const wait = Math.min(Math.round(base / 2 + (Math.random() * base) / 2), deadline - Date.now());
      if (wait <= 0) throw new StorageUnavailableError(windowMs, error);
      onRetry?.(error, attempt, wait);
      await delay(wait, undefined, { signal });
    }
  }
}
