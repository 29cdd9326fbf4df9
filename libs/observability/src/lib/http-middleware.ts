import type { NextFunction, Request, Response } from 'express';
import { CORRELATION_ID_HEADER } from '@pixel-prompt/contracts';
import { correlationIdFrom, runWithCorrelationId } from './correlation';
import type { Logger } from './logger';
import { type ServiceMetrics, UNMATCHED_ROUTE } from './metrics';

export interface HttpObservabilityOptions {
  logger: Logger;
  metrics: ServiceMetrics;
  /** Paths polled by machines (probes, scrapers): logged at debug level only. */
  quietPaths?: string[];
}

/**
 * Gives each request its correlation id (echoed in the response header) and runs the rest of the
 * request inside it; when the response ends, logs one line and records the duration histogram
 * labelled by route template, never by raw URL.
 */
export function httpObservability({ logger, metrics, quietPaths = [] }: HttpObservabilityOptions) {
  const quiet = new Set(quietPaths);
  return (req: Request, res: Response, next: NextFunction): void => {
    const correlationId = correlationIdFrom(req.headers[CORRELATION_ID_HEADER.toLowerCase()]);
    res.setHeader(CORRELATION_ID_HEADER, correlationId);
    const startedAt = process.hrtime.bigint();

    // 'close' fires for completed and for aborted responses alike.
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
      // Express sets req.route once a handler matched; its path is the template (`/status/:jobId`).
      const route = req.route ? `${req.baseUrl}${req.route.path}` : UNMATCHED_ROUTE;
      const status = res.writableFinished ? res.statusCode : 499;
      metrics.httpRequestDuration.observe({ route, method: req.method, status_code: String(status) }, seconds);

      const path = req.originalUrl.split('?')[0];
      const level = status >= 500 ? 'error' : quiet.has(path) ? 'debug' : 'info';
      runWithCorrelationId(correlationId, () =>
        logger[level](
          { method: req.method, path, route, status, durationMs: Math.round(seconds * 1000) },
          res.writableFinished ? 'request completed' : 'request aborted by client',
        ),
      );
    });

    runWithCorrelationId(correlationId, next);
  };
}
