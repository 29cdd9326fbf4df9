import { randomBytes } from 'node:crypto';
import { loadConfig, s3EnvSchema } from '@pixel-prompt/config';
import { type ErrorBody, isErrorBody } from '@pixel-prompt/contracts';
import { JSON_MAX_DEPTH } from '@pixel-prompt/service';
import { ObjectStorage, imageKeys } from '@pixel-prompt/storage';
import { type RunningService, TestRedis, TestS3, readSse, startService, stopAllProcesses } from '@pixel-prompt/testing';
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
  const ORIGIN = 'https://app.example';
  const image = randomBytes(3000);
  let redis: TestRedis;
  let s3: TestS3;
  let gateway: RunningService;
  /** A job that has ended (canceled), so its event stream ends too. */
  let endedJobId: string;
  let imagePath: string;

  beforeAll(async () => {
    [redis, s3] = await Promise.all([TestRedis.start(), TestS3.start()]);
    const gallery = await startService('gallery', s3.env());
    gateway = await startService('gateway', { REDIS_URL: redis.url, GALLERY_URL: gallery.url, LOG_LEVEL: 'warn', CORS_ORIGINS: ORIGIN }, { until: 'ready' });
    const submitted = await fetch(`${gateway.url}/generate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt: 'a kite', models: ['ink'] }),
    });
    endedJobId = ((await submitted.json()) as { jobId: string }).jobId;
    await fetch(`${gateway.url}/jobs/${endedJobId}/cancel`, { method: 'POST' });
    const key = imageKeys(endedJobId, 0, 'ink', 'image/png').imageKey;
    const storage = new ObjectStorage(loadConfig(s3EnvSchema, s3.env()));
    await storage.putImage(key, image, 'image/png', 'fuzz');
    storage.onApplicationShutdown();
    imagePath = `/${key}`;
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

  const expectError = async (res: Response, status: number, code: ErrorBody['error']) => {
    const text = await res.text();
    const body: unknown = JSON.parse(text);
    if (res.status !== status || !isErrorBody(body) || body.error !== code) throw new Error(`expected ${status} ${code}, got ${res.status}: ${text}`);
  };

  it('refuses bodies nested deeper than the limit on every write route with 400 INVALID_JSON', async () => {
    const nesting = fc.tuple(fc.integer({ min: JSON_MAX_DEPTH + 1, max: 5000 }), fc.constantFrom('[', '{"a":'), fc.constantFrom('/generate', '/enhance', '/log', '/jobs/x/cancel'));
    await fc.assert(
      fc.asyncProperty(nesting, async ([depth, open, route]) => {
        const close = open === '[' ? ']' : '}';
        const body = `${open.repeat(depth)}${open === '[' ? '' : '1'}${close.repeat(depth)}`;
        const res = await fetch(`${gateway.url}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
        // Deep bodies are long too: over 16 KB the size limit answers first.
        await expectError(res, body.length > 16 * 1024 ? 413 : 400, body.length > 16 * 1024 ? 'PAYLOAD_TOO_LARGE' : 'INVALID_JSON');
      }),
      { numRuns: 100 },
    );
  });

  it('answers any Range on a stored image with exactly the bytes it announces, on a reused connection', async () => {
    const size = image.length;
    const position = fc.integer({ min: 0, max: size * 2 });
    const range = fc.oneof(
      fc.constant('bytes=0-0'),
      position.map((n) => `bytes=-${n}`),
      position.map((n) => `bytes=${n}-`),
      fc.tuple(position, position).map(([a, b]) => `bytes=${a}-${b}`),
      fc.array(fc.tuple(position, position), { minLength: 2, maxLength: 4 }).map((ranges) => `bytes=${ranges.map(([a, b]) => `${a}-${b}`).join(',')}`),
      visibleAscii,
    );
    await fc.assert(
      fc.asyncProperty(range, async (value) => {
        const res = await fetch(`${gateway.url}${imagePath}`, { headers: { Range: value } });
        const body = Buffer.from(await res.arrayBuffer());
        if (res.status === 416) {
          if (res.headers.get('content-range') !== `bytes */${size}`) throw new Error(`416 without the size for ${value}`);
          return;
        }
        if (Number(res.headers.get('content-length')) !== body.length) throw new Error(`Content-Length is not the body's length for ${value}`);
        if (res.status === 200 && body.equals(image)) return;
        const [, start, end, total] = (/^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers.get('content-range') ?? '') ?? []).map(Number);
        if (res.status !== 206 || total !== size || !body.equals(image.subarray(start, (end ?? 0) + 1))) {
          throw new Error(`${value} answered ${res.status} ${res.headers.get('content-range')} with ${body.length} bytes`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('ends the event stream of an ended job with completed, whatever Last-Event-ID says', async () => {
    const digits = (max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: max });
    const lastEventId = fc.oneof(
      fc.tuple(digits(25), digits(25)).map(([ms, seq]) => `${ms}-${seq}`),
      fc.constantFrom('18446744073709551615-18446744073709551615', '18446744073709551616-0', '0-0', '-', '1-'),
      visibleAscii,
    );
    await fc.assert(
      fc.asyncProperty(lastEventId, async (value) => {
        const stream = await readSse(`${gateway.url}/jobs/${endedJobId}/events`, { lastEventId: value, timeoutMs: 5000 });
        if (stream.events.at(-1)?.event !== 'completed') throw new Error(`Last-Event-ID ${value}: ${JSON.stringify(stream.events)}`);
      }),
      { numRuns: 100 },
    );
    expect(gateway.logs().filter((line) => JSON.stringify(line).includes('stream ID'))).toEqual([]);
  });

  it('refuses prompts made of invisible characters only', async () => {
    const invisible = fc.constantFrom('\u0000', '\u0007', '\u007f', '\u00ad', '\u200b', '\u200c', '\u200d', '\u200e', '\u202e', '\u2060', '\u2063', '\u3164', '\ufe0f', '\ufeff', '\u{e0041}', ' ', '\t', '\u00a0', '\u3000');
    const prompt = fc.array(invisible, { minLength: 1, maxLength: 50 }).map((chars) => chars.join(''));
    await fc.assert(
      fc.asyncProperty(prompt, fc.constantFrom('/generate', '/enhance'), async (text, route) => {
        const res = await fetch(`${gateway.url}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ prompt: text }) });
        await expectError(res, 400, 'VALIDATION_FAILED');
      }),
      { numRuns: 200 },
    );
  });

  it('answers preflights with the methods of the route asked about, and only for the allowed origin', async () => {
    const id = fc.oneof(fc.uuid(), fc.string({ unit: fc.constantFrom(...'abcdef0123456789-'), minLength: 1, maxLength: 36 }));
    const routes = fc.oneof(
      fc.constant(['/generate', 'POST'] as const),
      fc.constant(['/enhance', 'POST'] as const),
      fc.constant(['/log', 'POST'] as const),
      fc.constant(['/models', 'GET,HEAD'] as const),
      fc.constant(['/gallery/list', 'GET,HEAD'] as const),
      id.map((x) => [`/status/${x}`, 'GET,HEAD'] as const),
      id.map((x) => [`/jobs/${x}/events`, 'GET,HEAD'] as const),
      id.map((x) => [`/jobs/${x}/cancel`, 'POST'] as const),
      id.map((x) => [`/gallery/${x}`, 'GET,HEAD'] as const),
      id.map((x) => [`/images/${x}/0-ink.png`, 'GET,HEAD'] as const),
    );
    const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE');
    await fc.assert(
      fc.asyncProperty(routes, method, fc.constantFrom(ORIGIN, 'https://evil.example'), async ([path, methods], requested, origin) => {
        const res = await fetch(`${gateway.url}${path}`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': requested } });
        const allowed = res.headers.get('access-control-allow-methods');
        const expected = origin === ORIGIN ? methods : null;
        if (res.status >= 500 || allowed !== expected) throw new Error(`OPTIONS ${path} from ${origin}: ${res.status}, methods ${allowed}, expected ${expected}`);
      }),
      { numRuns: 200 },
    );
  });
});
