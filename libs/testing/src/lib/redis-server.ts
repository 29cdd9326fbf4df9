import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

async function spawnRedis(port: number, dir: string): Promise<ManagedProcess> {
  try {
    return await startProcess(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir]);
  } catch (error) {
    throw new Error(`cannot start ${REDIS_SERVER} (install Debian's redis-server; npm test does): ${String(error)}`);
  }
}

/**
 * A private, throw-away Redis on a free loopback port (another one should the port be taken before
 * Redis binds it). `stop()` then `start()` keeps the port: its clients reconnect there.
 */
export class TestRedis {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private process: ManagedProcess,
  ) {}

  static async start(): Promise<TestRedis> {
    const dir = mkdtempSync(join(tmpdir(), 'pp-redis-'));
    const { port, server } = await startOnFreePort('redis-server', (port) => spawnRedis(port, dir));
    const redis = new TestRedis(port, dir, server);
    await redis.answering();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it again, on its port, after stop(). */
  async start(): Promise<void> {
    this.process = await spawnRedis(this.port, this.dir);
    await listening(this.process, this.port, 'redis-server');
    await this.answering();
  }

  private answering(): Promise<boolean> {
    return waitFor(() => ping(this.port), { what: `redis-server on port ${this.port} to answer PING` });
  }

  async stop(): Promise<void> {
    await this.process.stop('SIGTERM');
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
