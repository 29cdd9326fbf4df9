import { isErrorBody } from '@pixel-prompt/contracts';
import { type RunningService, TestRedis, TestS3, startService, stopAllProcesses } from '@pixel-prompt/testing';
import fc from 'fast-check';

const ROUTES = ['/generate', '/status/{id}', '/jobs/{id}/cancel', '/jobs/{id}/events', '/enhance', '/log', '/models', '/gallery/list', '/gallery/{id}', '/images/{id}', '/health/live', '/health/ready', '/metrics', '/api/docs-json', '/{id}'];

/** Path segments a client could send: ids of every shape, encoded text, broken escapes, traversal. */
const segment = fc.oneof(
  fc.uuid(),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 20 }).map(encodeURIComponent),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '..%2F..%2Fgalleries', '%00', 'images%2F..%2Fgalleries', '.', '..', ''),
);

const path = fc
  .tuple(fc.constantFrom(...ROUTES), segment, fc.option(fc.webQueryParameters(), { nil: undefined }))
  .map(([route, id, query]) => `${route.replace('{id}', id)}${query ? `?${query}` : ''}`);

/** Bodies from plausible to hostile: wrong types in every field, deep nesting, huge strings, not JSON at all. */
const body = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record(
      { prompt: fc.anything(), steps: fc.anything(), guidance: fc.anything(), seed: fc.anything(), models: fc.anything(), level: fc.anything(), message: fc.anything() },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v) ?? 'null'),
  fc.record({ prompt: fc.string({ maxLength: 1200 }), models: fc.array(fc.constantFrom('ink', 'aurora', 'nope'), { maxLength: 3 }) }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '{"prompt":', '[', 'null', '"', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', 'x'.repeat(20_000)),
);

const visibleAscii = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 });

const headers = fc.record(
  {
    'Content-Type': fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', '*/*'),
    'X-Correlation-ID': visibleAscii,
    'Idempotency-Key': visibleAscii,
    'Last-Event-ID': visibleAscii,
    'X-Forwarded-For': fc.oneof(fc.ipV4(), fc.ipV6(), visibleAscii),
    Range: fc.oneof(visibleAscii, fc.constantFrom('bytes=0-1', 'bytes=-5', 'bytes=9-1', 'bytes=0-0,5-9')),
    'If-None-Match': visibleAscii,
    Accept: fc.constantFrom('application/json', 'text/html', '*/*', 'image/png'),
  },
  { requiredKeys: [] },
);

const request = fc.record({ method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), path, headers, body });

/**
 * Thousands of malformed requests against every route of the built gateway (with the gallery behind
 * it): never a 5xx, never a crash, and every error in the JSON error shape.
 */
describe('gateway under malformed input (property-based)', () => {
  let redis: TestRedis;
  let s3: TestS3;
  let gateway: RunningService;

  beforeAll(async () => {
    [redis, s3] = await Promise.all([TestRedis.start(), TestS3.start()]);
    const gallery = await startService('gallery', s3.env());
    gateway = await startService('gateway', { REDIS_URL: redis.url, GALLERY_URL: gallery.url, LOG_LEVEL: 'warn' });
  });

  afterAll(async () => {
    await stopAllProcesses();
    await Promise.all([redis.dispose(), s3.dispose()]);
  });

  it('answers every request below 500, errors always as {error, message, correlationId}', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path, headers, body }) => {
        const res = await fetch(`${gateway.url}${path}`, {
          method,
          headers,
          body: method === 'GET' || method === 'HEAD' ? undefined : body,
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        if (res.status >= 500) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
        if (res.status >= 400 && method !== 'HEAD') {
          const parsed: unknown = JSON.parse(text);
          if (!isErrorBody(parsed)) throw new Error(`${method} ${path} answered ${res.status} without the error shape: ${text}`);
        }
      }),
      { numRuns: 2000 },
    );
    expect(gateway.process.running).toBe(true);
    expect(gateway.logs().filter((line) => line['level'] === 'error' || line['level'] === 'fatal')).toEqual([]);
  });
});
