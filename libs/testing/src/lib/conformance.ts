import type { ReadinessResponse } from '@pixel-prompt/contracts';
import { stopAllProcesses } from './processes';
import { TestRedis } from './redis-server';
import { TestS3 } from './s3rver';
import { type ServiceName, parseLogLines, spawnService, startService } from './service-process';
import { waitFor } from './wait-for';

export type Dependency = 'redis' | 's3';

interface Restartable {
  start(): Promise<void>;
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * How long a stopping service is given before SIGKILL: past its own drain deadline
 * (SHUTDOWN_TIMEOUT_MS, 25 s by default), so the exit code says whether it drained in time, however
 * slow a busy machine makes the drain.
 */
const STOP_GRACE_MS = 30_000;
/** A test that stops a service allows for that grace on top of its own waits. */
const TEST_TIMEOUT_MS = 120_000;

async function readiness(url: string): Promise<{ status: number; body: ReadinessResponse }> {
  const res = await fetch(`${url}/health/ready`);
  return { status: res.status, body: (await res.json()) as ReadinessResponse };
}

/**
 * What every Pixel Prompt service promises, checked on its production build running as a process
 * against a real Redis and a real S3-protocol server: readiness follows each dependency, bad
 * configuration stops the boot naming each variable, JSON logs carry correlation ids, /metrics
 * answers, and SIGTERM exits 0.
 */
export function describeServiceConformance(service: ServiceName, dependencies: Dependency[]): void {
  describe(`${service} service (built, as a process)`, () => {
    const servers = new Map<Dependency, Restartable>();
    const env: Record<string, string> = {};

    beforeAll(async () => {
      if (dependencies.includes('redis')) {
        const redis = await TestRedis.start();
        servers.set('redis', redis);
        env['REDIS_URL'] = redis.url;
      }
      if (dependencies.includes('s3')) {
        const s3 = await TestS3.start();
        servers.set('s3', s3);
        Object.assign(env, s3.env());
      }
    });

    afterAll(async () => {
      await stopAllProcesses();
      await Promise.all([...servers.values()].map((server) => server.dispose()));
    });

    it.each(dependencies)('is ready only while %s answers', async (dependency) => {
      const service_ = await startService(service, env);
      const expectedChecks = Object.fromEntries(dependencies.map((d) => [d, { status: 'up' }]));
      const ready = await waitFor(async () => {
        const r = await readiness(service_.url);
        return r.status === 200 && r;
      }, { what: `${service} to become ready` });
      expect(ready.body).toEqual({ status: 'ok', checks: expectedChecks });

      const server = servers.get(dependency) as Restartable;
      await server.stop();
      const down = await waitFor(async () => {
        const r = await readiness(service_.url);
        return r.status === 503 && r;
      }, { what: `${service} to report ${dependency} down` });
      expect(down.body.error).toBe('NOT_READY');
      expect(down.body.checks[dependency]?.status).toBe('down');
      expect(down.body.message).toContain(dependency);
      expect((await fetch(`${service_.url}/health/live`)).status).toBe(200);

      await server.start();
      await waitFor(async () => (await readiness(service_.url)).status === 200, {
        what: `${service} to recover after ${dependency} returned`,
        timeoutMs: 20_000,
      });
      expect(await service_.process.stop('SIGTERM', STOP_GRACE_MS)).toBe(0);
    }, TEST_TIMEOUT_MS);

    it('refuses to start on invalid configuration, naming every bad variable', async () => {
      const invalid = { ...env, PORT: 'eighty', SHUTDOWN_TIMEOUT_MS: '-5' };
      const process = await spawnService(service, invalid);
      expect(await process.waitForExit()).toBe(1);
      const [line] = parseLogLines(process.lines);
      expect(line).toMatchObject({ level: 'fatal', service });
      expect((line?.['invalidVariables'] as string[]).sort()).toEqual(['PORT', 'SHUTDOWN_TIMEOUT_MS']);
      expect(line?.['msg']).toEqual(expect.stringContaining('PORT must be a port number'));
      expect(line?.['msg']).toEqual(expect.stringContaining('SHUTDOWN_TIMEOUT_MS must be between 1000 and 1200000 ms'));
    });

    it('logs one JSON object per line, each request line with its correlation id, and exits 0 on SIGTERM', async () => {
      const running = await startService(service, env);
      const res = await fetch(`${running.url}/no-such-route`, { headers: { 'X-Correlation-ID': `${service}-corr-1` } });
      expect(res.status).toBe(404);
      expect(res.headers.get('x-correlation-id')).toBe(`${service}-corr-1`);
      expect(await res.json()).toMatchObject({ error: 'NOT_FOUND', correlationId: `${service}-corr-1` });

      const metrics = await (await fetch(`${running.url}/metrics`)).text();
      expect(metrics).toContain('pixel_prompt_http_request_duration_seconds_count{route="unmatched",method="GET",status_code="404"} 1');

      expect(await running.process.stop('SIGTERM', STOP_GRACE_MS)).toBe(0);
      const logs = running.logs();
      expect(logs.length).toBeGreaterThan(3);
      for (const line of logs) expect(line).toMatchObject({ service, level: expect.any(String), time: expect.any(String) });
      expect(logs.find((l) => l['msg'] === 'request completed' && l['path'] === '/no-such-route')).toMatchObject({
        correlationId: `${service}-corr-1`,
        status: 404,
      });
      expect(logs.at(-1)?.['msg']).toBe('shutdown complete');
    }, TEST_TIMEOUT_MS);
  });
}
