import type { ErrorCode } from './errors';

export type DependencyState = 'up' | 'down';

export interface DependencyHealth {
  status: DependencyState;
  /** Why a dependency is down, in a word or two (`timeout`, `unreachable`); details stay in the logs. */
  reason?: string;
}

export interface LivenessResponse {
  status: 'ok';
}

export interface ReadinessResponse {
  status: 'ok' | 'unavailable';
  checks: Record<string, DependencyHealth>;
  /** Present when unavailable, so a 503 from /health/ready still follows the error contract. */
  error?: Extract<ErrorCode, 'NOT_READY'>;
  message?: string;
  correlationId?: string;
}
