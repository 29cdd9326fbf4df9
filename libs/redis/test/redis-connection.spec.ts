import type { Logger } from '@pixel-prompt/observability';
import { TestRedis, stopAllProcesses, waitFor } from '@pixel-prompt/testing';
import { RedisConnection, RedisReadinessCheck } from '../src';

function recordingLogger() {
  const lines: string[] = [];
  const logger = {
    warn: (_fields: unknown, message: string) => lines.push(`warn ${message}`),
    info: (message: string) => lines.push(`info ${message}`),
    debug: () => undefined,
  } as unknown as Logger;
  return { lines, logger };
}

describe('RedisConnection (real Redis)', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await TestRedis.start();
  });

  afterAll(async () => {
    await redis.dispose();
    await stopAllProcesses();
  });

  it('answers readiness while Redis is up, fails fast while it is down, and reconnects', async () => {
    const { lines, logger } = recordingLogger();
    const connection = new RedisConnection(redis.url, logger);
    const check = new RedisReadinessCheck(connection);
    try {
      await waitFor(() => connection.client.status === 'ready', { what: 'the first connection' });
      await expect(check.check()).resolves.toBeUndefined();

      // A mistake in a command is the caller's, not an outage.
      await connection.client.set('pp:test:string', 'x');
      const wrongType = await connection.client.hget('pp:test:string', 'field').catch((error: unknown) => error);
      expect(wrongType).toMatchObject({ name: 'ReplyError' });
      expect(check.isOutage(wrongType)).toBe(false);

      await redis.stop();
      await waitFor(() => connection.client.status !== 'ready', { what: 'the connection to drop' });
      const started = Date.now();
      const refused = await check.check().catch((error: unknown) => error);
      // Commands are refused at once rather than queued until Redis returns, and say Redis is down.
      expect(Date.now() - started).toBeLessThan(1000);
      expect(refused).toBeInstanceOf(Error);
      expect(check.isOutage(refused)).toBe(true);

      await redis.start();
      await waitFor(async () => (await check.check().then(() => true, () => false)) || undefined, {
        what: 'the connection to come back',
        timeoutMs: 20_000,
      });
      // Transitions are logged once each, not on every reconnect attempt.
      expect(lines).toEqual(['warn redis connection lost; reconnecting', 'info redis connection restored']);
    } finally {
      await connection.onApplicationShutdown();
    }
    await waitFor(() => connection.client.status === 'end', { what: 'the connection to close' });
  });
});
