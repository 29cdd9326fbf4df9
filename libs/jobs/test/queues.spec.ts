import { TestRedis, stopAllProcesses, waitFor } from '@pixel-prompt/testing';
import Bull from 'bull';
import { headOfLineWaitSeconds } from '../src';

describe('headOfLineWaitSeconds (real Redis, real Bull queue)', () => {
  let redis: TestRedis;
  let queue: Bull.Queue<{ n: number }>;

  beforeAll(async () => {
    redis = await TestRedis.start();
    queue = new Bull('model-age', redis.url, { prefix: 'pp:test' });
  });

  afterAll(async () => {
    await queue.close();
    await redis.dispose();
    await stopAllProcesses();
  });

  it('is 0 while nothing waits', async () => {
    expect(await headOfLineWaitSeconds(queue)).toBe(0);
  });

  it('is the age of the job next in line, which moves on when that job leaves the queue', async () => {
    // Each job a millisecond or more after the previous one, so the head is told apart by its age.
    const addAfter = async (previous: Bull.Job | undefined, n: number) => {
      if (previous) await waitFor(() => Date.now() > previous.timestamp, { what: 'the clock to move on' });
      return queue.add({ n });
    };
    const first = await addAfter(undefined, 1);
    const second = await addAfter(first, 2);
    const third = await addAfter(second, 3);
    const now = third.timestamp + 10_000;
    const ageOf = (job: Bull.Job) => (now - job.timestamp) / 1000;
    expect(ageOf(first)).toBeGreaterThan(ageOf(second));
    expect(ageOf(second)).toBeGreaterThan(ageOf(third));

    expect(await headOfLineWaitSeconds(queue, now)).toBe(ageOf(first));
    await first.remove();
    expect(await headOfLineWaitSeconds(queue, now)).toBe(ageOf(second));
    // A paused queue's jobs still wait: they are counted too.
    await queue.pause();
    expect(await headOfLineWaitSeconds(queue, now)).toBe(ageOf(second));
    await queue.resume();
    await second.remove();
    expect(await headOfLineWaitSeconds(queue, now)).toBe(ageOf(third));
    expect(ageOf(third)).toBe(10);
  });

  it('never reports a negative age when clocks disagree', async () => {
    await queue.add({ n: 4 });
    expect(await headOfLineWaitSeconds(queue, 0)).toBe(0);
  });
});
