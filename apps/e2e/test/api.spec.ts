import type { ErrorBody, JobStatusResponse } from '@pixel-prompt/contracts';
import { readSse, waitFor } from '@pixel-prompt/testing';
import { Pipeline } from './harness';

/** The gateway alone, with no generation worker: validation, queued jobs, cancel, idle streams. */
describe('generation API without a worker', () => {
  let pipeline: Pipeline;
  let modelIds: string[];

  beforeAll(async () => {
    pipeline = await Pipeline.start({ worker: false, env: { SSE_HEARTBEAT_MS: '1000' } });
    const models = (await (await fetch(`${pipeline.gateway.url}/models`)).json()) as { models: { id: string }[] };
    modelIds = models.models.map((m) => m.id);
  });

  afterAll(() => pipeline.stop());

  it.each([
    ['an empty prompt', { prompt: '   ' }, 'prompt'],
    ['a prompt over 1000 characters', { prompt: 'x'.repeat(1001) }, 'prompt'],
    ['steps out of range', { prompt: 'ok', steps: 101 }, 'steps'],
    ['fractional steps', { prompt: 'ok', steps: 2.5 }, 'steps'],
    ['guidance out of range', { prompt: 'ok', guidance: -1 }, 'guidance'],
    ['a non-integer seed', { prompt: 'ok', seed: 1.5 }, 'seed'],
    ['an unknown field', { prompt: 'ok', negative: 'blur' }, 'negative'],
    ['an unknown model', { prompt: 'ok', models: ['no-such-model'] }, 'models'],
    ['a negative prompt over 500 characters', { prompt: 'ok', negativePrompt: 'x'.repeat(501) }, 'negativePrompt'],
    ['an aspect ratio not offered', { prompt: 'ok', aspectRatio: '2:1' }, 'aspectRatio'],
    ['a wrongly typed prompt', { prompt: 42 }, 'prompt'],
    ['an array body', [1, 2], 'body'],
  ])('refuses %s with 400 VALIDATION_FAILED naming the field', async (_name, body, field) => {
    const { status, body: answer } = await pipeline.submit(body);
    expect(status).toBe(400);
    const error = answer as unknown as ErrorBody & { details: { field: string }[] };
    expect(error).toMatchObject({ error: 'VALIDATION_FAILED', message: expect.stringContaining(field), correlationId: expect.any(String) });
    expect(error.details.map((d) => d.field)).toContain(field);
  });

  it('answers unknown or malformed job ids with 404 JOB_NOT_FOUND', async () => {
    for (const path of ['/status/6f1c2a9e-5b1d-4c1e-9a57-0d8f1f2c3b4a', '/status/../../etc', '/status/x', '/jobs/nope/events']) {
      const res = await fetch(`${pipeline.gateway.url}${path}`);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      const body = (await res.json()) as ErrorBody;
      expect(body.error).toBe(path.includes('..') ? 'NOT_FOUND' : 'JOB_NOT_FOUND');
    }
    const cancel = await fetch(`${pipeline.gateway.url}/jobs/6f1c2a9e-5b1d-4c1e-9a57-0d8f1f2c3b4a/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(404);
  });

  it('keeps a submitted job pending with every model queued, and applies the defaults', async () => {
    const { status, body } = await pipeline.submit({ prompt: 'a queued job', models: modelIds.slice(0, 2) });
    expect(status).toBe(202);
    const job = await pipeline.status(body.jobId);
    expect(job).toMatchObject({ status: 'pending', totalModels: 2, completedModels: 0 });
    expect(job.parameters).toMatchObject({ steps: 25, guidance: 7, seed: expect.any(Number) });
    expect(job.results.map((r) => [r.model, r.index, r.status])).toEqual([
      [modelIds[0], 0, 'pending'],
      [modelIds[1], 1, 'pending'],
    ]);
  });

  it('keeps a negative prompt and an aspect ratio with the parameters, and screens the negative prompt', async () => {
    const { body } = await pipeline.submit({ prompt: 'a harbour', negativePrompt: '  boats  ', aspectRatio: '9:16', models: modelIds.slice(0, 1) });
    expect((await pipeline.status(body.jobId)).parameters).toMatchObject({ negativePrompt: 'boats', aspectRatio: '9:16' });
    const refused = await pipeline.submit({ prompt: 'a harbour', negativePrompt: 'gory' });
    expect({ status: refused.status, error: refused.body.error }).toEqual({ status: 400, error: 'INAPPROPRIATE_CONTENT' });
  });

  it('sends heartbeats while a stream is idle, and counts open streams', async () => {
    const { body } = await pipeline.submit({ prompt: 'nobody is working on this yet' });
    const streams = async () => {
      const metrics = await (await fetch(`${pipeline.gateway.url}/metrics`)).text();
      return Number(/^pixel_prompt_sse_connections (\d+)$/m.exec(metrics)?.[1]);
    };
    const reading = readSse(`${pipeline.gateway.url}${body.eventsUrl}`, { until: (r) => r.comments >= 2, timeoutMs: 10_000 });
    await waitFor(async () => (await streams()) === 1, { what: 'the open stream on /metrics' });
    const read = await reading;
    expect(read.comments).toBeGreaterThanOrEqual(2);
    expect(read.events).toEqual([]);
    await waitFor(async () => (await streams()) === 0, { what: 'the closed stream to leave the gauge' });
  });

  it('cancels a queued job: every model canceled, the stream ends, a second cancel is refused', async () => {
    const { body } = await pipeline.submit({ prompt: 'cancel me', models: modelIds.slice(0, 3) });
    const cancel = await fetch(`${pipeline.gateway.url}/jobs/${body.jobId}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(202);
    expect(await cancel.json()).toEqual({ jobId: body.jobId, canceledModels: 3 });

    const job: JobStatusResponse = await pipeline.status(body.jobId);
    expect(job.status).toBe('canceled');
    expect(job.results.map((r) => r.status)).toEqual(['canceled', 'canceled', 'canceled']);

    const stream = await readSse(`${pipeline.gateway.url}${body.eventsUrl}`);
    expect(stream.events.map((e) => e.event)).toEqual(['model_canceled', 'model_canceled', 'model_canceled', 'completed']);

    const again = await fetch(`${pipeline.gateway.url}/jobs/${body.jobId}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as ErrorBody).error).toBe('JOB_FINISHED');
  });

  it('reports queue depth per model on /metrics', async () => {
    const metrics = await (await fetch(`${pipeline.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`pixel_prompt_queue_jobs\\{model="${modelIds[0]}",state="waiting"\\} [1-9]`));
    expect(metrics).toMatch(/pixel_prompt_jobs_submitted_total \d+/);
  });
});
