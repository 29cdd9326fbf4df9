import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { AOF_ALWAYS, type RunningService, TestRedis, TestS3, startService, stopAllProcesses, waitFor } from '@pixel-prompt/testing';

export interface SystemOptions {
  /** The model registry every service loads. */
  registryPath: string;
  /** Generation worker processes running at once. */
  workers: number;
  /** STORAGE_RETRY_WINDOW_MS of the workers. */
  storageRetryWindowMs: number;
}

/** One JSON log line of a worker, with the process it came from. */
export interface WorkerLogLine {
  worker: number;
  time: number;
  fields: Record<string, unknown>;
}

/**
 * Pixel Prompt as it runs in production, on this machine: Redis with its append-only file, s3rver,
 * the built gallery and gateway, and several generation workers; with the means to break them.
 */
export class ChaosSystem {
  gateway!: RunningService;
  gallery!: RunningService;
  /** Every worker process ever started, killed ones included (their logs count too). */
  readonly workerProcesses: RunningService[] = [];
  /** The worker of each slot; a replacement is still starting while its promise is pending. */
  private readonly slots: Promise<RunningService>[] = [];

  private constructor(
    readonly redis: TestRedis,
    readonly s3: TestS3,
    private readonly env: Record<string, string>,
  ) {}

  static async start({ registryPath, workers, storageRetryWindowMs }: SystemOptions): Promise<ChaosSystem> {
    const [redis, s3] = await Promise.all([TestRedis.start({ persistence: AOF_ALWAYS }), TestS3.start()]);
    const env: Record<string, string> = {
      REDIS_URL: redis.url,
      ...s3.env(),
      MODEL_REGISTRY_PATH: registryPath,
      LOG_LEVEL: 'info',
      RENDER_THREADS: '1',
      STORAGE_RETRY_WINDOW_MS: String(storageRetryWindowMs),
      // The load comes from one address: rate limits are the edge's tests' concern.
      RATE_LIMIT_ALLOWLIST: '127.0.0.1',
    };
    const system = new ChaosSystem(redis, s3, env);
    system.gallery = await startService('gallery', env);
    system.gateway = await startService('gateway', { ...env, GALLERY_URL: system.gallery.url });
    for (let slot = 0; slot < workers; slot++) system.slots.push(Promise.resolve(await system.startWorker()));
    return system;
  }

  get workerCount(): number {
    return this.slots.length;
  }

  private async startWorker(): Promise<RunningService> {
    // Replacements boot while the machine is busiest: give them longer than a test would.
    const worker = await startService('generation', this.env, { bootTimeoutMs: 120_000 });
    this.workerProcesses.push(worker);
    return worker;
  }

  /**
   * SIGKILLs the worker in `slot` (once it is up) and starts a fresh one in its place without
   * waiting for it; returns when, and which of `workerProcesses` it killed.
   */
  async killWorker(slot: number): Promise<{ killedAt: number; worker: number }> {
    const victim = await this.slots[slot];
    if (!victim) throw new Error(`no worker in slot ${slot}`);
    const killedAt = Date.now();
    await victim.process.stop('SIGKILL');
    const replacement = this.startWorker();
    // Awaited by the next kill of the slot or by ready(); a failed start must not go unhandled meanwhile.
    replacement.catch(() => undefined);
    this.slots[slot] = replacement;
    return { killedAt, worker: this.workerProcesses.indexOf(victim) };
  }

  /** `kill -9` Redis, keep it down for `downMs`, restart it on its data; returns the restart time. */
  async crashRedis(downMs: number): Promise<number> {
    await this.redis.crash();
    await delay(downMs);
    await this.redis.start();
    return Date.now();
  }

  /** Stops s3rver for `outageMs` and starts it again on its data; returns the restart time. */
  async s3Outage(outageMs: number): Promise<number> {
    await this.s3.stop();
    await delay(outageMs);
    await this.s3.start();
    return Date.now();
  }

  /** Until the gateway and the workers of every slot (as they are at each look) answer ready. */
  async ready(): Promise<number> {
    const isReady = (service: RunningService) => fetch(`${service.url}/health/ready`).then((r) => r.status === 200, () => false);
    await waitFor(async () => (await Promise.all([this.gateway, ...(await Promise.all(this.slots))].map(isReady))).every(Boolean), {
      what: 'every service to be ready',
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    return Date.now();
  }

  /** Every JSON log line of every worker (anything else a process printed is skipped). */
  workerLogs(): WorkerLogLine[] {
    return this.workerProcesses.flatMap((worker, index) =>
      worker.process.lines.flatMap((line) => {
        try {
          const fields = JSON.parse(line) as Record<string, unknown>;
          return [{ worker: index, time: Date.parse(String(fields['time'])), fields }];
        } catch {
          return [];
        }
      }),
    );
  }

  /** Writes every service process's output to `dir`, one file each (`generation-3.log`: the fourth worker started). */
  saveLogs(dir: string): void {
    mkdirSync(dir, { recursive: true });
    const processes: [string, RunningService][] = [
      ['gateway', this.gateway],
      ['gallery', this.gallery],
      ...this.workerProcesses.map((worker, index): [string, RunningService] => [`generation-${index}`, worker]),
    ];
    for (const [name, service] of processes) writeFileSync(join(dir, `${name}.log`), `${service.process.output()}\n`);
  }

  async stop(): Promise<void> {
    await stopAllProcesses();
    await Promise.all([this.redis.dispose(), this.s3.dispose()]);
  }
}
