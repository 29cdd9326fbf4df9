import { Agent, type IncomingHttpHeaders, createServer, request as httpRequest } from 'node:http';
import { type AddressInfo, type Server, connect } from 'node:net';
import { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { All, Body, Controller, Get, Global, HttpException, Inject, Injectable, Module, type OnModuleDestroy, Param, Post } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig, serviceEnvSchema } from '@pixel-prompt/config';
import { type ErrorBody, type ReadinessResponse, isErrorBody } from '@pixel-prompt/contracts';
import type { Logger } from '@pixel-prompt/observability';
import { metricSample, waitFor } from '@pixel-prompt/testing';
import { JSON_MAX_DEPTH, LOGGER, OUTAGE_RETRY_AFTER_SECONDS, type ReadinessCheck, ServiceModule, applyHttpTimeouts, createServiceApp, drain } from '../src';

/** Log lines written by the app under test, parsed. */
class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString().split('\n')) if (line) this.lines.push(JSON.parse(line));
    done();
  }
}

/** What the fake dependency's client throws when it cannot reach it. */
class FakeDbUnreachable extends Error {}

/** A dependency whose answer the test decides. */
@Injectable()
class FakeDependency implements ReadinessCheck {
  readonly name = 'fake-db';
  mode: 'up' | 'down' | 'hang' = 'up';
  isOutage(error: unknown): boolean {
    return error instanceof FakeDbUnreachable;
  }
  check(signal: AbortSignal): Promise<void> {
    if (this.mode === 'up') return Promise.resolve();
    if (this.mode === 'down') return Promise.reject(new Error('connection refused'));
    return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
  }
}

/** Lets a test hold a request in flight and release it. */
@Injectable()
class Gate implements OnModuleDestroy {
  entered = false;
  destroyed = false;
  private open!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.open = resolve));
  release(): void {
    this.open();
  }
  onModuleDestroy(): void {
    this.destroyed = true;
  }
}

@Controller('things')
class ThingsController {
  constructor(
    private readonly gate: Gate,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get('slow')
  async slow(): Promise<{ done: true }> {
    this.gate.entered = true;
    await this.gate.opened;
    return { done: true };
  }

  @Get('boom')
  boom(): never {
    throw new Error('database password is hunter2');
  }

  @Get('outage')
  outage(): never {
    throw new FakeDbUnreachable('connect ECONNREFUSED fake-db:5432');
  }

  @Get(':id')
  async one(@Param('id') id: string): Promise<{ id: string }> {
    await delay(1);
    await new Promise((resolve) => setImmediate(resolve));
    this.logger.info({ id }, 'thing served');
    return { id };
  }

  @Post()
  create(@Body() body: unknown): unknown {
    return body;
  }

  /** Refuses every other method of /things, as the gateway's gallery routes do. */
  @All()
  refuse(): never {
    throw new HttpException('method not allowed', 405);
  }
}

@Global()
@Module({ providers: [FakeDependency, Gate], exports: [FakeDependency, Gate] })
class FakesModule {}

async function startApp(env: Record<string, string> = {}) {
  const logs = new LogCapture();
  const config = loadConfig(serviceEnvSchema, { LOG_LEVEL: 'debug', ...env });
  const app: NestExpressApplication = await createServiceApp(
    {
      module: class TestAppModule {},
      imports: [FakesModule, ServiceModule.forRoot({ service: 'test', config, checks: [FakeDependency], logDestination: logs })],
      controllers: [ThingsController],
    },
    config,
  );
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return { app, url, logs, dependency: app.get(FakeDependency), gate: app.get(Gate) };
}

/** A GET with node:http, which shows hop-by-hop headers (Connection) that fetch hides. */
function get(url: string, agent?: Agent): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('service foundation', () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;

  beforeEach(async () => {
    ctx = await startApp();
  });

  afterEach(async () => {
    ctx.gate.release();
    await ctx.app.close();
  });

  describe('correlation id', () => {
    it('echoes a valid X-Correlation-ID and carries it on every log line of the request, across awaits', async () => {
      const res = await fetch(`${ctx.url}/things/42`, { headers: { 'X-Correlation-ID': 'req-abc.1' } });
      expect(res.headers.get('x-correlation-id')).toBe('req-abc.1');
      const lines = ctx.logs.lines.filter((l) => l['correlationId'] === 'req-abc.1');
      expect(lines.map((l) => l['msg'])).toEqual(['thing served', 'request completed']);
      expect(lines[1]).toMatchObject({ method: 'GET', path: '/things/42', route: '/things/:id', status: 200 });
    });

    it('replaces a missing or unsafe id with a generated UUID', async () => {
      for (const headers of [{}, { 'X-Correlation-ID': 'bad id\twith spaces' }]) {
        const res = await fetch(`${ctx.url}/things/1`, { headers });
        expect(res.headers.get('x-correlation-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }
    });

    it('keeps concurrent requests apart', async () => {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => fetch(`${ctx.url}/things/${i}`, { headers: { 'X-Correlation-ID': `c-${i}` } })),
      );
      const served = ctx.logs.lines.filter((l) => l['msg'] === 'thing served');
      expect(served).toHaveLength(20);
      for (const line of served) expect(line['correlationId']).toBe(`c-${line['id']}`);
    });
  });

  describe('health', () => {
    it('is live and ready while the dependency answers', async () => {
      expect(await (await fetch(`${ctx.url}/health/live`)).json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${ctx.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ok', checks: { 'fake-db': { status: 'up' } } });
    });

    it('answers 503 naming the failing dependency, and recovers', async () => {
      ctx.dependency.mode = 'down';
      const res = await fetch(`${ctx.url}/health/ready`, { headers: { 'X-Correlation-ID': 'probe-1' } });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        status: 'unavailable',
        error: 'NOT_READY',
        message: 'Not ready: fake-db is unreachable.',
        correlationId: 'probe-1',
        checks: { 'fake-db': { status: 'down', reason: 'unreachable' } },
      });
      expect((await fetch(`${ctx.url}/health/live`)).status).toBe(200);
      ctx.dependency.mode = 'up';
      expect((await fetch(`${ctx.url}/health/ready`)).status).toBe(200);
    });

    it('bounds a hung dependency by the check timeout', async () => {
      ctx.dependency.mode = 'hang';
      const res = await fetch(`${ctx.url}/health/ready`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as ReadinessResponse).checks['fake-db']).toEqual({ status: 'down', reason: 'timeout' });
    });
  });

  describe('metrics', () => {
    it('labels the request histogram by route template, never by raw URL', async () => {
      await fetch(`${ctx.url}/things/alpha`);
      await fetch(`${ctx.url}/things/beta`);
      await fetch(`${ctx.url}/no/such/path/secret-token`);
      const res = await fetch(`${ctx.url}/metrics`);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      expect(text).toContain(
        'pixel_prompt_http_request_duration_seconds_count{route="/things/:id",method="GET",status_code="200"} 2',
      );
      expect(text).toContain(
        'pixel_prompt_http_request_duration_seconds_count{route="unmatched",method="GET",status_code="404"} 1',
      );
      expect(text).not.toMatch(/alpha|beta|secret-token/);
      expect(text).toContain('process_cpu_user_seconds_total');
      expect(text).toContain('pixel_prompt_build_info{version="dev",commit="unknown"} 1');
    });

    it('reports every readiness check as a dependency, asked again at each scrape', async () => {
      const up = async () => metricSample(await (await fetch(`${ctx.url}/metrics`)).text(), 'pixel_prompt_dependency_up{dependency="fake-db"}');
      expect(await up()).toBe(1);
      ctx.dependency.mode = 'down';
      expect(await up()).toBe(0);
    });
  });

  describe('error contract', () => {
    it('answers unknown routes with 404 NOT_FOUND', async () => {
      const res = await fetch(`${ctx.url}/nothing-here`, { headers: { 'X-Correlation-ID': 'nf-1' } });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        error: 'NOT_FOUND',
        message: expect.any(String),
        correlationId: 'nf-1',
      });
    });

    it('hides server faults behind a generic 500 and logs the stack', async () => {
      const res = await fetch(`${ctx.url}/things/boom`);
      const body = (await res.json()) as ErrorBody;
      expect(res.status).toBe(500);
      expect(isErrorBody(body)).toBe(true);
      expect(body.error).toBe('INTERNAL_ERROR');
      expect(JSON.stringify(body)).not.toMatch(/hunter2|at .*\.ts/);
      const logged = ctx.logs.lines.find((l) => l['msg'] === 'request failed');
      expect(logged?.['correlationId']).toBe(body.correlationId);
    });

    it('answers a dependency outage with 503 SERVICE_UNAVAILABLE and Retry-After, logged as a warning', async () => {
      const res = await fetch(`${ctx.url}/things/outage`, { headers: { 'X-Correlation-ID': 'down-1' } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe(String(OUTAGE_RETRY_AFTER_SECONDS));
      expect(await res.json()).toEqual({
        error: 'SERVICE_UNAVAILABLE',
        message: 'The service is temporarily unavailable. Try again shortly.',
        correlationId: 'down-1',
        retryAfter: OUTAGE_RETRY_AFTER_SECONDS,
      });
      const logged = ctx.logs.lines.find((l) => l['correlationId'] === 'down-1' && l['dependency'] === 'fake-db');
      expect(logged).toMatchObject({ level: 'warn', msg: 'request failed: a dependency is unavailable' });
    });

    it('answers a body nested deeper than the limit with 400 INVALID_JSON, before anything walks it', async () => {
      const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const post = (body: string) =>
        fetch(`${ctx.url}/things`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      const deep = await post(`{"a":${nested(5000)}}`);
      expect(deep.status).toBe(400);
      expect(await deep.json()).toMatchObject({ error: 'INVALID_JSON', message: `The request body nests deeper than ${JSON_MAX_DEPTH} levels.` });
      // Brackets inside strings are text, not nesting.
      expect((await post(JSON.stringify({ prompt: '['.repeat(5000) }))).status).toBe(201);
      expect((await post(nested(JSON_MAX_DEPTH))).status).toBe(201);
      expect((await post(nested(JSON_MAX_DEPTH + 1))).status).toBe(400);
    });

    it('answers malformed JSON with 400 INVALID_JSON', async () => {
      const res = await fetch(`${ctx.url}/things`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Correlation-ID': 'malformed-1' },
        body: '{"prompt": ',
      });
      expect(res.status).toBe(400);
      // Parsed after the body arrived, still inside the request's correlation context.
      expect(await res.json()).toMatchObject({ error: 'INVALID_JSON', correlationId: 'malformed-1' });
    });

    it('answers an oversized body with 413 PAYLOAD_TOO_LARGE', async () => {
      const res = await fetch(`${ctx.url}/things`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Correlation-ID': 'big-1' },
        body: JSON.stringify({ prompt: 'x'.repeat(20_000) }),
      });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: 'PAYLOAD_TOO_LARGE', correlationId: 'big-1' });
    });

    it('still parses valid JSON bodies', async () => {
      const res = await fetch(`${ctx.url}/things`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ prompt: 'a red fox' }),
      });
      expect(res.status).toBe(201);
      expect(await res.json()).toEqual({ prompt: 'a red fox' });
    });
  });

  describe('graceful shutdown', () => {
    it('stops accepting, finishes the request in flight, then runs shutdown hooks', async () => {
      const inFlight = fetch(`${ctx.url}/things/slow`);
      await waitFor(() => ctx.gate.entered, { what: 'the slow request to arrive' });

      const drained = drain(ctx.app, { delayMs: 0, timeoutMs: 5000 });
      await waitFor(async () => (await fetch(`${ctx.url}/health/live`).then(() => false, () => true)), {
        what: 'the server to stop accepting connections',
      });
      expect(ctx.gate.destroyed).toBe(false);

      ctx.gate.release();
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ done: true });
      expect(await drained).toBe(true);
      expect(ctx.gate.destroyed).toBe(true);
    });

    it('keeps serving through the drain delay, unready, closing every connection it answers, then stops accepting', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const before = await get(`${ctx.url}/things/1`, agent);
        expect(before.headers['connection']).toBe('keep-alive');

        const drained = drain(ctx.app, { delayMs: 1500, timeoutMs: 5000 });
        // Readiness fails at once, on the connection kept alive from before and on new ones.
        const ready = await get(`${ctx.url}/health/ready`, agent);
        expect(ready.status).toBe(503);
        expect(ready.headers['connection']).toBe('close');
        const served = await get(`${ctx.url}/things/2`);
        expect(served).toMatchObject({ status: 200, headers: { connection: 'close' } });
        expect(ctx.gate.destroyed).toBe(false);

        expect(await drained).toBe(true);
        await expect(get(`${ctx.url}/health/live`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
        expect(ctx.gate.destroyed).toBe(true);
      } finally {
        agent.destroy();
      }
    });

    it('reports a missed deadline instead of hanging', async () => {
      const inFlight = fetch(`${ctx.url}/things/slow`).catch((error: unknown) => error);
      await waitFor(() => ctx.gate.entered, { what: 'the slow request to arrive' });
      expect(await drain(ctx.app, { delayMs: 0, timeoutMs: 200 })).toBe(false);
      // The cut-off request fails on the client side (fetch's TypeError comes from Node's realm, not Jest's).
      expect(await inFlight).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
    });
  });
});

describe('HTTP timeouts', () => {
  /** A raw connection and the answers' status lines it received. */
  function rawConnection(port: number) {
    const socket = connect(port, '127.0.0.1');
    // A write racing the server's close fails; what the test checks is what was received.
    socket.on('error', () => undefined);
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const closedAt = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
    return { socket, closedAt, statuses: () => received.match(/HTTP\/1\.1 \d{3}/g) ?? [], text: () => received };
  }

  it('keeps an idle connection past the header and request timeouts, until the keep-alive timeout, yet cuts a slow client', async () => {
    const ctx = await startApp();
    // Node checks header and request timeouts every 30 s by default; every 100 ms here, so the test
    // sees within seconds what production sees within 30 s.
    const server = createServer({ connectionsCheckingInterval: 100 }, ctx.app.getHttpAdapter().getInstance());
    applyHttpTimeouts(server, { keepAliveTimeoutMs: 3000, headersTimeoutMs: 500, requestTimeoutMs: 1000 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const idle = rawConnection(port);
    let slow: ReturnType<typeof rawConnection> | undefined;
    try {
      idle.socket.write('GET /health/live HTTP/1.1\r\nHost: test\r\n\r\n');
      await waitFor(() => idle.statuses().length === 1, { what: 'the first answer' });
      // Idle three times the header timeout and longer than the request timeout.
      await delay(1500);
      idle.socket.write('GET /health/live HTTP/1.1\r\nHost: test\r\n\r\n');
      await waitFor(() => idle.statuses().length === 2, { what: 'the second answer on the same connection' });
      const lastAnswer = Date.now();
      expect(idle.statuses()).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
      expect(idle.text()).toContain('Keep-Alive: timeout=3');

      const client = rawConnection(port);
      slow = client;
      client.socket.write('GET /health/live HTTP/1.1\r\n');
      const trickle = setInterval(() => client.socket.write('X-Slow: yes\r\n'), 100);
      const slowCutAt = await client.closedAt;
      clearInterval(trickle);
      expect(client.statuses()).toEqual(['HTTP/1.1 408']);

      expect((await idle.closedAt) - lastAnswer).toBeGreaterThanOrEqual(2900);
      expect(slowCutAt).toBeLessThan(lastAnswer + 2900);
    } finally {
      idle.socket.destroy();
      slow?.socket.destroy();
      server.close();
      await ctx.app.close();
    }
  }, 15_000);
});

describe('CORS', () => {
  it('is off by default and, when origins are configured, exposes the correlation id header', async () => {
    const closed = await startApp();
    const open = await startApp({ CORS_ORIGINS: 'https://app.example' });
    try {
      const headers = { Origin: 'https://app.example' };
      const without = await fetch(`${closed.url}/health/live`, { headers });
      expect(without.headers.get('access-control-allow-origin')).toBeNull();

      const withCors = await fetch(`${open.url}/health/live`, { headers });
      expect(withCors.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(withCors.headers.get('access-control-expose-headers')).toContain('X-Correlation-ID');

      const other = await fetch(`${open.url}/health/live`, { headers: { Origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      expect(other.headers.get('vary')).toContain('Origin');
    } finally {
      await closed.app.close();
      await open.app.close();
    }
  });

  it('answers a preflight with the methods of the route asked about only, and other origins with no CORS at all', async () => {
    const ctx = await startApp({ CORS_ORIGINS: 'https://app.example' });
    const preflight = (path: string, origin: string, method: string) =>
      fetch(`${ctx.url}${path}`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': method } });
    try {
      const post = await preflight('/things', 'https://app.example', 'POST');
      expect(post.status).toBe(204);
      expect(post.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(post.headers.get('access-control-allow-methods')).toBe('POST');
      expect((await preflight('/things/42', 'https://app.example', 'GET')).headers.get('access-control-allow-methods')).toBe('GET,HEAD');
      expect((await preflight('/things/42', 'https://app.example', 'DELETE')).headers.get('access-control-allow-methods')).toBe('GET,HEAD');

      for (const refused of [await preflight('/things', 'https://evil.example', 'POST'), await preflight('/no/such/route', 'https://app.example', 'GET')]) {
        expect(refused.headers.get('access-control-allow-origin')).toBeNull();
        expect(refused.headers.get('access-control-allow-methods')).toBeNull();
      }
    } finally {
      await ctx.app.close();
    }
  });
});
