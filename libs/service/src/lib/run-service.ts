import type { Server } from 'node:http';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ServiceEnv } from '@pixel-prompt/config';
import { CORRELATION_ID_HEADER } from '@pixel-prompt/contracts';
import { type Logger, httpObservability } from '@pixel-prompt/observability';
import { type NextFunction, type Request, type Response, json } from 'express';
import helmet from 'helmet';
import { expressErrorHandler } from './error.filter';
import { Lifecycle } from './lifecycle';
import { NestLogger } from './nest-logger';
import { LOGGER, METRICS } from './tokens';

/** Largest JSON body accepted; the API's bodies are prompts and small parameter sets. */
export const JSON_BODY_LIMIT = '16kb';

export type RunnableConfig = ServiceEnv & { PORT: number };

/** Slow clients may not hold a connection open by trickling a request in. */
const REQUEST_TIMEOUT_MS = 30_000;
const HEADERS_TIMEOUT_MS = 15_000;

/** The APIs speak JSON only: a body of another type is 415, before any parser or handler sees it. */
function requireJsonBodies(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && req.method !== 'GET' && req.method !== 'HEAD' && !req.is('application/json')) {
    next(Object.assign(new Error('unsupported media type'), { status: 415 }));
    return;
  }
  next();
}

/** Creates the Nest application with the shared HTTP behaviour; does not listen. */
export async function createServiceApp(module: DynamicModule, config: ServiceEnv): Promise<NestExpressApplication> {
  // abortOnError: false: a failing provider must reach our fatal log and exit code, not process.abort().
  // bodyParser: false: Nest's own parser turns malformed JSON into an anonymous 400; ours keeps its type.
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bufferLogs: true,
    abortOnError: false,
    bodyParser: false,
  });
  const logger = app.get<Logger>(LOGGER);
  app.useLogger(new NestLogger(logger));
  app.disable('x-powered-by');
  app.use(
    httpObservability({ logger, metrics: app.get(METRICS), quietPaths: ['/health/live', '/health/ready', '/metrics'] }),
  );
  app.use(
    helmet({
      // The API serves JSON, plus the OpenAPI page on the gateway, whose UI needs inline styles and data: images.
      contentSecurityPolicy: { directives: { 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] } },
    }),
  );
  app.use(requireJsonBodies, json({ limit: JSON_BODY_LIMIT }), expressErrorHandler(logger));
  if (config.CORS_ORIGINS.length > 0) {
    app.enableCors({
      origin: config.CORS_ORIGINS,
      allowedHeaders: ['Content-Type', CORRELATION_ID_HEADER, 'Idempotency-Key', 'Last-Event-ID'],
      exposedHeaders: [CORRELATION_ID_HEADER, 'Retry-After', 'RateLimit', 'RateLimit-Policy'],
      maxAge: 600,
    });
  }
  return app;
}

/**
 * Stops taking connections, lets in-flight requests finish, then runs the modules' shutdown hooks
 * (queues, Redis, S3 clients close there). Resolves false when `timeoutMs` passed first.
 */
export async function drain(app: NestExpressApplication, timeoutMs: number): Promise<boolean> {
  app.get(Lifecycle).beginShutdown();
  const server = app.getHttpServer() as Server;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // server.close() only drops keep-alive sockets idle at that instant; the others go idle once their
  // in-flight response is sent, and are closed here as they do.
  const reaper = setInterval(() => server.closeIdleConnections(), 50);
  let deadline: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    deadline = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    const drained = await Promise.race([closed.then(() => app.close()).then(() => true as const), timedOut]);
    if (!drained) server.closeAllConnections();
    return drained;
  } finally {
    clearInterval(reaper);
    clearTimeout(deadline);
  }
}

/**
 * Boots a service: listens, and on SIGTERM/SIGINT drains and exits 0 (1 when the deadline passed).
 * Our own signal handling replaces app.enableShutdownHooks(), which runs the same hooks but then
 * re-raises the signal, so the process would end by signal instead of exiting 0; and it closes
 * connections (Redis) before the HTTP server, failing requests still in flight.
 */
export async function runService(
  module: DynamicModule,
  config: RunnableConfig,
  /** Service-specific additions to the application before it listens (the gateway's API docs). */
  configure: (app: NestExpressApplication) => void = () => undefined,
): Promise<NestExpressApplication> {
  let app: NestExpressApplication | undefined;
  try {
    app = await createServiceApp(module, config);
    configure(app);
    await app.listen(config.PORT, config.HOST);
    const server = app.getHttpServer() as Server;
    server.requestTimeout = REQUEST_TIMEOUT_MS;
    server.headersTimeout = HEADERS_TIMEOUT_MS;
  } catch (error) {
    const logger = app?.get<Logger>(LOGGER);
    if (logger) logger.fatal({ err: error }, 'service failed to start');
    else process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'service failed to start', err: String(error) })}\n`);
    process.exit(1);
  }

  const logger = app.get<Logger>(LOGGER);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception; exiting');
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutting down');
    void drain(app, config.SHUTDOWN_TIMEOUT_MS).then(
      (drained) => {
        if (drained) logger.info('shutdown complete');
        else logger.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutdown deadline passed; cutting off work in flight');
        process.exit(drained ? 0 : 1);
      },
      (error: unknown) => {
        logger.fatal({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  logger.info({ host: config.HOST, port: config.PORT }, 'listening');
  return app;
}
