import type { AddressInfo, Server } from 'node:net';
import { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { Body, Controller, Get, Global, Inject, Injectable, Module, type OnModuleDestroy, Param, Post } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig, serviceEnvSchema } from '@pixel-prompt/config';
import { type ErrorBody, type ReadinessResponse, isErrorBody } from '@pixel-prompt/contracts';
import type { Logger } from '@pixel-prompt/observability';
import { metricSample, waitFor } from '@pixel-prompt/testing';
import { LOGGER, type ReadinessCheck, ServiceModule, createServiceApp, drain } from '../src';

/** Log lines written by the app under test, parsed. */
class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString().split('\n')) if (line) this.lines.push(JSON.parse(line));
    done();
  }
}

/** A dependency whose answer the test decides. */
@Injectable()
class FakeDependency implements ReadinessCheck {
  readonly name = 'fake-db';
  mode: 'up' | 'down' | 'hang' = 'up';
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

    it('answers malformed JSON with 400 INVALID_JSON', async () => {
      const res = await fetch(`${ctx.url}/things`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"prompt": ',
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorBody).error).toBe('INVALID_JSON');
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

      const drained = drain(ctx.app, 5000);
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

    it('reports a missed deadline instead of hanging', async () => {
      const inFlight = fetch(`${ctx.url}/things/slow`).catch((error: unknown) => error);
      await waitFor(() => ctx.gate.entered, { what: 'the slow request to arrive' });
      expect(await drain(ctx.app, 200)).toBe(false);
      // The cut-off request fails on the client side (fetch's TypeError comes from Node's realm, not Jest's).
      expect(await inFlight).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
    });
  });
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
    } finally {
      await closed.app.close();
      await open.app.close();
    }
  });
});
