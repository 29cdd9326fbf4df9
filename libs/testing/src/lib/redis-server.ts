import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { listening, startOnFreePort } from './ports';
import { type ManagedProcess, startProcess } from './processes';
import { waitFor } from './wait-for';

/** redis-server from PATH (Debian's redis-server package), or REDIS_SERVER_BIN. */
const REDIS_SERVER = process.env['REDIS_SERVER_BIN'] ?? 'redis-server';

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Persistence of a throw-away Redis: none (the default; `crash()` then loses everything). */
export const NO_PERSISTENCE = ['--save', '', '--appendonly', 'no'];
/** An append-only file fsynced before every answer, as the local stack and the chart run Redis. */
export const AOF_ALWAYS = ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always'];

export interface TestRedisOptions {
  /** redis-server arguments deciding what survives a restart. */
  persistence?: string[];
  /** Replicate this Redis (for WAIT). */
  replicaOf?: TestRedis;
}

/**
 * A private, throw-away Redis on a free loopback port (another one should the port be taken before
 * Redis binds it). `stop()` (or `crash()`) then `start()` keeps the port and the data directory, so
 * its clients reconnect there and a durable one comes back with its data.
 */
export class TestRedis {
  private process?: ManagedProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'pp-redis-'));

  private constructor(
    private readonly options: TestRedisOptions,
    private boundPort = 0,
  ) {}

  static async start(options: TestRedisOptions = {}): Promise<TestRedis> {
    const redis = new TestRedis(options);
    const { port, server } = await startOnFreePort('redis-server', (port) => redis.spawn(port));
    redis.boundPort = port;
    redis.process = server;
    await redis.answering();
    return redis;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it again, on its port, after stop() or crash(). */
  async start(): Promise<void> {
    this.process = await this.spawn(this.port);
    await listening(this.process, this.port, 'redis-server');
    await this.answering();
  }

  private async spawn(port: number): Promise<ManagedProcess> {
    const { persistence = NO_PERSISTENCE, replicaOf } = this.options;
    const replication = replicaOf ? ['--replicaof', '127.0.0.1', String(replicaOf.port)] : [];
    try {
      return await startProcess(REDIS_SERVER, [...persistence, ...replication, '--port', String(port), '--bind', '127.0.0.1', '--dir', this.dir]);
    } catch (error) {
      throw new Error(`cannot start ${REDIS_SERVER} (install Debian's redis-server; npm test does): ${String(error)}`);
    }
  }

  private answering(): Promise<boolean> {
    return waitFor(() => ping(this.port), { what: `redis-server on port ${this.port} to answer PING` });
  }

  async stop(): Promise<void> {
    await this.process?.stop('SIGTERM');
  }

  /** `kill -9`: no shutdown, no last write; what a crash leaves behind. */
  async crash(): Promise<void> {
    await this.process?.stop('SIGKILL');
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface CrashLoss {
  /** Writes Redis answered OK before it was killed. */
  acknowledged: number;
  /** Of those, the ones missing after it restarted on the same data directory. */
  lost: number;
}

/**
 * Starts Redis with `persistence`, writes to it from several clients at once, kills it with
 * SIGKILL in the middle of the writes, restarts it on the same data directory, and counts the
 * acknowledged writes that did not survive: what a `kill -9` costs with those settings.
 */
export async function crashLoss(persistence: string[], acknowledgedBeforeCrash = 2000): Promise<CrashLoss> {
  const redis = await TestRedis.start({ persistence });
  // Fail at once once Redis is gone: a write is acknowledged only by Redis' own answer.
  const client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  const acknowledged: string[] = [];
  let next = 0;
  const writer = async () => {
    for (;;) {
      const key = `crash:${next++}`;
      try {
        await client.set(key, 'acknowledged');
      } catch {
        return;
      }
      acknowledged.push(key);
    }
  };
  try {
    await waitFor(() => client.status === 'ready', { what: 'the writing client to connect' });
    const writers = Array.from({ length: 8 }, writer);
    await waitFor(() => acknowledged.length >= acknowledgedBeforeCrash, { what: `${acknowledgedBeforeCrash} acknowledged writes` });
    await redis.crash();
    await Promise.all(writers);
    client.disconnect();
    await redis.start();
    const reader = new Redis(redis.url);
    try {
      const values = await reader.mget(acknowledged);
      return { acknowledged: acknowledged.length, lost: values.filter((value) => value !== 'acknowledged').length };
    } finally {
      reader.disconnect();
    }
  } finally {
    client.disconnect();
    await redis.dispose();
  }
}
