import { STYLE_IDS } from '@pixel-prompt/imaging';
import { waitFor } from '@pixel-prompt/testing';
import { Pipeline, registryYaml } from './harness';

const styles = STYLE_IDS.slice(0, 3);
const registry = registryYaml(
  styles,
  128,
  [
    '  - { id: broken, displayName: "Always fails", provider: chaos, providerModel: chaos, options: { mode: fail } }',
    '  - { id: stuck, displayName: "Never answers", provider: chaos, providerModel: chaos, timeoutMs: 1500, options: { mode: hang } }',
    // One call at a time and a long timeout: only an aborted call frees it for the next job in time.
    '  - { id: held, displayName: "Answers when stopped", provider: chaos, providerModel: chaos, timeoutMs: 600000, concurrency: 1, options: { mode: hang } }',
  ].join('\n'),
);

describe('generation failures', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await Pipeline.start({
      registryYaml: registry,
      // Short locks so a killed worker's jobs return to the queue within seconds, not 30 s.
      env: { QUEUE_LOCK_DURATION_MS: '2000', QUEUE_STALLED_INTERVAL_MS: '1000', RETRY_BACKOFF_MS: '50' },
    });
  });

  afterAll(() => pipeline.stop());

  it('ends partial when one model fails, leaving the others intact', async () => {
    const { body } = await pipeline.submit({ prompt: 'a failing neighbour', models: [...styles, 'broken'] });
    const job = await pipeline.terminal(body.jobId);
    expect(job.status).toBe('partial');
    expect(job.results.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'error']);
    expect(job.results[3]?.error).toEqual({ code: 'PROVIDER_ERROR', message: 'The model failed to generate an image.' });
    for (const result of job.results.slice(0, 3)) expect((await pipeline.head(Pipeline.keyOf(result.imageUrl))).ContentLength).toBeGreaterThan(0);
  });

  it('aborts a model slower than its timeout and reports TIMEOUT', async () => {
    const { body } = await pipeline.submit({ prompt: 'wait forever', models: ['stuck', styles[0] ?? ''] });
    const job = await pipeline.terminal(body.jobId);
    expect(job.status).toBe('partial');
    expect(job.results[0]).toMatchObject({ status: 'error', error: { code: 'TIMEOUT' } });
    expect(job.results[0]?.duration).toBeGreaterThanOrEqual(1.4);
    expect(job.results[1]?.status).toBe('completed');
    expect(await (await fetch(`${pipeline.generation?.url}/metrics`)).text()).toContain(
      'pixel_prompt_model_results_total{model="stuck",outcome="timeout"} 1',
    );
  });

  it('cancels a running model at once and stops its call, freeing the worker for the next job', async () => {
    const running = async (jobId: string) => (await pipeline.status(jobId)).results[0]?.status === 'in_progress';
    const first = (await pipeline.submit({ prompt: 'stop me', models: ['held', styles[0] ?? ''] })).body.jobId;
    await waitFor(() => running(first), { what: 'the held model to start' });

    const cancel = await fetch(`${pipeline.gateway.url}/jobs/${first}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(202);
    const job = await pipeline.status(first);
    expect(job.status).toBe('canceled');
    expect(job.results[0]?.status).toBe('canceled');

    // The model takes one call at a time and its call never answers by itself: the next job can
    // start only because the canceled call was aborted.
    const second = (await pipeline.submit({ prompt: 'and me', models: ['held'] })).body.jobId;
    await waitFor(() => running(second), { what: 'the next job to get the freed model', timeoutMs: 20_000 });
    expect((await fetch(`${pipeline.gateway.url}/jobs/${second}/cancel`, { method: 'POST' })).status).toBe(202);
  });

  it('finishes every job after the worker is killed mid-flight (stalled jobs are picked up again)', async () => {
    const submitted = await Promise.all(
      Array.from({ length: 6 }, (_, i) => pipeline.submit({ prompt: `survive the crash ${i}`, seed: i, steps: 100, models: [...styles] })),
    );
    const jobIds = submitted.map((s) => s.body.jobId);
    await waitFor(async () => (await Promise.all(jobIds.map((id) => pipeline.status(id)))).some((j) => j.status === 'in_progress'), {
      what: 'a job to be in progress',
    });
    expect(await pipeline.generation?.process.stop('SIGKILL')).toBeNull();

    await pipeline.startWorker();
    for (const jobId of jobIds) {
      const job = await pipeline.terminal(jobId);
      expect({ jobId, status: job.status }).toEqual({ jobId, status: 'completed' });
      for (const result of job.results) expect((await pipeline.head(Pipeline.keyOf(result.imageUrl))).ContentLength).toBeGreaterThan(0);
    }
  });
});
