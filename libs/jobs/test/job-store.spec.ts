import type { Logger } from '@pixel-prompt/observability';
import { RedisConnection } from '@pixel-prompt/redis';
import { TestRedis, stopAllProcesses, waitFor } from '@pixel-prompt/testing';
import { type NewJob, JobStore, parseStreamId, toModelResult } from '../src';

const silent = { warn: () => undefined, info: () => undefined } as unknown as Logger;

const job = (models = 3): NewJob => ({
  prompt: 'a lighthouse at dusk',
  parameters: { steps: 25, guidance: 7, seed: 42 },
  models: Array.from({ length: models }, (_, i) => ({ id: `m${i}`, displayName: `Model ${i}` })),
  correlationId: 'corr-1',
});

const image = (i: number) => ({
  imageKey: `images/x/${i}.png`,
  thumbKey: `images/x/${i}.thumb.png`,
  tileKey: `images/x/${i}.tile.webp`,
  tile2xKey: `images/x/${i}.tile2x.webp`,
  bytes: 100 + i,
  width: 64,
  height: 64,
});

describe('JobStore (real Redis)', () => {
  let redis: TestRedis;
  let connection: RedisConnection;
  let store: JobStore;

  beforeAll(async () => {
    redis = await TestRedis.start();
    connection = new RedisConnection(redis.url, silent);
    await waitFor(() => connection.client.status === 'ready', { what: 'the Redis connection' });
    store = new JobStore(connection, 3600);
  });

  afterAll(async () => {
    await connection.onApplicationShutdown();
    await redis.dispose();
    await stopAllProcesses();
  });

  it('creates a pending job with every model pending', async () => {
    const created = await store.create(job());
    expect(created.outcome).toBe('created');
    const record = await store.get(created.outcome === 'created' ? created.jobId : '');
    expect(record).toMatchObject({
      status: 'pending',
      prompt: 'a lighthouse at dusk',
      parameters: { steps: 25, guidance: 7, seed: 42 },
      correlationId: 'corr-1',
    });
    expect(record?.models).toEqual([
      { model: 'm0', name: 'Model 0', status: 'pending' },
      { model: 'm1', name: 'Model 1', status: 'pending' },
      { model: 'm2', name: 'Model 2', status: 'pending' },
    ]);
    expect(await store.get('not-a-job-id')).toBeUndefined();
    expect(await store.get('6f1c2a9e-5b1d-4c1e-9a57-0d8f1f2c3b4a')).toBeUndefined();
  });

  it('replays an idempotency key with the same body, even under concurrent retries, and refuses another body', async () => {
    const key = { key: 'client-key-1', fingerprint: 'body-a' };
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => store.create(job(), key)));
    const ids = new Set(outcomes.map((o) => (o.outcome === 'conflict' ? 'conflict' : o.jobId)));
    expect(ids.size).toBe(1);
    expect(outcomes.filter((o) => o.outcome === 'created')).toHaveLength(1);
    expect(await store.create(job(), { key: 'client-key-1', fingerprint: 'body-b' })).toEqual({ outcome: 'conflict' });
  });

  it('tells what an idempotency key already holds without creating anything', async () => {
    expect(await store.claimOf({ key: 'client-key-2', fingerprint: 'body-a' })).toBeUndefined();
    const created = await store.create(job(), { key: 'client-key-2', fingerprint: 'body-a' });
    if (created.outcome !== 'created') throw new Error('not created');
    expect(await store.claimOf({ key: 'client-key-2', fingerprint: 'body-a' })).toEqual({ outcome: 'replayed', jobId: created.jobId });
    expect(await store.claimOf({ key: 'client-key-2', fingerprint: 'body-b' })).toEqual({ outcome: 'conflict' });
  });

  async function newJob(models = 3): Promise<string> {
    const created = await store.create(job(models));
    if (created.outcome !== 'created') throw new Error('not created');
    return created.jobId;
  }

  it.each([
    ['completed', ['ok', 'ok', 'ok']],
    ['partial', ['ok', 'fail', 'ok']],
    ['failed', ['fail', 'fail', 'fail']],
  ])('ends %s when the models end %j', async (expected, outcomes) => {
    const jobId = await newJob();
    const finals: (string | undefined)[] = [];
    for (const [index, outcome] of outcomes.entries()) {
      expect(await store.start(jobId, index)).toBe(true);
      const moved =
        outcome === 'ok'
          ? await store.complete(jobId, index, image(index))
          : await store.fail(jobId, index, { code: 'PROVIDER_ERROR', message: 'The model failed.' });
      finals.push(moved.finalStatus);
    }
    expect(finals).toEqual([undefined, undefined, expected]);
    expect((await store.fail(jobId, 0, { code: 'TIMEOUT', message: 'late' })).retries).toBeUndefined();
    expect((await store.get(jobId))?.status).toBe(expected);
  });

  it('keeps every update when many models finish at the same instant', async () => {
    const jobId = await newJob(20);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.start(jobId, i)));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.complete(jobId, i, image(i))));
    expect(results.filter((r) => r.finalStatus === 'completed')).toHaveLength(1);
    const record = await store.get(jobId);
    expect(record?.status).toBe('completed');
    expect(record?.models.map((m) => [m.status, m.bytes])).toEqual(Array.from({ length: 20 }, (_, i) => ['completed', String(100 + i)]));
  });

  it('never moves a model out of an end state', async () => {
    const jobId = await newJob(1);
    await store.start(jobId, 0);
    expect((await store.complete(jobId, 0, image(0))).moved).toBe(true);
    expect((await store.fail(jobId, 0, { code: 'TIMEOUT', message: 'late' })).moved).toBe(false);
    expect(await store.start(jobId, 0)).toBe(false);
    expect((await store.get(jobId))?.models[0]?.status).toBe('completed');
  });

  it('cancels every model that has not ended, running ones too, and ends the job canceled at once', async () => {
    const jobId = await newJob(4);
    await store.start(jobId, 0);
    await store.complete(jobId, 0, image(0));
    await store.start(jobId, 1);
    expect(await store.cancel(jobId)).toEqual({ outcome: 'canceled', canceledModels: 3, correlationId: 'corr-1', retries: 0 });

    const job = await store.get(jobId);
    expect(job?.status).toBe('canceled');
    expect(job?.models.map((m) => m.status)).toEqual(['completed', 'canceled', 'canceled', 'canceled']);
    expect([await store.isCanceled(jobId, 0), await store.isCanceled(jobId, 1)]).toEqual([false, true]);
    // The running model's late result is refused: the job's outcome does not change after it ended.
    expect(await store.complete(jobId, 1, image(1))).toEqual({ moved: false });
    expect(await store.start(jobId, 2)).toBe(false);
    const events = await store.eventsAfter(jobId);
    expect(events.map((e) => e.type).slice(-4)).toEqual(['model_canceled', 'model_canceled', 'model_canceled', 'completed']);
    expect(await store.cancel(jobId)).toEqual({ outcome: 'finished', status: 'canceled' });
    expect(await store.cancel('6f1c2a9e-5b1d-4c1e-9a57-0d8f1f2c3b4a')).toEqual({ outcome: 'not_found' });
  });

  it('records events in order, each with a snapshot of its model, and resumes after any id', async () => {
    const jobId = await newJob(2);
    await store.start(jobId, 0);
    await store.complete(jobId, 0, image(0));
    await store.start(jobId, 1);
    await store.fail(jobId, 1, { code: 'TIMEOUT', message: 'The model took too long.' });

    const events = await store.eventsAfter(jobId);
    expect(events.map((e) => [e.type, e.index, e.model?.status])).toEqual([
      ['model_started', 0, 'in_progress'],
      ['model_completed', 0, 'completed'],
      ['model_started', 1, 'in_progress'],
      ['model_failed', 1, 'error'],
      ['completed', -1, undefined],
    ]);
    expect(events[1]?.model).toMatchObject({ imageKey: 'images/x/0.png', bytes: '100' });
    expect(events[3]?.model).toMatchObject({ errorCode: 'TIMEOUT', errorMessage: 'The model took too long.' });

    const resumed = await store.eventsAfter(jobId, events[1]?.id);
    expect(resumed.map((e) => e.id)).toEqual(events.slice(2).map((e) => e.id));
    expect(await store.eventsAfter(jobId, events.at(-1)?.id)).toEqual([]);
  });

  it('reads from the start after an id past the last event, up to the largest stream id Redis has', async () => {
    const jobId = await newJob(1);
    // Before any event, a cursor from the future waits like any other.
    expect(await store.eventsAfter(jobId, '99999999999999-0')).toEqual([]);
    await store.start(jobId, 0);
    await store.complete(jobId, 0, image(0));
    const all = (await store.eventsAfter(jobId)).map((e) => e.id);
    expect(all).toHaveLength(3);
    for (const future of ['99999999999999-0', '18446744073709551615-18446744073709551615', `${all.at(-1)?.split('-')[0]}-999`]) {
      expect((await store.eventsAfter(jobId, future)).map((e) => e.id)).toEqual(all);
    }
  });

  it.each([
    ['99999999999999999999-1', undefined],
    ['18446744073709551616-0', undefined],
    ['1-18446744073709551616', undefined],
    ['abc', undefined],
    ['1-2-3', undefined],
    ['18446744073709551615-18446744073709551615', '18446744073709551615-18446744073709551615'],
    ['1700000000000-0', '1700000000000-0'],
  ])('accepts %s as a stream id: %s', (value, parsed) => {
    expect(parseStreamId(value)).toBe(parsed);
  });

  it('keeps the negative prompt and aspect ratio with the parameters when given, and only then', async () => {
    const created = await store.create({ ...job(1), parameters: { steps: 5, guidance: 2, seed: 9, negativePrompt: 'text', aspectRatio: '16:9' } });
    expect((await store.get(created.outcome === 'created' ? created.jobId : ''))?.parameters).toEqual({
      steps: 5, guidance: 2, seed: 9, negativePrompt: 'text', aspectRatio: '16:9',
    });
    expect((await store.get(await newJob(1)))?.parameters).toEqual({ steps: 25, guidance: 7, seed: 42 });
  });

  describe('retrying a failed model', () => {
    /** A job of three models that ended partial: 0 completed, 1 failed, 2 completed. */
    async function partialJob(): Promise<string> {
      const jobId = await newJob(3);
      for (const index of [0, 1, 2]) await store.start(jobId, index);
      await store.complete(jobId, 0, image(0));
      await store.fail(jobId, 1, { code: 'PROVIDER_ERROR', message: 'The model failed.' });
      expect((await store.complete(jobId, 2, image(2))).finalStatus).toBe('partial');
      return jobId;
    }

    it('sends it back to pending, runs the ended job again, and ends it anew when the model ends', async () => {
      const jobId = await partialJob();
      expect(await store.retry(jobId, 1)).toEqual({ outcome: 'retried', retries: 1 });
      const running = await store.get(jobId);
      expect(running?.status).toBe('in_progress');
      expect(running?.models[1]).toEqual({ model: 'm1', name: 'Model 1', status: 'pending', retries: '1' });
      expect(await store.start(jobId, 1, 1)).toBe(true);
      expect(await store.complete(jobId, 1, image(1), 1)).toEqual({ moved: true, finalStatus: 'completed', retries: 1 });
      expect((await store.get(jobId))?.status).toBe('completed');

      const events = await store.eventsAfter(jobId);
      expect(events.map((e) => e.type).slice(-5)).toEqual(['completed', 'model_retried', 'model_started', 'model_completed', 'completed']);
      expect(events.find((e) => e.type === 'model_retried')?.model).toEqual({ model: 'm1', name: 'Model 1', status: 'pending', retries: '1' });
      expect(toModelResult(1, (await store.get(jobId))?.models[1] ?? { model: '', name: '', status: 'pending' }, (key) => `/${key}`)).toMatchObject({
        status: 'completed', retries: 1, tileUrl: '/images/x/1.tile.webp',
      });
    });

    it('retries only a model that failed, and answers for jobs that do not exist', async () => {
      const jobId = await partialJob();
      expect(await store.retry(jobId, 0)).toEqual({ outcome: 'not_failed', status: 'completed' });
      expect(await store.retry('6f1c2a9e-5b1d-4c1e-9a57-0d8f1f2c3b4a', 0)).toEqual({ outcome: 'not_found' });
      expect(await store.retry('not-a-job', 0)).toEqual({ outcome: 'not_found' });
      expect((await store.get(jobId))?.status).toBe('partial');
    });

    it('retries once for concurrent requests with one idempotency key, replays it, and refuses another request with the key', async () => {
      const jobId = await partialJob();
      const key = { key: 'retry-key-1', fingerprint: 'retry-m1' };
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => store.retry(jobId, 1, key)));
      expect(outcomes.filter((o) => o.outcome === 'retried')).toEqual([{ outcome: 'retried', retries: 1 }]);
      expect(outcomes.filter((o) => o.outcome === 'replayed')).toHaveLength(9);
      expect(new Set(outcomes.map((o) => ('retries' in o ? o.retries : 0)))).toEqual(new Set([1]));
      expect(await store.retryClaimOf(key)).toEqual({ outcome: 'replayed', retries: 1 });
      expect(await store.retryClaimOf({ key: 'retry-key-1', fingerprint: 'retry-m0' })).toEqual({ outcome: 'conflict' });
      // A key claimed by a submission is no retry's, and the other way round.
      await store.create(job(), { key: 'submit-key', fingerprint: 'body' });
      expect(await store.retry(jobId, 1, { key: 'submit-key', fingerprint: 'body' })).toEqual({ outcome: 'conflict' });
      expect(await store.claimOf({ key: 'retry-key-1', fingerprint: 'retry-m1' })).toEqual({ outcome: 'conflict' });
    });

    it('counts retries per model (naming its attempts) and per job, so every end of the job has its own number', async () => {
      const jobId = await newJob(3);
      for (const index of [0, 1]) await store.fail(jobId, index, { code: 'PROVIDER_ERROR', message: 'The model failed.' });
      expect((await store.complete(jobId, 2, image(2))).finalStatus).toBe('partial');
      expect(await store.retry(jobId, 1)).toEqual({ outcome: 'retried', retries: 1 });
      expect(await store.retry(jobId, 0)).toEqual({ outcome: 'retried', retries: 1 });
      expect((await store.get(jobId))?.retries).toBe(2);
      expect(await store.fail(jobId, 0, { code: 'TIMEOUT', message: 'again' }, 1)).toEqual({ moved: true });
      expect(await store.fail(jobId, 1, { code: 'TIMEOUT', message: 'again' }, 1)).toEqual({ moved: true, finalStatus: 'partial', retries: 2 });
      expect(await store.retry(jobId, 1)).toEqual({ outcome: 'retried', retries: 2 });
      expect(await store.cancel(jobId)).toMatchObject({ outcome: 'canceled', canceledModels: 1, retries: 3 });
    });

    it('moves nothing for an attempt the model was retried after: its late start, result or failure is stale', async () => {
      const jobId = await partialJob();
      await store.retry(jobId, 1);
      expect(await store.start(jobId, 1, 0)).toBe(false);
      expect(await store.complete(jobId, 1, image(1), 0)).toEqual({ moved: false });
      expect(await store.fail(jobId, 1, { code: 'TIMEOUT', message: 'late' }, 0)).toEqual({ moved: false });
      expect((await store.get(jobId))?.models[1]?.status).toBe('pending');

      expect(await store.start(jobId, 1, 1)).toBe(true);
      expect(await store.completedIn(jobId, 1, 1)).toBe(false);
      await store.complete(jobId, 1, image(1), 1);
      expect(await store.completedIn(jobId, 1, 1)).toBe(true);
      expect(await store.completedIn(jobId, 1, 0)).toBe(false);
      expect(await store.completedIn(jobId, 0, 0)).toBe(true);
    });
  });

  it('expires job state after the TTL', async () => {
    const shortLived = new JobStore(connection, 60);
    const created = await shortLived.create(job(1));
    const jobId = created.outcome === 'created' ? created.jobId : '';
    const ttl = await connection.client.ttl(`pp:job:${jobId}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });
});
