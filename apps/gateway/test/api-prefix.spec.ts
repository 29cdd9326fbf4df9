import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningService, TestRedis, freePort, scrapeMetrics, startService, stopAllProcesses, workspaceRoot } from '@pixel-prompt/testing';

interface OpenApiDocument {
  servers: { url: string }[];
  paths: Record<string, Record<string, unknown>>;
}

const document = JSON.parse(readFileSync(join(workspaceRoot(), 'docs/openapi.json'), 'utf8')) as OpenApiDocument;

/** Every operation of the document as a concrete request: path parameters filled in, a small valid-enough body. */
const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, 'does-not-exist') })),
);

/**
 * The public URL layout: behind the Ingress the API is under /api, and the gateway answers every
 * route there exactly as at its own path (built gateway, real Redis). The gallery is not running:
 * its routes answer 502 either way; that the prefix never reaches it is in gallery-proxy.spec.ts.
 */
describe('the gateway under /api (built, as a process)', () => {
  let redis: TestRedis;
  let gateway: RunningService;

  beforeAll(async () => {
    redis = await TestRedis.start();
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    gateway = await startService('gateway', { REDIS_URL: redis.url, GALLERY_URL: nowhere, RATE_LIMIT_ALLOWLIST: '127.0.0.1' });
  });

  afterAll(async () => {
    await stopAllProcesses();
    await redis.dispose();
  });

  /** Status and error code (or the body's keys) of one request: enough to tell two answers apart. */
  async function answer(method: string, path: string): Promise<{ status: number; body: string }> {
    const init: RequestInit = { method, headers: { 'Content-Type': 'application/json' } };
    if (method === 'POST') init.body = '{}';
    const res = await fetch(`${gateway.url}${path}`, init);
    const text = method === 'HEAD' ? '' : await res.text();
    let body = text;
    try {
      const json = JSON.parse(text) as Record<string, unknown>;
      body = typeof json['error'] === 'string' ? json['error'] : Object.keys(json).sort().join(',');
    } catch {
      // Not JSON (an event stream, an image): the status is what tells the routes apart.
      body = '';
    }
    return { status: res.status, body };
  }

  it('documents the API under /api with readiness (the web app asks it), without the liveness probe and the scrape endpoint', () => {
    expect(document.servers.map((s) => s.url)).toEqual(['/api']);
    expect(operations.length).toBeGreaterThanOrEqual(10);
    expect(Object.keys(document.paths).filter((p) => /^\/(health|metrics)/.test(p))).toEqual(['/health/ready']);
  });

  it.each(operations)('$method $path answers under /api as at its own path', async ({ method, path }) => {
    // Unknown ids everywhere: the event stream of an unknown job answers 404 at once rather than streaming.
    const own = await answer(method, path);
    const prefixed = await answer(method, `/api${path}`);
    expect({ method, path, ...prefixed }).toEqual({ method, path, ...own });
  });

  it('counts /api requests under the route template, so the metrics and the alerts see one route', async () => {
    const count = async () =>
      Number(/^pixel_prompt_http_request_duration_seconds_count\{route="\/models",method="GET",status_code="200"\} (\d+)$/m.exec(await scrapeMetrics(gateway.url))?.[1] ?? 0);
    const before = await count();
    expect((await fetch(`${gateway.url}/api/models`)).status).toBe(200);
    expect(await count()).toBe(before + 1);
    expect(await scrapeMetrics(gateway.url)).not.toMatch(/route="\/api\//);
  });

  it.each(['/api/health/live', '/api/metrics'])('keeps %s off the public API', async (path) => {
    expect((await answer('GET', path)).status).toBe(404);
  });

  it('answers readiness under /api too, for the web app’s API indicator', async () => {
    const res = await fetch(`${gateway.url}/api/health/ready`);
    expect({ status: res.status, body: await res.json() }).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('serves the API documentation under /api as before', async () => {
    expect((await fetch(`${gateway.url}/api/docs-json`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/api/docs`)).status).toBe(200);
  });
});
