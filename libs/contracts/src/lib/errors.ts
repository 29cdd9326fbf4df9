/** Every error response of every Pixel Prompt API has this shape. */
export interface ErrorBody {
  /** Stable machine-readable code; clients switch on it, never on `message`. */
  error: ErrorCode;
  /** A sentence a user can act on. Never a stack trace or an internal detail. */
  message: string;
  /** The request's correlation id, to quote when reporting a problem. */
  correlationId: string;
  details?: unknown;
  /** On RATE_LIMIT_EXCEEDED and SERVICE_UNAVAILABLE: seconds until a retry can succeed (as the Retry-After header). */
  retryAfter?: number;
}

export const ERROR_CODES = [
  'NOT_FOUND',
  'BAD_REQUEST',
  'VALIDATION_FAILED',
  'INVALID_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMIT_EXCEEDED',
  'INAPPROPRIATE_CONTENT',
  'ENHANCE_FAILED',
  'JOB_NOT_FOUND',
  'JOB_FINISHED',
  'MODEL_NOT_IN_JOB',
  'MODEL_NOT_FAILED',
  'UNKNOWN_MODEL',
  'GALLERY_NOT_FOUND',
  'IMAGE_NOT_FOUND',
  'RANGE_NOT_SATISFIABLE',
  'IDEMPOTENCY_KEY_REUSED',
  'NOT_READY',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const body = value as Record<string, unknown>;
  return (
    typeof body['error'] === 'string' &&
    typeof body['message'] === 'string' &&
    typeof body['correlationId'] === 'string'
  );
}
