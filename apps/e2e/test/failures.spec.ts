import type { ErrorBody, GalleryDetailResponse, RetryAccepted } from '@pixel-prompt/contracts';
import { STYLE_IDS } from '@pixel-prompt/imaging';
import { readSse, waitFor } from '@pixel-prompt/testing';
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
    // Longer than the 2 s lock below, and than the time S3 is stopped for in the storage tests.
    '  - { id: slowpoke, displayName: "Answers after 3 s", provider: chaos, providerModel: chaos, timeoutMs: 60000, options: { mode: slow, delayMs: 3000 } }',
    '  - { id: flaky, displayName: "Fails once", provider: chaos, providerModel: chaos, options: { mode: fail-once } }',
  ].join('\n'),
);

/** The storage retry window of these tests' worker: short, so a longer outage fails a model quickly. */
const STORAGE_RETRY_WINDOW_MS = 4000;

describe('generation failures', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await Pipeline.start({
      registryYaml: registry,
      // Short locks so a killed worker's jobs return to the queue within seconds, not 30 s.
      env: { QUEUE_LOCK_DURATION_MS: '2000', QUEUE_STALLED_INTERVAL_MS: '1000', RETRY_BACKOFF_MS: '50', STORAGE_RETRY_WINDOW_MS: String(STORAGE_RETRY_WINDOW_MS) },
    });
  });

  afterAll(() => pipeline.stop());

  /** The worker's provider calls for a job: one `model started` line each, whichever worker made it. */
  const providerCalls = (jobId: string, workers = pipeline.generation ? [pipeline.generation] : []) =>
    workers.flatMap((w) => w.logs()).filter((l) => l['msg'] === 'model started' && l['jobId'] === jobId).length;
  const inProgress = async (jobId: string) => (await pipeline.status(jobId)).results[0]?.status === 'in_progress';

  it('ends partial when one model fails, leaving the others intact', async () => {
    const { body } = await pipeline.submit({ prompt: 'a failing neighbour', models: [...styles, 'broken'] });
    const job = await pipeline.terminal(body.jobId);
    expect(job.status).toBe('partial');
    expect(job.results.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'error']);
    expect(job.results[3]?.error).toEqual({ code: 'PROVIDER_ERROR', message: 'The model failed to generate an image.' });
    for (const result of job.results.slice(0, 3)) expect((await pipeline.head(Pipeline.keyOf(result.imageUrl))).size).toBeGreaterThan(0);
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
      for (const result of job.results) expect((await pipeline.head(Pipeline.keyOf(result.imageUrl))).size).toBeGreaterThan(0);
    }
  });

  it('lets a worker that gets SIGTERM in the middle of a provider call finish the call and record its result before it exits', async () => {
    const { jobId } = (await pipeline.submit({ prompt: 'finish what you started', models: ['slowpoke'] })).body;
    await waitFor(() => inProgress(jobId), { what: 'the slow call to start' });
    const worker = pipeline.generation;
    try {
      expect(await worker?.process.stop('SIGTERM', 30_000)).toBe(0);
    } finally {
      await pipeline.startWorker();
    }

    // Recorded by the worker that was stopped: no other worker runs.
    const job = await pipeline.status(jobId);
    expect(job.status).toBe('completed');
    expect((await pipeline.head(Pipeline.keyOf(job.results[0]?.imageUrl))).size).toBeGreaterThan(0);
    const logs = worker?.logs() ?? [];
    const completedAt = logs.findIndex((l) => l['msg'] === 'model completed' && l['jobId'] === jobId);
    expect(completedAt).toBeGreaterThan(logs.findIndex((l) => l['msg'] === 'shutting down'));
    expect(logs.at(-1)?.['msg']).toBe('shutdown complete');
  });

  it('runs a call longer than the queue lock once while its worker lives', async () => {
    const { jobId } = (await pipeline.submit({ prompt: 'take your time', models: ['slowpoke'] })).body;
    expect((await pipeline.terminal(jobId)).status).toBe('completed');
    expect(providerCalls(jobId)).toBe(1);
  });

  it('keeps a made image through an S3 outage and stores it when S3 is back, without calling the provider again', async () => {
    const { jobId } = (await pipeline.submit({ prompt: 'store me later', models: ['slowpoke'] })).body;
    await waitFor(() => inProgress(jobId), { what: 'the slow call to start' });
    await pipeline.s3.stop();
    await waitFor(() => pipeline.generation?.logs().some((l) => l['jobId'] === jobId && String(l['msg']).startsWith('storing the image failed')), {
      what: 'the upload to fail',
    });
    await pipeline.s3.start();
    const job = await pipeline.terminal(jobId);
    expect(job.status).toBe('completed');
    expect((await pipeline.head(Pipeline.keyOf(job.results[0]?.imageUrl))).size).toBeGreaterThan(0);
    expect((await pipeline.head(Pipeline.keyOf(job.results[0]?.thumbnailUrl))).size).toBeGreaterThan(0);
    expect(providerCalls(jobId)).toBe(1);
  });

  it('fails a model whose image could not be stored within the window as STORAGE_UNAVAILABLE, calling the provider once', async () => {
    const { jobId } = (await pipeline.submit({ prompt: 'nowhere to put it', models: ['slowpoke'] })).body;
    await waitFor(() => inProgress(jobId), { what: 'the slow call to start' });
    await pipeline.s3.stop();
    try {
      const job = await pipeline.terminal(jobId);
      expect(job.status).toBe('failed');
      expect(job.results[0]?.error).toEqual({
        code: 'STORAGE_UNAVAILABLE',
        message: 'The image was made but could not be stored: storage is unavailable. Try again later.',
      });
      expect(job.results[0]?.duration).toBeGreaterThanOrEqual(3 + STORAGE_RETRY_WINDOW_MS / 1000 - 0.5);
      expect(providerCalls(jobId)).toBe(1);
    } finally {
      await pipeline.s3.start();
    }
  });

  describe('retrying a failed model', () => {
    const retry = (jobId: string, model: string, headers: Record<string, string> = {}) =>
      fetch(`${pipeline.gateway.url}/jobs/${jobId}/models/${model}/retry`, { method: 'POST', headers });
    const galleryOf = async (jobId: string) => {
      const res = await fetch(`${pipeline.gateway.url}/gallery/${jobId}`);
      return res.status === 200 ? ((await res.json()) as GalleryDetailResponse) : res.status;
    };

    it('runs the ended job again for that model, once per idempotency key, and streams to its new end', async () => {
      const { body } = await pipeline.submit({ prompt: 'a second chance', models: [styles[0] ?? '', 'flaky'] });
      const first = await pipeline.terminal(body.jobId);
      expect(first.results.map((r) => r.status)).toEqual(['completed', 'error']);
      // Ended, but a failed model can still be retried: clients must ask again, not keep this answer.
      expect((await fetch(`${pipeline.gateway.url}/status/${body.jobId}`)).headers.get('cache-control')).toBe('no-cache');
      // The worker writes the gallery of the first end just after it.
      await waitFor(async () => typeof (await galleryOf(body.jobId)) === 'object', { what: 'the gallery of the first end' });

      const headers = { 'Idempotency-Key': `retry-${body.jobId}` };
      const answers = await Promise.all([retry(body.jobId, 'flaky', headers), retry(body.jobId, 'flaky', headers)]);
      expect(answers.map((a) => a.status)).toEqual([202, 202]);
      const accepted = (await answers[0]?.json()) as RetryAccepted;
      expect(accepted).toEqual({
        jobId: body.jobId, model: 'flaky', index: 1, status: expect.stringMatching(/^(in_progress|completed)$/),
        statusUrl: `/status/${body.jobId}`, eventsUrl: `/jobs/${body.jobId}/events`,
      });
      expect(answers[0]?.headers.get('location')).toBe(`/status/${body.jobId}`);

      // The stream from the start skips the first end and closes at the new one.
      const stream = await readSse(`${pipeline.gateway.url}${accepted.eventsUrl}`);
      const types = stream.events.map((e) => e.event);
      expect(types.filter((t) => t === 'completed')).toHaveLength(1);
      expect(types.slice(-4)).toEqual(['model_retried', 'model_started', 'model_completed', 'completed']);
      const final = await pipeline.status(body.jobId);
      expect(final).toMatchObject({ status: 'completed', completedModels: 2 });
      expect(final.results[1]).toMatchObject({ status: 'completed', retries: 1, tileUrl: expect.stringMatching(/_retry1\.tile\.webp$/) });
      expect(final.results[1]?.error).toBeUndefined();
      // The retried attempt has keys of its own, and nothing else of the job's is stored.
      const referenced = final.results.flatMap((r) => [r.imageUrl, r.thumbnailUrl, r.tileUrl, r.tile2xUrl].map(Pipeline.keyOf));
      expect((await pipeline.list(`images/${body.jobId}/`)).sort()).toEqual(referenced.sort());

      // Replayed after the fact: the same answer, nothing queued again; a finished model is no retry.
      expect((await retry(body.jobId, 'flaky', headers)).status).toBe(202);
      expect((await pipeline.status(body.jobId)).results[1]?.completedAt).toBe(final.results[1]?.completedAt);
      const again = await retry(body.jobId, 'flaky');
      expect({ status: again.status, error: ((await again.json()) as ErrorBody).error }).toEqual({ status: 409, error: 'MODEL_NOT_FAILED' });
      // Galleries never change once written: this one keeps the image of the first end.
      const gallery = await galleryOf(body.jobId);
      expect(typeof gallery === 'object' && gallery.images.map((i) => i.model)).toEqual([styles[0]]);
      expect(typeof gallery === 'object' && gallery.models).toEqual([styles[0], 'flaky']);
    });

    it('writes the gallery when the retry brings a job its first image', async () => {
      const { body } = await pipeline.submit({ prompt: 'nothing at first', models: ['flaky'] });
      expect((await pipeline.terminal(body.jobId)).status).toBe('failed');
      expect((await retry(body.jobId, 'flaky')).status).toBe(202);
      expect((await pipeline.terminal(body.jobId)).status).toBe('completed');
      await waitFor(async () => typeof (await galleryOf(body.jobId)) === 'object', { what: 'the gallery of the retried job' });
    });

    it('answers 404 for a job or model it does not know and 400 for a malformed key', async () => {
      const { body } = await pipeline.submit({ prompt: 'a failing neighbour again', models: ['broken'] });
      await pipeline.terminal(body.jobId);
      const codes = async (res: Response) => [res.status, ((await res.json()) as ErrorBody).error];
      expect(await codes(await retry('6f1c2a9e-5b1d-4c1e-9a57-0d8f1f2c3b4a', 'broken'))).toEqual([404, 'JOB_NOT_FOUND']);
      expect(await codes(await retry(body.jobId, styles[0] ?? ''))).toEqual([404, 'MODEL_NOT_IN_JOB']);
      expect(await codes(await retry(body.jobId, 'broken', { 'Idempotency-Key': 'bad key' }))).toEqual([400, 'VALIDATION_FAILED']);
    });
  });
});
