import { type ErrorCode, isErrorBody } from '@pixel-prompt/contracts';
import { ApiFailure } from './api-client';

/** What went wrong with an API call, in words a user can act on. */
export interface ApiProblem {
  /** The API's error code; `NETWORK` when no answer arrived, `UNKNOWN` for anything else. */
  code: ErrorCode | 'NETWORK' | 'UNKNOWN';
  /** A friendly sentence for the user; never a raw code or stack trace. */
  message: string;
  /** Whether trying the same request again may work (network down, rate limited, server trouble). */
  retryable: boolean;
  /** On RATE_LIMIT_EXCEEDED: seconds until a retry can succeed (from the body or Retry-After). */
  retryAfterSeconds?: number;
  /** The request's correlation id, to quote when reporting a problem. */
  correlationId?: string;
}

const MESSAGES: Partial<Record<ApiProblem['code'], string>> = {
  NETWORK: 'Pixel Prompt cannot be reached. Check your connection and try again.',
  INAPPROPRIATE_CONTENT:
    'This prompt was not accepted: it contains words our content policy does not allow. Please rephrase it.',
  ENHANCE_FAILED: 'The prompt could not be enhanced just now. Your prompt is unchanged; try again in a moment.',
  JOB_NOT_FOUND: 'This generation no longer exists. Results are kept for a limited time.',
  JOB_FINISHED: 'This generation has already finished.',
  UNKNOWN_MODEL: 'One of the chosen models is not available any more. Reload the page to see the current models.',
  GALLERY_NOT_FOUND: 'This gallery does not exist (any more).',
  IMAGE_NOT_FOUND: 'This image does not exist (any more).',
  PAYLOAD_TOO_LARGE: 'The request is too large. Please shorten your prompt.',
  SERVICE_UNAVAILABLE: 'Pixel Prompt is busy or being updated. Please try again in a moment.',
  NOT_READY: 'Pixel Prompt is starting up. Please try again in a moment.',
  INTERNAL_ERROR: 'Something went wrong on our side. Please try again; if it keeps happening, quote the reference.',
};

/** The friendly sentence for a code; codes without one of their own get a general one. */
function messageFor(code: ApiProblem['code']): string {
  return MESSAGES[code] ?? 'Something went wrong. Please try again.';
}

const RETRYABLE = new Set<ApiProblem['code']>([
  'NETWORK',
  'RATE_LIMIT_EXCEEDED',
  'ENHANCE_FAILED',
  'SERVICE_UNAVAILABLE',
  'NOT_READY',
  'INTERNAL_ERROR',
  'UNKNOWN',
]);

/** "in 42 seconds", "in 3 minutes", "in about 2 hours": when a rate-limited request may be retried. */
export function retryIn(seconds: number): string {
  if (seconds < 1.5) return 'in a second';
  if (seconds < 90) return `in ${Math.round(seconds)} seconds`;
  if (seconds < 90 * 60) return `in ${Math.round(seconds / 60)} minutes`;
  return `in about ${Math.round(seconds / 3600)} hours`;
}

function retryAfterOf(error: ApiFailure, body: unknown): number | undefined {
  if (isErrorBody(body) && typeof body.retryAfter === 'number') return body.retryAfter;
  const header = Number(error.retryAfter);
  return Number.isFinite(header) && header > 0 ? header : undefined;
}

/**
 * Turns any failure of an API call into an ApiProblem. Validation messages from the API are already
 * written for users, so they are shown as they are; every other code gets its own friendly sentence.
 */
export function toApiProblem(error: unknown): ApiProblem {
  if (!(error instanceof ApiFailure)) return { code: 'UNKNOWN', message: messageFor('UNKNOWN'), retryable: true };
  const { body, correlationId } = error;
  if (error.status === 0) return { code: 'NETWORK', message: messageFor('NETWORK'), retryable: true, correlationId };
  if (!isErrorBody(body)) {
    const code = error.status >= 500 ? 'SERVICE_UNAVAILABLE' : 'UNKNOWN';
    return { code, message: messageFor(code), retryable: true };
  }
  const code = body.error;
  if (code === 'RATE_LIMIT_EXCEEDED') {
    const retryAfterSeconds = retryAfterOf(error, body);
    const when = retryAfterSeconds === undefined ? 'in a little while' : retryIn(retryAfterSeconds);
    return {
      code,
      message: `You have reached the limit of requests for now. You can try again ${when}.`,
      retryable: true,
      retryAfterSeconds,
      correlationId,
    };
  }
  const message = MESSAGES[code] ?? (error.status < 500 ? body.message : messageFor('INTERNAL_ERROR'));
  return { code, message, retryable: RETRYABLE.has(code), correlationId };
}
