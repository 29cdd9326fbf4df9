import type { DependencyHealth } from '@pixel-prompt/contracts';
import { SCRAPE_READ_TIMEOUT_MS, createServiceMetrics, observeDependencies, withinScrapeTimeout } from './metrics';

describe('observeDependencies', () => {
  it('reports each dependency as the probe finds it at scrape time, giving the probe its timeout', async () => {
    const { registry } = createServiceMetrics({ version: '1.0.0', commit: 'abc' });
    const health: Record<string, DependencyHealth> = { redis: { status: 'up' }, s3: { status: 'up' } };
    const timeouts: number[] = [];
    observeDependencies(registry, async (timeoutMs) => {
      timeouts.push(timeoutMs);
      return Object.entries(health).map(([name, h]) => ({ name, health: h }));
    });

    expect(await registry.getSingleMetricAsString('pixel_prompt_dependency_up')).toContain(
      'pixel_prompt_dependency_up{dependency="redis"} 1\npixel_prompt_dependency_up{dependency="s3"} 1',
    );
    health['redis'] = { status: 'down', reason: 'unreachable' };
    expect(await registry.getSingleMetricAsString('pixel_prompt_dependency_up')).toContain(
      'pixel_prompt_dependency_up{dependency="redis"} 0\npixel_prompt_dependency_up{dependency="s3"} 1',
    );
    expect(timeouts).toEqual([SCRAPE_READ_TIMEOUT_MS, SCRAPE_READ_TIMEOUT_MS]);
  });
});

describe('withinScrapeTimeout', () => {
  it('passes an answer through', async () => {
    await expect(withinScrapeTimeout(Promise.resolve(7))).resolves.toBe(7);
  });

  it('gives up on a read that never answers, so the scrape still completes', async () => {
    const startedAt = Date.now();
    await expect(withinScrapeTimeout(new Promise(() => undefined))).rejects.toThrow(`no answer within ${SCRAPE_READ_TIMEOUT_MS} ms`);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(SCRAPE_READ_TIMEOUT_MS - 10);
  });
});
