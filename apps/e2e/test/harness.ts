import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GenerateAccepted, JobStatusResponse } from '@pixel-prompt/contracts';
import { isTerminalJobState } from '@pixel-prompt/contracts';
import { loadConfig, s3EnvSchema } from '@pixel-prompt/config';
import { type ImageMetadata, ObjectStorage } from '@pixel-prompt/storage';
import { type RunningService, TestRedis, type TestRedisOptions, TestS3, startService, stopAllProcesses, waitFor } from '@pixel-prompt/testing';

/** Redis, s3rver, the gateway, the gallery and the generation worker, as in production, on free loopback ports. */
export class Pipeline {
  gateway!: RunningService;
  gallery!: RunningService;
  generation?: RunningService;
  /** The bucket as the services see it, to check what they stored. */
  readonly storage: ObjectStorage;

  private constructor(
    readonly redis: TestRedis,
    readonly s3: TestS3,
    readonly env: Record<string, string>,
  ) {
    this.storage = new ObjectStorage(loadConfig(s3EnvSchema, s3.env()));
  }

  /** `registryYaml` replaces the built-in models; `env` adds to every service's environment. */
  static async start({
    registryYaml,
    env = {},
    worker = true,
    redis: redisOptions,
  }: { registryYaml?: string; env?: Record<string, string>; worker?: boolean; redis?: TestRedisOptions } = {}) {
    const [redis, s3] = await Promise.all([TestRedis.start(redisOptions), TestS3.start()]);
    // The pipeline's tests submit far more than one client may: rate limits are the edge's tests' concern.
    const shared: Record<string, string> = { REDIS_URL: redis.url, ...s3.env(), LOG_LEVEL: 'info', RATE_LIMIT_ALLOWLIST: '127.0.0.1', ...env };
    if (registryYaml) {
      const path = join(mkdtempSync(join(tmpdir(), 'pp-registry-')), 'models.yaml');
      writeFileSync(path, registryYaml);
      shared['MODEL_REGISTRY_PATH'] = path;
    }
    const pipeline = new Pipeline(redis, s3, shared);
    pipeline.gallery = await startService('gallery', shared);
    pipeline.gateway = await startService('gateway', { ...shared, GALLERY_URL: pipeline.gallery.url });
    if (worker) await pipeline.startWorker();
    return pipeline;
  }

  async startWorker(): Promise<RunningService> {
    this.generation = await startService('generation', this.env);
    return this.generation;
  }

  async stop(): Promise<void> {
    await stopAllProcesses();
    this.storage.onApplicationShutdown();
    await Promise.all([this.redis.dispose(), this.s3.dispose()]);
  }

  async submit(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: GenerateAccepted & { error?: string } }> {
    const res = await fetch(`${this.gateway.url}/generate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as GenerateAccepted & { error?: string } };
  }

  async status(jobId: string): Promise<JobStatusResponse> {
    const res = await fetch(`${this.gateway.url}/status/${jobId}`);
    if (res.status !== 200) throw new Error(`status ${res.status} for ${jobId}`);
    return (await res.json()) as JobStatusResponse;
  }

  /** Polls GET /status until the job has ended. */
  terminal(jobId: string, timeoutMs = 120_000): Promise<JobStatusResponse> {
    return waitFor(async () => {
      const status = await this.status(jobId);
      return isTerminalJobState(status.status) && status;
    }, { what: `job ${jobId} to end`, timeoutMs, intervalMs: 100 });
  }

  /** The S3 key behind an image URL (the gateway links `/<key>` when no CDN is configured). */
  static keyOf(url: string | undefined): string {
    if (!url) throw new Error('no image url');
    return url.replace(/^\//, '');
  }

  /** The stored image at `key`, described; fails when there is none. */
  async head(key: string): Promise<ImageMetadata> {
    const metadata = await this.storage.describeImage(key);
    if (!metadata) throw new Error(`no image stored at ${key}`);
    return metadata;
  }

  async bytes(key: string): Promise<Buffer> {
    const image = await this.storage.openImage(key);
    if (!image) throw new Error(`no image stored at ${key}`);
    return Buffer.concat(await image.body.toArray());
  }

  list(prefix: string): Promise<string[]> {
    return this.storage.listKeys(prefix);
  }
}

/** A registry YAML of local models rendering small images, plus any extra entries. */
export function registryYaml(styles: readonly string[], size: number, extra = ''): string {
  const models = styles
    .map((style) => `  - { id: ${style}, displayName: "${style}", provider: local, providerModel: ${style}, timeoutMs: 60000, concurrency: 2, options: { width: ${size}, height: ${size} } }`)
    .join('\n');
  return `models:\n${models}\n${extra}`;
}
