import { type RunningService, TestRedis, metricSample, scrapeMetrics, startService, stopAllProcesses, waitFor } from '@pixel-prompt/testing';

/** The gateway's scrape-time metrics on the built gateway, with a real Redis and no worker. */
describe('gateway metrics read at scrape time (built, as a process, real Redis)', () => {
  let redis: TestRedis;
  let gateway: RunningService;
  let model: string;

  const scrape = () => scrapeMetrics(gateway.url);

  beforeAll(async () => {
    redis = await TestRedis.start();
    gateway = await startService('gateway', { REDIS_URL: redis.url, RATE_LIMIT_ALLOWLIST: '127.0.0.1' });
    const { models } = (await (await fetch(`${gateway.url}/models`)).json()) as { models: { id: string }[] };
    model = models[0]?.id ?? '';
  });

  afterAll(async () => {
    await stopAllProcesses();
    await redis.dispose();
  });

  it('reports how long the next job of a queue nobody consumes has waited', async () => {
    const age = `pixel_prompt_queue_oldest_waiting_age_seconds{model="${model}"}`;
    expect(metricSample(await scrape(), age)).toBe(0);
    const submitted = await fetch(`${gateway.url}/generate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt: 'a queue with no worker', models: [model] }),
    });
    expect(submitted.status).toBe(202);

    const waited = await waitFor(async () => {
      const seconds = metricSample(await scrape(), age) ?? 0;
      return seconds >= 1 && seconds;
    }, { what: 'the head-of-line wait to pass a second' });
    expect(waited).toBeLessThan(60);
    expect(metricSample(await scrape(), `pixel_prompt_queue_jobs{model="${model}",state="waiting"}`)).toBe(1);
    expect(metricSample(await scrape(), 'pixel_prompt_dependency_up{dependency="redis"}')).toBe(1);
    // Scrapes are recorded under the route PixelPromptHighErrorRatio leaves out, submissions under the one it watches.
    const exposition = await scrape();
    expect(exposition).toMatch(/^pixel_prompt_http_request_duration_seconds_count\{route="\/metrics",method="GET",status_code="200"\} [1-9]/m);
    expect(exposition).toMatch(/^pixel_prompt_http_request_duration_seconds_count\{route="\/generate",method="POST",status_code="202"\} 1$/m);
  });

  it('still answers the scrape while Redis is down: Redis reported down, queue figures left out rather than stale', async () => {
    await redis.stop();
    const startedAt = Date.now();
    const down = await scrape();
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(metricSample(down, 'pixel_prompt_dependency_up{dependency="redis"}')).toBe(0);
    expect(down).not.toMatch(/^pixel_prompt_queue_jobs\{/m);
    expect(down).not.toMatch(/^pixel_prompt_queue_oldest_waiting_age_seconds\{/m);
    expect(down).toMatch(/^pixel_prompt_build_info\{/m);

    await redis.start();
    await waitFor(async () => metricSample(await scrape(), 'pixel_prompt_dependency_up{dependency="redis"}') === 1, {
      what: 'Redis reported up again',
      timeoutMs: 20_000,
    });
    // Back, and current: the test Redis keeps no data across a restart, so the queue is empty now.
    expect(metricSample(await scrape(), `pixel_prompt_queue_jobs{model="${model}",state="waiting"}`)).toBe(0);
  });
});
