import { Agent, type ClientRequest, type IncomingMessage, request } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { CORRELATION_ID_HEADER, type ErrorBody } from '@pixel-prompt/contracts';
import { type Logger, currentCorrelationId } from '@pixel-prompt/observability';
import { OUTAGE_RETRY_AFTER_SECONDS } from '@pixel-prompt/service';

export interface GalleryProxyOptions {
  /** Base URL of the gallery service, `http://gallery:3002`: inside the cluster, plain HTTP. */
  target: string;
  /** Longest the gallery may stay silent: before its response starts, and between two chunks of it. */
  timeoutMs: number;
  logger: Pick<Logger, 'warn'>;
}

/** What the gallery's answers depend on; cookies and credentials of the public API never leave the gateway. */
const FORWARDED_REQUEST_HEADERS = ['accept', 'range', 'if-none-match', 'if-range'] as const;

/** Headers of one connection (RFC 9110 §7.6.1), never copied across a proxy. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

class UpstreamTimeout extends Error {}

/**
 * Express middleware forwarding GET and HEAD requests to the gallery service, path and query as the
 * gateway routed them (`req.baseUrl` + `req.url`: under `app.use(['/gallery', '/images'], ...)` as in a
 * route, and without the `/api` prefix the public URL may have had, which the gallery does not know), with the
 * request's correlation id (the observability middleware runs the request inside it). The answer
 * streams back as it arrives, status and headers included, so 206, 304, the gallery's own errors
 * and its 503 for an S3 outage reach the client as they are. When the gallery fails, the client gets
 * the error contract with Retry-After: 503 when it cannot be reached, 504 when it stays silent past
 * `timeoutMs`, 502 when it answers with another server error.
 */
export function galleryProxy({ target, timeoutMs, logger }: GalleryProxyOptions) {
  const base = new URL(target);
  if (base.protocol !== 'http:') throw new Error('galleryProxy: target must be an http:// URL');
  const host = base.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(base.port || 80);
  const basePath = base.pathname.replace(/\/+$/, '');
  // Connections are reused: one per concurrent request rather than a TCP handshake per image.
  const agent = new Agent({ keepAlive: true });

  return (req: Request, res: Response, _next: NextFunction): void => {
    const correlationId = currentCorrelationId() ?? '';
    const answerError = (status: number, error: ErrorBody['error'], message: string) => {
      const body: ErrorBody = { error, message, correlationId };
      res.status(status).json(body);
    };
    const answerOutage = (status: 502 | 503 | 504, message: string) => {
      res.setHeader('Retry-After', String(OUTAGE_RETRY_AFTER_SECONDS));
      answerError(status, 'SERVICE_UNAVAILABLE', message);
    };

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      answerError(405, 'BAD_REQUEST', 'Galleries and images are only read here: use GET.');
      return;
    }

    const headers: Record<string, string | string[]> = {};
    if (correlationId) headers[CORRELATION_ID_HEADER] = correlationId;
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = req.headers[name];
      if (value !== undefined) headers[name] = value;
    }

    // Settled once: by the answer ending, by a failure, or by the client leaving. Destroying one side
    // makes the other fail too, and those echoes must not answer or log a second time.
    let settled = false;
    let upstream: ClientRequest | undefined;

    const failed = (error: unknown) => {
      if (settled) return;
      settled = true;
      upstream?.destroy();
      const timedOut = error instanceof UpstreamTimeout;
      logger.warn({ err: error, path: req.path, timedOut }, 'gallery request failed');
      if (res.headersSent) {
        // Part of the answer is out: the client can only learn of the failure by a cut connection.
        res.destroy();
      } else if (timedOut) {
        answerOutage(504, 'The gallery did not answer in time. Try again shortly.');
      } else {
        answerOutage(503, 'The gallery is unavailable right now. Try again shortly.');
      }
    };

    res.once('close', () => {
      if (settled || res.writableFinished) return;
      // The client left before the answer was complete: stop reading from the gallery.
      settled = true;
      upstream?.destroy();
    });

    const send = (mayRetry: boolean) => {
      const attempt = request({ agent, host, port, method: req.method, path: `${basePath}${req.baseUrl}${req.url}`, headers, timeout: timeoutMs });
      upstream = attempt;
      attempt.on('timeout', () => attempt.destroy(new UpstreamTimeout(`no answer from the gallery within ${timeoutMs} ms`)));
      attempt.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the gallery closed just as it was reused: GET and HEAD are safe to repeat.
        if (mayRetry && attempt.reusedSocket && error.code === 'ECONNRESET' && !res.headersSent && !settled) {
          send(false);
          return;
        }
        failed(error);
      });
      attempt.on('response', (answer: IncomingMessage) => {
        const status = answer.statusCode ?? 502;
        if (status >= 500 && status !== 503) {
          // A fault of the gallery: its body is dropped, the client gets the contract's 502.
          settled = true;
          answer.resume();
          logger.warn({ path: req.path, status }, 'gallery answered with a server error');
          answerOutage(502, 'The gallery failed to answer. Try again shortly.');
          return;
        }
        res.status(status);
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name) && name !== CORRELATION_ID_HEADER.toLowerCase()) {
            res.setHeader(name, value);
          }
        }
        answer.on('error', failed);
        answer.on('end', () => {
          settled = true;
        });
        answer.pipe(res);
      });
      attempt.end();
    };

    send(true);
  };
}
