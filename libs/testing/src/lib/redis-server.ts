import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
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

/** A private, throw-away Redis on a free loopback port. `stop()` then `start()` keeps the port. */
export class TestRedis {
  private process?: ManagedProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'pp-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<TestRedis> {
    const redis = new TestRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    try {
      this.process = await startProcess(REDIS_SERVER, [
        '--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir,
      ]);
    } catch (error) {
      throw new Error(`cannot start ${REDIS_SERVER} (install Debian's redis-server; npm test does): ${String(error)}`);
    }
    const started = this.process;
    await waitFor(async () => (await ping(this.port)) || (!started.running && Promise.reject(new Error(started.output()))), {
      what: `redis-server on port ${this.port}`,
    });
  }

  async stop(): Promise<void> {
    await this.process?.stop('SIGTERM');
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
