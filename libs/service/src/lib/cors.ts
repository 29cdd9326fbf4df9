import { METHODS } from 'node:http';
import type { CorsOptions, CorsOptionsDelegate } from '@nestjs/common/interfaces/external/cors-options.interface';
import { CORRELATION_ID_HEADER } from '@pixel-prompt/contracts';
import type { Request } from 'express';

/** The parts of Express's router (the `router` package) read here: its layers and their routes. */
interface RouterLayer {
  route?: { methods: Record<string, boolean | undefined> };
  /** Matches without storing request state on the layer (router 2). */
  match(path: string): unknown;
}

export interface RouteTable {
  stack: RouterLayer[];
}

/** Whether a route takes every method: `router.all()` marks it `_all`, Express 5's `app.all()` (Nest's `@All`) lists each one. */
function isCatchAll(methods: Record<string, boolean | undefined>): boolean {
  return methods['_all'] === true || METHODS.every((method) => methods[method.toLowerCase()]);
}

/**
 * The methods the routes at `path` answer, HEAD with GET as Express serves it. Catch-all routes
 * exist only to refuse other methods (405), so they add none.
 */
export function methodsAt(router: RouteTable, path: string): string[] {
  const methods = new Set<string>();
  for (const layer of router.stack) {
    if (!layer.route || isCatchAll(layer.route.methods) || !layer.match(path)) continue;
    for (const [method, handled] of Object.entries(layer.route.methods)) {
      if (handled) methods.add(method.toUpperCase());
    }
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

/**
 * CORS for the configured origins only, each preflight advertising just the methods of the route
 * it asks about. Other origins, and paths without a route, get no CORS headers at all.
 */
export function corsFor(origins: string[], router: () => RouteTable): CorsOptionsDelegate<Request> {
  const allowed = new Set(origins);
  return (req, callback) => {
    const origin = req.headers.origin;
    const methods = origin && allowed.has(origin) ? methodsAt(router(), req.path) : [];
    if (!origin || methods.length === 0) {
      callback(null, { origin: false });
      return;
    }
    const options: CorsOptions = {
      origin,
      methods,
      allowedHeaders: ['Content-Type', CORRELATION_ID_HEADER, 'Idempotency-Key', 'Last-Event-ID'],
      exposedHeaders: [CORRELATION_ID_HEADER, 'Retry-After', 'RateLimit', 'RateLimit-Policy'],
      maxAge: 600,
    };
    callback(null, options);
  };
}
