import type { Server } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { ServiceEnv } from '@pixel-prompt/config';
import { type Logger, exitWhenLogged, httpObservability } from '@pixel-prompt/observability';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { type RouteTable, corsFor } from './cors';
import { expressErrorHandler } from './error.filter';
import { jsonBodies } from './json-body';
import { Lifecycle } from './lifecycle';
import { NestLogger } from './nest-logger';
import { LOGGER, METRICS } from './tokens';

export type RunnableConfig = ServiceEnv & { PORT: number };

/**
 * How long a connection may stay idle between requests, and how long a client may take to send one.
 * Since Node 18 the last two run from the first byte of a request (checked every 30 s), so an idle
 * kept-alive connection is subject to `keepAliveTimeoutMs` alone: it can sit above a load balancer's
 * idle timeout while slow clients trickling a request in are still cut off after 15 s (at most 45 s).
 */
export interface HttpTimeouts {
  keepAliveTimeoutMs: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export function applyHttpTimeouts(server: Server, { keepAliveTimeoutMs, headersTimeoutMs = 15_000, requestTimeoutMs = 30_000 }: HttpTimeouts): void {
  server.keepAliveTimeout = keepAliveTimeoutMs;
  server.headersTimeout = headersTimeoutMs;
  server.requestTimeout = requestTimeoutMs;
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
  const lifecycle = app.get(Lifecycle);
  app.useLogger(new NestLogger(logger));
  app.disable('x-powered-by');
  // While draining, every answer closes its connection: clients reconnect elsewhere instead of
  // reusing a connection the service is about to close.
  app.use((_req: Request, res: Response, next: NextFunction) => {
    if (lifecycle.shuttingDown) res.setHeader('Connection', 'close');
    next();
  });
  app.use(
    httpObservability({ logger, metrics: app.get(METRICS), quietPaths: ['/health/live', '/health/ready', '/metrics'] }),
  );
  app.use(
    helmet({
      // The API serves JSON, plus the OpenAPI page on the gateway, whose UI needs inline styles and data: images.
      contentSecurityPolicy: { directives: { 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] } },
    }),
  );
  app.use(...jsonBodies(), expressErrorHandler(logger));
  if (config.CORS_ORIGINS.length > 0) {
    const express = app.getHttpAdapter().getInstance();
    // Answers differ by Origin (CORS headers or none), so shared caches must keep them apart.
    app.use((_req: Request, res: Response, next: NextFunction) => {
      res.vary('Origin');
      next();
    });
    // Read at request time, once every route is registered. @types/express describes Express 4's
    // router; Express 5's layers (router 2) have the match() RouteTable needs.
    app.enableCors(corsFor(config.CORS_ORIGINS, () => express.router as unknown as RouteTable));
  }
  return app;
}

export interface DrainOptions {
  /** How long the listener keeps serving after readiness turned 503 (SHUTDOWN_DRAIN_DELAY_MS). */
  delayMs: number;
  /** Deadline for finishing in-flight work once the listener stops accepting (SHUTDOWN_TIMEOUT_MS). */
  timeoutMs: number;
}

/**
 * Turns unready at once and keeps serving for `delayMs` (every answer with `Connection: close`), so
 * a load balancer deregisters the instance before it stops accepting; then stops taking
 * connections, lets in-flight requests finish, and runs the modules' shutdown hooks (queues, Redis,
 * S3 clients close there). Resolves false when `timeoutMs` passed first.
 */
export async function drain(app: NestExpressApplication, { delayMs, timeoutMs }: DrainOptions): Promise<boolean> {
  app.get(Lifecycle).beginShutdown();
  if (delayMs > 0) await delay(delayMs);
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
    applyHttpTimeouts(app.getHttpServer() as Server, { keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS });
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
    const options = { delayMs: config.SHUTDOWN_DRAIN_DELAY_MS, timeoutMs: config.SHUTDOWN_TIMEOUT_MS };
    logger.info({ signal, drainDelayMs: options.delayMs, timeoutMs: options.timeoutMs }, 'shutting down');
    void drain(app, options).then(
      (drained) => {
        if (drained) logger.info('shutdown complete');
        else logger.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutdown deadline passed; cutting off work in flight');
        exitWhenLogged(logger, drained ? 0 : 1);
      },
      (error: unknown) => {
        logger.fatal({ err: error }, 'shutdown failed');
        exitWhenLogged(logger, 1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  logger.info({ host: config.HOST, port: config.PORT }, 'listening');
  return app;
}
