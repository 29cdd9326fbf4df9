import type { NextFunction, Request, Response } from 'express';

/**
 * Where the public API lives behind the Ingress: one rule sends `/api/*` to the gateway and
 * everything else to the web app (docs/DEPLOYMENT.md, "Public URL layout"). A load balancer cannot
 * rewrite paths, so the gateway accepts each route both at its own path (`/generate`) and under
 * this prefix (`/api/generate`).
 */
export const API_PREFIX = '/api';

/** Where the API describes itself: the page, and the document as JSON (kept in docs/openapi.json). */
export const OPENAPI_PATH = 'api/docs';
export const OPENAPI_JSON_PATH = 'api/docs-json';

/**
 * Liveness and scrapes reach the pods directly: not part of the public API, so not served under the
 * prefix. Readiness is: the web app's API indicator asks it (`/api/health/ready`), and its answer
 * names only which dependency is down, never how to reach it.
 */
const INTERNAL_PATHS = ['/health/live', '/metrics'];

const within = (path: string, base: string) => path === base || path.startsWith(`${base}/`);

export const isInternalPath = (path: string) => INTERNAL_PATHS.some((internal) => within(path, internal));

/**
 * Express middleware, before the routes: takes the prefix off the URL so `/api/generate` is routed
 * as `/generate`. The route template (and so the request metrics' `route` label) is the same either
 * way; `req.originalUrl` keeps what the client asked for, for the logs. The API documentation is
 * served under the prefix already and is left as it is.
 */
export function apiPrefix(req: Request, _res: Response, next: NextFunction): void {
  const path = req.url.split('?', 1)[0] ?? '';
  const documentation = within(path, `/${OPENAPI_PATH}`) || within(path, `/${OPENAPI_JSON_PATH}`);
  if (within(path, API_PREFIX) && !documentation && !isInternalPath(path.slice(API_PREFIX.length))) {
    const rest = req.url.slice(API_PREFIX.length);
    req.url = rest.startsWith('/') ? rest : `/${rest}`;
  }
  next();
}
