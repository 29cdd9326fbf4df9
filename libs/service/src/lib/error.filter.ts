import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { ErrorBody } from '@pixel-prompt/contracts';
import { type Logger, currentCorrelationId } from '@pixel-prompt/observability';
import { ApiError } from './api-error';
import { JSON_MAX_DEPTH, NESTED_TOO_DEEP } from './json-body';
import type { ReadinessCheck } from './readiness';
import { LOGGER, READINESS_CHECKS } from './tokens';

interface Translation extends Omit<ErrorBody, 'correlationId'> {
  status: number;
}

const BY_STATUS: Record<number, Omit<Translation, 'status'>> = {
  400: { error: 'BAD_REQUEST', message: 'The request is not valid.' },
  404: { error: 'NOT_FOUND', message: 'Nothing is served at this address. Check the URL.' },
  405: { error: 'BAD_REQUEST', message: 'This method is not allowed here.' },
  413: { error: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large.' },
  415: { error: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the request body as application/json.' },
  429: { error: 'RATE_LIMIT_EXCEEDED', message: 'Too many requests. Wait a moment and try again.' },
  503: { error: 'SERVICE_UNAVAILABLE', message: 'The service is temporarily unavailable. Try again shortly.' },
};

/** What a client is told to wait when a dependency is down: Redis restarts and S3 blips last seconds. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

const OUTAGE: Translation = { status: 503, ...BY_STATUS[503], retryAfter: OUTAGE_RETRY_AFTER_SECONDS };

const INTERNAL: Translation = {
  status: 500,
  error: 'INTERNAL_ERROR',
  message: 'Something went wrong on our side. Try again; if it keeps failing, quote the correlation id.',
};

/** Errors raised by Express middleware (body-parser) carry an HTTP status and a machine type. */
function httpErrorStatus(exception: unknown): { status: number; type?: string } | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { status, type } = exception as { status?: unknown; type?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500
    ? { status, type: typeof type === 'string' ? type : undefined }
    : undefined;
}

export function translate(exception: unknown): Translation {
  if (exception instanceof ApiError) {
    return { status: exception.getStatus(), error: exception.code, message: exception.message, details: exception.details, ...exception.extra };
  }
  const clientError =
    exception instanceof HttpException ? { status: exception.getStatus(), type: undefined } : httpErrorStatus(exception);
  if (!clientError) return INTERNAL;
  if (clientError.type === 'entity.parse.failed') {
    return { status: 400, error: 'INVALID_JSON', message: 'The request body is not valid JSON.' };
  }
  if (clientError.type === NESTED_TOO_DEEP) {
    return { status: 400, error: 'INVALID_JSON', message: `The request body nests deeper than ${JSON_MAX_DEPTH} levels.` };
  }
  const known = BY_STATUS[clientError.status];
  if (known) return { status: clientError.status, ...known };
  return clientError.status < 500 ? { status: clientError.status, ...BY_STATUS[400] } : INTERNAL;
}

/**
 * Answers with the JSON error contract `{error, message, correlationId, details?}`.
 * Server faults are logged with their stack and answered with a generic message: internals never
 * leave. An error one of `checks` recognises as its dependency's outage is 503 with Retry-After.
 */
export function sendError(exception: unknown, req: Request, res: Response, logger: Logger, checks: ReadinessCheck[] = []): void {
  const down = checks.find((check) => check.isOutage(exception));
  const { status, ...body } = down ? OUTAGE : translate(exception);
  if (down) {
    logger.warn({ err: exception, dependency: down.name, method: req.method, path: req.path }, 'request failed: a dependency is unavailable');
  } else if (status >= 500) {
    logger.error({ err: exception, method: req.method, path: req.path }, 'request failed');
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  if (body.retryAfter !== undefined && !res.hasHeader('Retry-After')) res.setHeader('Retry-After', String(body.retryAfter));
  const payload: ErrorBody = { ...body, correlationId: currentCorrelationId() ?? '' };
  res.status(status).json(payload);
}

/** Express error middleware for errors raised before Nest routing (the JSON body parser). */
export function expressErrorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => sendError(error, req, res, logger);
}

/** Every error thrown inside Nest (routing, guards, handlers) ends here. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(exception, http.getRequest<Request>(), http.getResponse<Response>(), this.logger, this.checks);
  }
}
