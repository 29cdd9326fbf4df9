import type { JobEvent } from '@pixel-prompt/contracts';
import { JobEvents, JobStore } from '@pixel-prompt/jobs';
import type { Logger } from '@pixel-prompt/observability';
import { RedisConnection } from '@pixel-prompt/redis';
import { Lifecycle } from '@pixel-prompt/service';
import { ImageLinks } from '@pixel-prompt/storage';
import { TestRedis, stopAllProcesses, waitFor } from '@pixel-prompt/testing';
import { Registry } from 'prom-client';
import { type EventSink, type JobEventStream, JobEventStreams, coalesced } from '../src';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined } as unknown as Logger;

const image = (i: number) => ({
  imageKey: `images/x/${i}.png`,
  thumbnailKey: `images/x/${i}.thumb.png`,
  tileKey: `images/x/${i}.tile.webp`,
  tile2xKey: `images/x/${i}.tile2x.webp`,
  bytes: 100,
  width: 64,
  height: 64,
});

/** Collects what a stream writes, frame by frame, and whether it ended. */
class RecordingSink implements EventSink {
  readonly frames: string[] = [];
  ended = false;

  write(frame: string): void {
    this.frames.push(frame);
  }

  end(): void {
    this.ended = true;
  }

  /** The events sent, with their ids, in order. */
  events(): { id: string; event: JobEvent }[] {
    return this.frames.flatMap((frame) => {
      const match = /^id: (\S+)\nevent: (\S+)\ndata: (.*)\n\n$/s.exec(frame);
      return match ? [{ id: match[1] ?? '', event: JSON.parse(match[3] ?? '{}') as JobEvent }] : [];
    });
  }

  types(): string[] {
    return this.events().map(({ event }) => (event.type === 'completed' ? `completed ${event.status.status}` : `${event.type} ${event.result.index}`));
  }
}

describe('JobEventStreams (real Redis)', () => {
  let redis: TestRedis;
  let connection: RedisConnection;
  let store: JobStore;
  let jobEvents: JobEvents;
  let lifecycle: Lifecycle;
  let metrics: Registry;
  const open: JobEventStream[] = [];

  /** A stream factory whose heartbeat is `heartbeatMs`; `watching` stands in for JobEvents (lost notifications). */
  function streams(heartbeatMs = 60_000, watching: Pick<JobEvents, 'watch'> = jobEvents): JobEventStreams {
    metrics = new Registry();
    return new JobEventStreams(store, watching as JobEvents, lifecycle, new ImageLinks({}), { SSE_HEARTBEAT_MS: heartbeatMs }, { registry: metrics } as never, silent);
  }

  async function start(factory: JobEventStreams, jobId: string, lastEventId?: string): Promise<RecordingSink> {
    const sink = new RecordingSink();
    const stream = await factory.stream(jobId, lastEventId, sink);
    open.push(stream);
    stream.start();
    return sink;
  }

  async function newJob(models: number): Promise<string> {
    const created = await store.create({
      prompt: 'a pier at dawn',
      parameters: { steps: 25, guidance: 7, seed: 1 },
      models: Array.from({ length: models }, (_, i) => ({ model: `m${i}`, displayName: `Model ${i}` })),
      correlationId: 'c1',
    });
    if (created.outcome !== 'created') throw new Error('not created');
    return created.jobId;
  }

  const openStreams = async () => (await metrics.getSingleMetric('pixel_prompt_sse_connections')?.get())?.values[0]?.value;

  beforeAll(async () => {
    redis = await TestRedis.start();
    connection = new RedisConnection(redis.url, silent);
    await waitFor(() => connection.client.status === 'ready', { what: 'the Redis connection' });
    store = new JobStore(connection, 3600);
    jobEvents = new JobEvents(connection, silent);
    jobEvents.onModuleInit();
  });

  beforeEach(() => {
    lifecycle = new Lifecycle();
  });

  afterEach(() => {
    for (const stream of open.splice(0)) stream.close();
  });

  afterAll(async () => {
    await jobEvents.onModuleDestroy();
    await connection.onApplicationShutdown();
    await redis.dispose();
    await stopAllProcesses();
  });

  it('answers 404 JOB_NOT_FOUND for a job that does not exist, before writing anything', async () => {
    const sink = new RecordingSink();
    await expect(streams().stream('6f1c2a9e-5b1d-4c1e-9a57-0d8f1f2c3b4a', undefined, sink)).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    expect(sink.frames).toEqual([]);
  });

  it('replays a finished job from the start, ends with its full status and stops counting itself open', async () => {
    const jobId = await newJob(2);
    await store.start(jobId, 0);
    await store.complete(jobId, 0, image(0));
    await store.fail(jobId, 1, { code: 'TIMEOUT', message: 'Too slow.' });
    const factory = streams();
    const sink = await start(factory, jobId);
    await waitFor(() => sink.ended, { what: 'the stream to end' });
    expect(sink.frames[0]).toBe('retry: 2000\n\n');
    expect(sink.types()).toEqual(['model_started 0', 'model_completed 0', 'model_failed 1', 'completed partial']);
    const completed = sink.events().at(-1)?.event;
    expect(completed).toMatchObject({ type: 'completed', jobId, status: { status: 'partial', endedModels: 2, completedModels: 2 } });
    expect(completed?.type === 'completed' && completed.status.results.map((r) => r.status)).toEqual(['completed', 'error']);
    expect(sink.events()[1]?.event).toMatchObject({ result: { model: 'm0', displayName: 'Model 0', imageUrl: '/images/x/0.png', tileUrl: '/images/x/0.tile.webp' } });
    expect(await openStreams()).toBe(0);
  });

  it('resumes after Last-Event-ID exactly, and from the start after one Redis would refuse', async () => {
    const jobId = await newJob(1);
    await store.start(jobId, 0);
    await store.complete(jobId, 0, image(0));
    const [first] = await store.eventsAfter(jobId);
    const resumed = await start(streams(), jobId, first?.id);
    await waitFor(() => resumed.ended, { what: 'the resumed stream to end' });
    expect(resumed.types()).toEqual(['model_completed 0', 'completed completed']);
    const malformed = await start(streams(), jobId, 'not-a-stream-id');
    await waitFor(() => malformed.ended, { what: 'the replayed stream to end' });
    expect(malformed.types()).toEqual(['model_started 0', 'model_completed 0', 'completed completed']);
  });

  it('follows a running job live, each event once however many notifications arrive, until it ends', async () => {
    const jobId = await newJob(3);
    const factory = streams();
    const sink = await start(factory, jobId);
    expect(await openStreams()).toBe(1);
    for (const index of [0, 1, 2]) {
      await store.start(jobId, index);
      await store.complete(jobId, index, image(index));
      // Extra notifications on top of the scripts' own: wake-ups during a read cause one more read, not a second reader.
      for (let i = 0; i < 5; i++) await connection.client.publish('pp:job-events', jobId);
    }
    await waitFor(() => sink.ended, { what: 'the stream to end' });
    expect(sink.types()).toEqual([
      'model_started 0', 'model_completed 0', 'model_started 1', 'model_completed 1', 'model_started 2', 'model_completed 2', 'completed completed',
    ]);
    expect(new Set(sink.events().map((e) => e.id)).size).toBe(7);
    expect(await openStreams()).toBe(0);
  });

  it('delivers an event whose notification was lost at the next heartbeat, which is also a comment frame', async () => {
    const jobId = await newJob(1);
    const deaf = { watch: () => () => undefined };
    const sink = await start(streams(50, deaf), jobId);
    await store.start(jobId, 0);
    await waitFor(() => sink.types().includes('model_started 0'), { what: 'the heartbeat to read the event' });
    expect(sink.frames).toContain(': heartbeat\n\n');
  });

  it('skips a completed event that a retry superseded, and ends only at the job’s real end', async () => {
    const jobId = await newJob(1);
    await store.start(jobId, 0);
    await store.fail(jobId, 0, { code: 'PROVIDER_ERROR', message: 'Failed.' });
    expect(await store.retry(jobId, 0)).toEqual({ outcome: 'retried', retries: 1 });
    const sink = await start(streams(), jobId);
    await waitFor(() => sink.types().includes('model_retried 0'), { what: 'the retry event' });
    expect(sink.ended).toBe(false);
    await store.start(jobId, 0, 1);
    await store.complete(jobId, 0, image(0), 1);
    await waitFor(() => sink.ended, { what: 'the stream to end' });
    expect(sink.types()).toEqual(['model_started 0', 'model_failed 0', 'model_retried 0', 'model_started 0', 'model_completed 0', 'completed completed']);
  });

  it('ends when the service starts draining, so the client reconnects elsewhere', async () => {
    const sink = await start(streams(), await newJob(1));
    lifecycle.beginShutdown();
    expect(sink.ended).toBe(true);
    expect(await openStreams()).toBe(0);
  });

  it('writes nothing more once the client has left, and stops counting it', async () => {
    const jobId = await newJob(1);
    const factory = streams(50);
    const sink = new RecordingSink();
    const stream = await factory.stream(jobId, undefined, sink);
    stream.start();
    expect(await openStreams()).toBe(1);
    stream.close();
    const written = sink.frames.length;
    // A stream still open on the same job, with the same heartbeat, shows what the closed one would have written.
    const control = await start(factory, jobId);
    await waitFor(() => control.frames.includes(': heartbeat\n\n'), { what: 'a heartbeat on the open stream' });
    await store.start(jobId, 0);
    await store.complete(jobId, 0, image(0));
    await waitFor(() => control.ended, { what: 'the open stream to end' });
    expect(sink.frames).toHaveLength(written);
    expect(sink.ended).toBe(false);
    expect(await openStreams()).toBe(0);
  });
});

describe('coalesced', () => {
  it('runs once more after a run when woken during it, never two runs at once', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    let release = () => undefined as void;
    const wake = coalesced(async () => {
      runs++;
      most = Math.max(most, ++running);
      if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
      running--;
    }, () => undefined);
    wake();
    wake();
    wake();
    wake();
    release();
    await waitFor(() => runs === 2 && running === 0, { what: 'the second run' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toBe(2);
    expect(most).toBe(1);
  });

  it('reports a failed run, and runs again on the next wake-up', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const wake = coalesced(async () => {
      if (++calls === 1) throw new Error('Redis away');
    }, (error) => errors.push(error));
    wake();
    await waitFor(() => errors.length === 1, { what: 'the failure to be reported' });
    wake();
    await waitFor(() => calls === 2, { what: 'the next run' });
    expect(errors).toEqual([new Error('Redis away')]);
  });
});
