import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STYLE_IDS } from '@pixel-prompt/imaging';
import { metricSample, scrapeMetrics, waitFor, workspaceRoot } from '@pixel-prompt/testing';
import { Pipeline, registryYaml } from './harness';

const styles = STYLE_IDS.slice(0, 2);

/** Every custom metric family each service exposes (docs/OBSERVABILITY.md lists them all). */
const EXPECTED: Record<'gateway' | 'generation' | 'gallery', string[]> = {
  gateway: [
    'pixel_prompt_build_info',
    'pixel_prompt_content_filter_refusals_total',
    'pixel_prompt_dependency_up',
    'pixel_prompt_http_request_duration_seconds',
    'pixel_prompt_jobs_submitted_total',
    'pixel_prompt_moderation_checks_total',
    'pixel_prompt_queue_jobs',
    'pixel_prompt_queue_oldest_waiting_age_seconds',
    'pixel_prompt_rate_limit_decisions_total',
    'pixel_prompt_sse_connections',
  ],
  generation: [
    'pixel_prompt_build_info',
    'pixel_prompt_dependency_up',
    'pixel_prompt_http_request_duration_seconds',
    'pixel_prompt_image_bytes_stored_total',
    'pixel_prompt_jobs_finished_total',
    'pixel_prompt_model_duration_seconds',
    'pixel_prompt_model_results_total',
    'pixel_prompt_s3_request_duration_seconds',
    'pixel_prompt_s3_retries_total',
  ],
  gallery: [
    'pixel_prompt_build_info',
    'pixel_prompt_dependency_up',
    'pixel_prompt_http_request_duration_seconds',
    'pixel_prompt_s3_request_duration_seconds',
    'pixel_prompt_s3_retries_total',
  ],
};

/** The custom families of an exposition; prom-client's default process_* and nodejs_* ones are not ours to lint. */
function customMetrics(exposition: string): string {
  return exposition
    .split('\n')
    .filter((line) => /^(# (HELP|TYPE) )?pixel_prompt_/.test(line))
    .join('\n')
    .concat('\n');
}

function families(exposition: string): string[] {
  return [...exposition.matchAll(/^# TYPE (\S+) /gm)].map((m) => String(m[1])).sort();
}

/** `promtool check metrics` on an exposition: exit status and its complaints. */
function checkMetrics(exposition: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (result.error) throw new Error(`promtool is not on PATH (Debian: apt-get install prometheus; npm test does): ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('service metrics (built services, real Redis and s3rver, promtool)', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await Pipeline.start({ registryYaml: registryYaml(styles, 64) });
  });

  afterAll(() => pipeline.stop());

  it('expose the documented pixel_prompt_* families, which pass promtool check metrics', async () => {
    // One whole job first, so the labelled series exist and are linted with their samples.
    const { body } = await pipeline.submit({ prompt: 'a lint-clean lighthouse', models: [...styles] });
    expect((await pipeline.terminal(body.jobId)).status).toBe('completed');
    // The gallery is written, and the job's end counted, by the finalisation that follows the job's end.
    await waitFor(async () => (await fetch(`${pipeline.gallery.url}/gallery/${body.jobId}`)).status === 200, { what: 'the gallery of the job' });

    const documented = readFileSync(join(workspaceRoot(), 'docs/OBSERVABILITY.md'), 'utf8');
    const services = { gateway: pipeline.gateway.url, generation: pipeline.generation?.url ?? '', gallery: pipeline.gallery.url };
    for (const [service, url] of Object.entries(services)) {
      const exposition = await scrapeMetrics(url);
      const custom = customMetrics(exposition);
      expect({ service, families: families(custom) }).toEqual({ service, families: EXPECTED[service as keyof typeof EXPECTED] });
      expect({ service, lint: checkMetrics(custom) }).toEqual({ service, lint: { status: 0, output: '' } });
      for (const family of families(custom)) expect({ family, documented: documented.includes(`\`${family}\``) }).toEqual({ family, documented: true });
      // Event-loop lag comes with prom-client's default metrics, under their standard names.
      expect(exposition).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
      expect(exposition).toMatch(/^pixel_prompt_build_info\{version="[^"]+",commit="[^"]+"\} 1$/m);
    }
    // The route template PixelPromptSubmitLatencyHigh selects.
    expect(metricSample(await scrapeMetrics(services.gateway), 'pixel_prompt_http_request_duration_seconds_count{route="/generate",method="POST",status_code="202"}')).toBe(1);
    const generation = await scrapeMetrics(services.generation);
    expect(metricSample(generation, 'pixel_prompt_jobs_finished_total{status="completed"}')).toBe(1);
    expect(metricSample(generation, `pixel_prompt_model_results_total{model="${styles[0]}",outcome="completed"}`)).toBe(1);
    expect(await scrapeMetrics(services.gallery)).toMatch(/^pixel_prompt_s3_request_duration_seconds_count\{operation="GetObject",outcome="ok"\} [1-9]/m);
  });

  it('lint catches a counter without the _total suffix, so the check above can fail', () => {
    const lint = checkMetrics('# HELP pixel_prompt_jobs Jobs.\n# TYPE pixel_prompt_jobs counter\npixel_prompt_jobs 1\n');
    expect(lint.status).not.toBe(0);
    expect(lint.output).toContain('counter metrics should have "_total" suffix');
  });

  it('report how long the next job has waited while no worker consumes its queue', async () => {
    const model = styles[0] ?? '';
    const series = `pixel_prompt_queue_oldest_waiting_age_seconds{model="${model}"}`;
    expect(metricSample(await scrapeMetrics(pipeline.gateway.url), series)).toBe(0);
    expect(await pipeline.generation?.process.stop('SIGTERM')).toBe(0);

    const { body } = await pipeline.submit({ prompt: 'a job nobody takes', models: [model] });
    const waited = await waitFor(async () => {
      const age = metricSample(await scrapeMetrics(pipeline.gateway.url), series) ?? 0;
      return age >= 1 && age;
    }, { what: 'the head-of-line wait to pass a second' });
    expect(waited).toBeLessThan(60);
    expect(metricSample(await scrapeMetrics(pipeline.gateway.url), `pixel_prompt_queue_jobs{model="${model}",state="waiting"}`)).toBe(1);

    await pipeline.startWorker();
    await pipeline.terminal(body.jobId);
    expect(metricSample(await scrapeMetrics(pipeline.gateway.url), series)).toBe(0);
  });

  it('report each dependency as up, and Redis as down while it is stopped', async () => {
    const up = (dependency: string) => `pixel_prompt_dependency_up{dependency="${dependency}"}`;
    const gateway = pipeline.gateway.url;
    const generation = pipeline.generation?.url ?? '';
    expect(metricSample(await scrapeMetrics(gateway), up('redis'))).toBe(1);
    const worker = await scrapeMetrics(generation);
    expect([metricSample(worker, up('redis')), metricSample(worker, up('s3'))]).toEqual([1, 1]);
    expect(metricSample(await scrapeMetrics(pipeline.gallery.url), up('s3'))).toBe(1);

    await pipeline.redis.stop();
    for (const url of [gateway, generation]) {
      await waitFor(async () => metricSample(await scrapeMetrics(url), up('redis')) === 0, { what: `${url} to report Redis down` });
    }
    await pipeline.redis.start();
    for (const url of [gateway, generation]) {
      await waitFor(async () => metricSample(await scrapeMetrics(url), up('redis')) === 1, { what: `${url} to report Redis up again`, timeoutMs: 20_000 });
    }
  });
});
