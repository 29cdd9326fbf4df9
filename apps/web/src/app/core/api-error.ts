import { type ErrorCode, isErrorBody } from '@pixel-prompt/contracts';
import { ApiFailure } from './api-client';

/** What went wrong with an API call, in words a user can act on. */
export interface ApiProblem {
  /** The API's error code; `NETWORK` when no answer arrived, `UNKNOWN` for anything else. */
  code: ErrorCode | 'NETWORK' | 'UNKNOWN';
  /** A friendly sentence saying what to do; never a raw code or stack trace. */
  message: string;
  /** Whether trying the same request again may work (network down, rate limited, server trouble). */
  retryable: boolean;
  /** On RATE_LIMIT_EXCEEDED: when (epoch ms) a retry can succeed; no retry is offered before. */
  retryAt?: number;
  /**
   * The request's correlation id, on server errors only: the one kind of problem a user may want
   * to report, quoting it. A refused prompt or a lost connection is theirs to fix, not to report.
   */
  correlationId?: string;
}

const MESSAGES: Partial<Record<ApiProblem['code'], string>> = {
  NETWORK: 'Pixel Prompt cannot be reached. Check your connection; you can try again once you are back online.',
  INAPPROPRIATE_CONTENT:
    'This prompt was not accepted: it contains words our content policy does not allow. Rephrase it and try again.',
  ENHANCE_FAILED: 'The prompt could not be enhanced just now. Your prompt is unchanged; try again in a moment.',
  JOB_NOT_FOUND: 'This generation no longer exists: results are kept for a day. Generate it again, or find its images in the gallery.',
  JOB_FINISHED: 'This generation has already finished.',
  MODEL_NOT_FAILED: 'This model has not failed (any more), so there is nothing to retry.',
  MODEL_NOT_IN_JOB: 'This generation did not use that model. Reload the page to see its results.',
  UNKNOWN_MODEL: 'One of the chosen models is not available any more. Reload the page to see the current models.',
  GALLERY_NOT_FOUND: 'This gallery does not exist (any more). Pick one from the gallery list.',
  IMAGE_NOT_FOUND: 'This image does not exist (any more).',
  PAYLOAD_TOO_LARGE: 'The request is too large. Shorten your prompt and try again.',
  INVALID_JSON: 'The request could not be read. Reload the page and try again.',
  UNSUPPORTED_MEDIA_TYPE: 'The request could not be read. Reload the page and try again.',
  IDEMPOTENCY_KEY_REUSED: 'This request clashed with an earlier one. Reload the page and try again.',
  SERVICE_UNAVAILABLE: 'Pixel Prompt is busy or being updated. Try again in a moment.',
  NOT_READY: 'Pixel Prompt is starting up. Try again in a moment.',
  INTERNAL_ERROR: 'Something went wrong on our side. Try again; if it keeps happening, quote the reference.',
};

/** The friendly sentence for a code; codes without one of their own get a general one. */
function messageFor(code: ApiProblem['code']): string {
  return MESSAGES[code] ?? 'Something went wrong. Try again in a moment.';
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

/** "in 42 seconds", "in 3 minutes", "in about 2 hours": how long until a rate-limited request may be retried. */
export function retryIn(seconds: number): string {
  if (seconds < 1.5) return 'in a second';
  if (seconds < 90) return `in ${Math.round(seconds)} seconds`;
  if (seconds < 90 * 60) return `in ${Math.round(seconds / 60)} minutes`;
  return `in about ${Math.round(seconds / 3600)} hours`;
}

const CLOCK = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const DAY_AND_CLOCK = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: 'numeric', minute: '2-digit' });

/** "at 14:05 (in about 11 hours)", or only "in 42 seconds" for short waits: when a request may be retried. */
export function whenRetryable(retryAt: number, now = Date.now()): string {
  const seconds = (retryAt - now) / 1000;
  if (seconds < 15 * 60) return retryIn(seconds);
  const format = retryAt - now < 20 * 3600 * 1000 ? CLOCK : DAY_AND_CLOCK;
  return `at ${format.format(retryAt)} (${retryIn(seconds)})`;
}

function retryAfterOf(error: ApiFailure, body: unknown): number | undefined {
  if (isErrorBody(body) && typeof body.retryAfter === 'number') return body.retryAfter;
  const header = Number(error.retryAfter);
  return Number.isFinite(header) && header > 0 ? header : undefined;
}

/**
 * Turns any failure of an API call into an ApiProblem. Validation messages from the API name the
 * field and what it must be, so they are shown as they are; every other code gets its own sentence.
 */
export function toApiProblem(error: unknown, now = Date.now()): ApiProblem {
  if (!(error instanceof ApiFailure)) return { code: 'UNKNOWN', message: messageFor('UNKNOWN'), retryable: true };
  const { body } = error;
  if (error.status === 0) return { code: 'NETWORK', message: messageFor('NETWORK'), retryable: true };
  const serverError = error.status >= 500;
  const correlationId = serverError ? error.correlationId : undefined;
  if (!isErrorBody(body)) {
    const code = serverError ? 'SERVICE_UNAVAILABLE' : 'UNKNOWN';
    return { code, message: messageFor(code), retryable: true, correlationId };
  }
  const code = body.error;
  if (code === 'RATE_LIMIT_EXCEEDED') {
    const seconds = retryAfterOf(error, body);
    // Without a time the wait is unknown: a minute is a fair first guess, and the server says again.
    const retryAt = now + (seconds ?? 60) * 1000;
    return {
      code,
      message: `You have reached the limit of generations for now. You can try again ${whenRetryable(retryAt, now)}.`,
      retryable: true,
      retryAt,
    };
  }
  const message = MESSAGES[code] ?? (serverError ? messageFor('INTERNAL_ERROR') : `${body.message} Change it and try again.`);
  return { code, message, retryable: RETRYABLE.has(code), correlationId };
}
