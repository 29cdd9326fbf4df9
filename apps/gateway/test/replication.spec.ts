import { JobStore } from '@pixel-prompt/jobs';
import type { Logger } from '@pixel-prompt/observability';
import { RedisConnection } from '@pixel-prompt/redis';
import { type RunningService, TestRedis, startService, stopAllProcesses, waitFor } from '@pixel-prompt/testing';
import { Redis } from 'ioredis';

/**
 * REDIS_WAIT_REPLICAS on the built gateway, with a real primary and replica: a 202 means the replica
 * already holds the job and its queued model, so a failover to it would keep the job.
 */
describe('gateway waiting for Redis replicas (built, as a process)', () => {
  let primary: TestRedis;
  let replica: TestRedis;
  let replicaClient: Redis;
  let gateway: RunningService;
  /** Plays the worker: fails a model, so that it can be retried. */
  let worker: RedisConnection;
  let store: JobStore;

  const inSync = async () => /master_link_status:up/.test(await replicaClient.info('replication'));

  beforeAll(async () => {
    primary = await TestRedis.start();
    replica = await TestRedis.start({ replicaOf: primary });
    replicaClient = new Redis(replica.url, { lazyConnect: false });
    await waitFor(inSync, { what: 'the replica to sync' });
    // 2 s: long enough for a replica's acknowledgement on a busy machine, short enough for the 503 cases.
    gateway = await startService('gateway', { REDIS_URL: primary.url, REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '2000' });
    worker = new RedisConnection(primary.url, { warn: () => undefined, info: () => undefined } as unknown as Logger);
    store = new JobStore(worker, 3600);
  });

  afterAll(async () => {
    await worker.onApplicationShutdown();
    replicaClient.disconnect();
    await stopAllProcesses();
    await Promise.all([replica.dispose(), primary.dispose()]);
  });

  const submit = (key: string) =>
    fetch(`${gateway.url}/generate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
      body: JSON.stringify({ prompt: 'a replicated kite', models: ['ink', 'aurora'] }),
    });

  it('answers 202 only once the replica holds the job and its queued models', async () => {
    const res = await submit('replicated-1');
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as { jobId: string };
    // Read from the replica right after the answer, without waiting for replication.
    expect(await replicaClient.exists(`pp:job:${jobId}`)).toBe(1);
    expect(await replicaClient.exists(`pp:bull:model-ink:${jobId}:0`, `pp:bull:model-aurora:${jobId}:1`)).toBe(2);
  });

  it('answers 503 with Retry-After while no replica confirms, and the same Idempotency-Key then finds the job', async () => {
    await replica.stop();
    const refused = await submit('replicated-2');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toMatchObject({ error: 'SERVICE_UNAVAILABLE' });

    await replica.start();
    await waitFor(inSync, { what: 'the replica to sync again', timeoutMs: 20_000 });
    const retried = await submit('replicated-2');
    expect(retried.status).toBe(202);
    const { jobId } = (await retried.json()) as { jobId: string };
    expect(await replicaClient.exists(`pp:job:${jobId}`)).toBe(1);
  });

  it('accepts the retry of a failed model only once the replica holds it and its queued attempt, or answers 503 and replays it', async () => {
    const failedJob = async (key: string) => {
      const { jobId } = (await (await submit(key)).json()) as { jobId: string };
      await store.fail(jobId, 0, { code: 'PROVIDER_ERROR', message: 'The model failed.' });
      return jobId;
    };
    const retry = (jobId: string, key: string) =>
      fetch(`${gateway.url}/jobs/${jobId}/models/ink/retry`, { method: 'POST', headers: { 'Idempotency-Key': key } });

    const jobId = await failedJob('replicated-3');
    expect((await retry(jobId, 'retry-3')).status).toBe(202);
    expect(await replicaClient.hget(`pp:job:${jobId}`, 'm:0:retries')).toBe('1');
    expect(await replicaClient.exists(`pp:bull:model-ink:${jobId}:0:retry-1`)).toBe(1);

    const refusedJob = await failedJob('replicated-4');
    await replica.stop();
    const refused = await retry(refusedJob, 'retry-4');
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: 'SERVICE_UNAVAILABLE' });
    await replica.start();
    await waitFor(inSync, { what: 'the replica to sync again', timeoutMs: 20_000 });
    expect((await retry(refusedJob, 'retry-4')).status).toBe(202);
    expect(await replicaClient.exists(`pp:bull:model-ink:${refusedJob}:0:retry-1`)).toBe(1);
  });
});
