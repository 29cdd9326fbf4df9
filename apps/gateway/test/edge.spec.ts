import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ErrorBody, isErrorBody } from '@pixel-prompt/contracts';
import { type RunningService, TestRedis, readSse, startService, stopAllProcesses, waitFor, workspaceRoot } from '@pixel-prompt/testing';

const OPENAPI_FILE = join(workspaceRoot(), 'docs/openapi.json');

/**
 * The public API's edge on the built gateway: one trusted proxy hop, so each test speaks for its own
 * client IP through X-Forwarded-For, as the load balancer does in production.
 */
describe('gateway edge (built, as a process, real Redis)', () => {
  let redis: TestRedis;
  let gateway: RunningService;

  beforeAll(async () => {
    redis = await TestRedis.start();
    gateway = await startService('gateway', {
      REDIS_URL: redis.url,
      TRUSTED_PROXY_HOPS: '1',
      RATE_LIMIT_GLOBAL_PER_HOUR: '100000',
      RATE_LIMIT_IP_PER_DAY: '50',
      RATE_LIMIT_ENHANCE_IP_PER_HOUR: '5',
      RATE_LIMIT_LOG_IP_PER_MINUTE: '5',
      RATE_LIMIT_ALLOWLIST: '203.0.113.0/24',
      CORS_ORIGINS: 'https://app.example',
    });
  });

  afterAll(async () => {
    await stopAllProcesses();
    await redis.dispose();
  });

  const post = (path: string, body: unknown, ip: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': ip, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  async function errorOf(res: Response): Promise<ErrorBody> {
    const body: unknown = await res.json();
    if (!isErrorBody(body)) throw new Error(`not an error body: ${JSON.stringify(body)}`);
    return body;
  }

  describe('rate limits', () => {
    /** The rate-limit decisions counter on /metrics, by limit and outcome. */
    async function decisions(): Promise<Record<string, number>> {
      const text = await (await fetch(`${gateway.url}/metrics`)).text();
      const counts: Record<string, number> = {};
      for (const [, limit, outcome, value] of text.matchAll(/^pixel_prompt_rate_limit_decisions_total\{limit="([^"]+)",outcome="([^"]+)"\} (\d+)$/gm)) {
        counts[`${limit}/${outcome}`] = Number(value);
      }
      return counts;
    }

    it('admits exactly the per-IP limit out of 500 concurrent submissions, says when to retry, and counts both', async () => {
      const before = await decisions();
      const answers = await Promise.all(Array.from({ length: 500 }, (_, i) => post('/generate', { prompt: `a kite ${i}`, models: ['ink'] }, '198.51.100.7')));
      expect(answers.filter((r) => r.status === 202)).toHaveLength(50);
      const refused = answers.filter((r) => r.status === 429);
      expect(refused).toHaveLength(450);
      const first = refused[0] as Response;
      const body = await errorOf(first);
      const retryAfter = Number(first.headers.get('retry-after'));
      expect(body).toMatchObject({ error: 'RATE_LIMIT_EXCEEDED', retryAfter });
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(86_400);
      expect(first.headers.get('ratelimit-policy')).toBe('"global";q=100000;w=3600, "ip";q=50;w=86400');
      expect(first.headers.get('ratelimit')).toBe(`"ip";r=0;t=${retryAfter}`);
      const after = await decisions();
      const delta = (key: string) => (after[key] ?? 0) - (before[key] ?? 0);
      expect([delta('generate_ip/allowed'), delta('generate_ip/limited')]).toEqual([50, 450]);
      // The global limit admitted only the 50 that went through; it refused none.
      expect([delta('generate_global/allowed'), delta('generate_global/limited')]).toEqual([50, 0]);
    });

    it('answers an Idempotency-Key replay with its job even after the quota is spent', async () => {
      const ip = '198.51.100.20';
      const first = await post('/generate', { prompt: 'a replayed kite', models: ['ink'] }, ip, { 'Idempotency-Key': 'edge-replay-1' });
      expect(first.status).toBe(202);
      const { jobId } = (await first.json()) as { jobId: string };
      const rest = await Promise.all(Array.from({ length: 49 }, (_, i) => post('/generate', { prompt: `filler ${i}`, models: ['ink'] }, ip)));
      expect(rest.every((r) => r.status === 202)).toBe(true);
      expect((await post('/generate', { prompt: 'one too many', models: ['ink'] }, ip)).status).toBe(429);
      const replay = await post('/generate', { prompt: 'a replayed kite', models: ['ink'] }, ip, { 'Idempotency-Key': 'edge-replay-1' });
      expect(replay.status).toBe(202);
      expect(((await replay.json()) as { jobId: string }).jobId).toBe(jobId);
    });

    it('takes the client IP from the trusted hop only: addresses a client prepends change nothing', async () => {
      const spoofed = await Promise.all(
        Array.from({ length: 8 }, (_, i) => post('/enhance', { prompt: 'a fox' }, `10.9.9.${i}, 198.51.100.8`)),
      );
      expect(spoofed.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    });

    it('counts IPv6 clients per /64: addresses rotated inside one network share its quota', async () => {
      const inOneNetwork = Array.from({ length: 8 }, (_, i) => `2001:db8:5:6:${i.toString(16)}::${i + 1}`);
      const answers = [];
      for (const ip of inOneNetwork) answers.push((await post('/enhance', { prompt: 'a fox' }, ip)).status);
      expect(answers).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      expect((await post('/enhance', { prompt: 'a fox' }, '2001:db8:5:7::1')).status).toBe(200);
    });

    it('lets allowlisted clients through without limits', async () => {
      const answers = await Promise.all(Array.from({ length: 12 }, () => post('/enhance', { prompt: 'a heron' }, '203.0.113.9')));
      expect(answers.map((r) => r.status)).toEqual(Array(12).fill(200));
      expect(answers[0]?.headers.get('ratelimit')).toBeNull();
    });

    it('keeps separate budgets: enhance and log never eat the generation quota', async () => {
      const ip = '198.51.100.9';
      for (let i = 0; i < 6; i++) await post('/enhance', { prompt: 'a boat' }, ip);
      expect((await post('/enhance', { prompt: 'a boat' }, ip)).status).toBe(429);
      const submitted = await post('/generate', { prompt: 'a boat', models: ['ink'] }, ip);
      expect(submitted.status).toBe(202);
      expect(submitted.headers.get('ratelimit')).toMatch(/^"ip";r=49;t=\d+$/);
    });
  });

  describe('content filter', () => {
    it('refuses a blocked prompt with 400 INAPPROPRIATE_CONTENT, creates no job and spends no quota', async () => {
      const ip = '198.51.100.10';
      for (const prompt of ['a nude figure', 'N.U.D.E portrait', 'p0rn']) {
        const res = await post('/generate', { prompt }, ip);
        expect(res.status).toBe(400);
        expect(res.headers.get('ratelimit')).toBeNull();
        expect((await errorOf(res)).error).toBe('INAPPROPRIATE_CONTENT');
      }
      const accepted = await post('/generate', { prompt: 'a chateau in Sussex, whatever the weather', models: ['ink'] }, ip);
      expect(accepted.status).toBe(202);
      expect(accepted.headers.get('ratelimit')).toMatch(/^"ip";r=49;/);
    });

    it('screens enhance input, and counts refusals on /metrics', async () => {
      const res = await post('/enhance', { prompt: 'gore everywhere' }, '198.51.100.11');
      expect((await errorOf(res)).error).toBe('INAPPROPRIATE_CONTENT');
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      expect(metrics).toMatch(/^pixel_prompt_content_filter_refusals_total\{stage="word_list",text="prompt"\} [1-9]\d*$/m);
    });
  });

  describe('prompt enhancement', () => {
    it('returns the original and a richer prompt of several sentences', async () => {
      const res = await post('/enhance', { prompt: '  a lighthouse in a storm ' }, '198.51.100.12');
      expect(res.status).toBe(200);
      const body = (await res.json()) as { original: string; enhanced: string };
      expect(body.original).toBe('a lighthouse in a storm');
      expect(body.enhanced.toLowerCase()).toContain('lighthouse in a storm');
      expect(body.enhanced.split(/\.\s/).length).toBeGreaterThanOrEqual(2);
      expect(body.enhanced.length).toBeGreaterThan(body.original.length * 2);
    });

    it.each([
      ['an empty prompt', { prompt: '' }, 'prompt'],
      ['a prompt of zero-width characters', { prompt: '\u200b\u200c\u200d\u2060\ufeff' }, 'prompt'],
      ['a prompt of a single NUL', { prompt: '\u0000' }, 'prompt'],
      ['a prompt over 500 characters', { prompt: 'x'.repeat(501) }, 'prompt'],
      ['an unknown field', { prompt: 'a cat', extra: 1 }, 'extra'],
      ['a missing prompt', {}, 'prompt'],
    ])('refuses %s, naming the field', async (_what, body, field) => {
      const res = await post('/enhance', body, '198.51.100.13');
      const error = await errorOf(res);
      expect(res.status).toBe(400);
      expect(error.error).toBe('VALIDATION_FAILED');
      expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });
  });

  describe('generation requests', () => {
    it.each([
      ['zero-width characters', '\u200b\u200b\u200b'],
      ['a single NUL', '\u0000'],
      ['controls, a BOM, bidi marks and Hangul fillers', '\u0001\u007f\ufeff\u200e\u202e\u3164 \u2063'],
    ])('refuses a prompt of %s as empty, spending no quota', async (_what, prompt) => {
      const res = await post('/generate', { prompt, models: ['ink'] }, '198.51.100.30');
      expect(res.status).toBe(400);
      expect(res.headers.get('ratelimit')).toBeNull();
      expect(await errorOf(res)).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'prompt', message: 'must not be empty' }] });
    });

    it('accepts a prompt whose invisible characters sit among visible ones', async () => {
      expect((await post('/generate', { prompt: 'a\u200bfox 👨\u200d👩\u200d👧', models: ['ink'] }, '198.51.100.31')).status).toBe(202);
    });

    it.each(['99999999999999999999-1', '18446744073709551615-18446744073709551615', '99999999999999-0', 'not-an-id'])(
      'ends an event stream with completed whatever Last-Event-ID says: %s',
      async (lastEventId) => {
        const submitted = await post('/generate', { prompt: 'a canceled kite', models: ['ink'] }, '198.51.100.32');
        const { jobId } = (await submitted.json()) as { jobId: string };
        expect((await fetch(`${gateway.url}/jobs/${jobId}/cancel`, { method: 'POST' })).status).toBe(202);
        const stream = await readSse(`${gateway.url}/jobs/${jobId}/events`, { lastEventId, timeoutMs: 10_000 });
        expect(stream.events.map((e) => e.event)).toEqual(['model_canceled', 'completed']);
        expect(gateway.logs().filter((l) => String(l['err'] && JSON.stringify(l['err'])).includes('stream ID'))).toEqual([]);
      },
    );

    it('answers a preflight with the methods of the route asked about only', async () => {
      const allowed = async (path: string) =>
        (await fetch(`${gateway.url}${path}`, { method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'GET' } })).headers.get(
          'access-control-allow-methods',
        );
      expect(await allowed('/generate')).toBe('POST');
      expect(await allowed('/status/6f1c2a9e-5b1d-4c1e-9a57-0d8f1f2c3b4a')).toBe('GET,HEAD');
      expect(await allowed('/jobs/6f1c2a9e-5b1d-4c1e-9a57-0d8f1f2c3b4a/cancel')).toBe('POST');
      expect(await allowed('/gallery/list')).toBe('GET,HEAD');
      expect(await allowed('/images/x/0-ink.png')).toBe('GET,HEAD');
    });
  });

  describe('frontend error log', () => {
    it('logs a report as one structured line marked source web, under the reported correlation id, without control characters', async () => {
      const res = await post(
        '/log',
        { level: 'error', message: 'render failed\u001b[31m\u0000', stack: 'Error: x\n  at y', url: 'http://localhost/', correlationId: 'web-report-1', context: { page: 'home' } },
        '198.51.100.14',
      );
      expect(res.status).toBe(204);
      // The line reaches us through the process's stdout pipe, possibly after the response.
      const line = await waitFor(() => gateway.logs().find((l) => l['source'] === 'web' && l['correlationId'] === 'web-report-1'), {
        what: 'the report in the gateway log',
      });
      expect(line).toMatchObject({ level: 'error', msg: 'render failed[31m', stack: 'Error: x\n  at y', context: { page: 'home' } });
    });

    it.each([
      ['an unknown level', { level: 'fatal', message: 'x' }, 400, 'VALIDATION_FAILED'],
      ['a report without message', { level: 'info' }, 400, 'VALIDATION_FAILED'],
      ['a report over 8 KB', { level: 'info', message: 'x', stack: 'y'.repeat(9000) }, 413, 'PAYLOAD_TOO_LARGE'],
      // Sent as text: the test's own JSON.stringify would overflow on these, as the gateway's once did.
      ['a report nested 2,000 levels deep', `{"level":"info","message":"x","context":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`, 400, 'INVALID_JSON'],
      ['an array nested 5,000 levels deep', `${'['.repeat(5000)}${']'.repeat(5000)}`, 400, 'INVALID_JSON'],
    ])('refuses %s', async (_what, body, status, code) => {
      const res = await post('/log', body, '198.51.100.15');
      expect(res.status).toBe(status);
      expect((await errorOf(res)).error).toBe(code);
    });

    it('is rate limited per IP', async () => {
      const answers = await Promise.all(Array.from({ length: 8 }, () => post('/log', { level: 'info', message: 'hello' }, '198.51.100.16')));
      expect(answers.filter((r) => r.status === 204)).toHaveLength(5);
      expect(answers.filter((r) => r.status === 429)).toHaveLength(3);
    });
  });

  describe('error contract and security', () => {
    it.each([
      ['malformed JSON', '{"prompt": "a', 'application/json', 400, 'INVALID_JSON'],
      ['a body over 16 KB', JSON.stringify({ prompt: 'x'.repeat(20_000) }), 'application/json', 413, 'PAYLOAD_TOO_LARGE'],
      ['a body that is not JSON', 'prompt=a+cat', 'application/x-www-form-urlencoded', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['a JSON array', '[1,2]', 'application/json', 400, 'VALIDATION_FAILED'],
    ])('answers %s with its error code', async (_what, body, type, status, code) => {
      const res = await post('/generate', body, '198.51.100.17', { 'Content-Type': type, 'X-Correlation-ID': 'edge-contract-1' });
      expect(res.status).toBe(status);
      expect(await errorOf(res)).toMatchObject({ error: code, correlationId: 'edge-contract-1' });
    });

    it('sends security headers and exposes the correlation id to browsers of allowed origins only', async () => {
      const res = await fetch(`${gateway.url}/health/live`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
      expect(res.headers.get('x-powered-by')).toBeNull();
      const preflight = await fetch(`${gateway.url}/generate`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('OpenAPI', () => {
    it('serves the document generated from the code, identical to docs/openapi.json', async () => {
      const res = await fetch(`${gateway.url}/api/docs-json`);
      expect(res.status).toBe(200);
      const served = `${JSON.stringify(await res.json(), null, 2)}\n`;
      // UPDATE_OPENAPI=1 rewrites the committed copy after an intended API change.
      if (process.env['UPDATE_OPENAPI'] === '1') writeFileSync(OPENAPI_FILE, served);
      expect(served).toBe(readFileSync(OPENAPI_FILE, 'utf8'));
      const document = JSON.parse(served) as { openapi: string; paths: Record<string, unknown> };
      expect(document.openapi).toMatch(/^3\./);
      expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/generate', '/status/{jobId}', '/jobs/{jobId}/events', '/enhance', '/log', '/gallery/{id}']));
    });

    it('serves a page to read it at /api/docs', async () => {
      const res = await fetch(`${gateway.url}/api/docs`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
    });
  });
});
