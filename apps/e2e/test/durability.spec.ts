import { STYLE_IDS } from '@pixel-prompt/imaging';
import { AOF_ALWAYS, waitFor } from '@pixel-prompt/testing';
import { Pipeline, registryYaml } from './harness';

const styles = STYLE_IDS.slice(0, 2);

/** Redis as the local stack and the chart run it: an append-only file, fsynced before every answer. */
describe('accepted jobs through a Redis kill -9', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    // No worker yet: every accepted job is still waiting in its queues when Redis dies.
    pipeline = await Pipeline.start({ registryYaml: registryYaml(styles, 64), redis: { persistence: AOF_ALWAYS }, worker: false });
  });

  afterAll(() => pipeline.stop());

  it('loses none: each is still there after Redis restarts on its data, and each completes', async () => {
    const submitted = await Promise.all(
      Array.from({ length: 30 }, (_, i) => pipeline.submit({ prompt: `survive the crash ${i}`, seed: i }, { 'Idempotency-Key': `durable-${i}` })),
    );
    expect(submitted.map((s) => s.status)).toEqual(submitted.map(() => 202));
    await pipeline.redis.crash();
    await pipeline.redis.start();

    const jobIds = submitted.map((s) => s.body.jobId);
    await waitFor(async () => (await fetch(`${pipeline.gateway.url}/health/ready`)).status === 200, { what: 'the gateway to reach Redis again', timeoutMs: 20_000 });
    for (const jobId of jobIds) expect((await pipeline.status(jobId)).status).toBe('pending');
    // The idempotency claims survived too: a retry of an accepted submission finds its job.
    const replay = await pipeline.submit({ prompt: 'survive the crash 0', seed: 0 }, { 'Idempotency-Key': 'durable-0' });
    expect(replay.body.jobId).toBe(jobIds[0]);

    await pipeline.startWorker();
    for (const jobId of jobIds) expect((await pipeline.terminal(jobId)).status).toBe('completed');
  });
});
