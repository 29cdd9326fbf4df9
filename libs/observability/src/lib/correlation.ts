import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { isValidCorrelationId } from '@pixel-prompt/contracts';

// One store per process: HTTP requests and queue jobs both run their work inside it, so every log line
// written on their behalf, however many awaits later, carries the same correlation id.
const storage = new AsyncLocalStorage<string>();

export function runWithCorrelationId<T>(correlationId: string, fn: () => T): T {
  return storage.run(correlationId, fn);
}

export function currentCorrelationId(): string | undefined {
  return storage.getStore();
}

/** The client's id when it is a plain token, a fresh UUID otherwise. */
export function correlationIdFrom(candidate: unknown): string {
  return isValidCorrelationId(candidate) ? candidate : randomUUID();
}
