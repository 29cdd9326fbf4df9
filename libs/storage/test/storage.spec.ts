import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { loadConfig, s3EnvSchema } from '@pixel-prompt/config';
import { createServiceMetrics } from '@pixel-prompt/observability';
import { TestS3, waitFor } from '@pixel-prompt/testing';
import {
  type GalleryIndexEntry,
  type GalleryManifest,
  ObjectStorage,
  S3ReadinessCheck,
  StorageUnavailableError,
  galleryIndexKey,
  imageKeys,
  manifestKey,
  modelImagesPrefix,
  retryDuringOutage,
} from '../src';

describe('ObjectStorage against an S3-protocol server', () => {
  let s3: TestS3;
  let storage: ObjectStorage;
  const metrics = createServiceMetrics({ version: 'test', commit: 'test' });

  beforeAll(async () => {
    s3 = await TestS3.start();
    storage = new ObjectStorage(loadConfig(s3EnvSchema, s3.env()), metrics);
  });

  afterAll(async () => {
    storage.onApplicationShutdown();
    await s3.dispose();
  });

  it('writes a gallery as its manifest plus the index object that finds it by job id', async () => {
    const id = randomUUID();
    const manifest: GalleryManifest = {
      id,
      prompt: 'a lighthouse at dusk',
      parameters: { steps: 20, guidance: 7, seed: 42 },
      createdAt: '2026-11-22T12:00:00.000Z',
      completedAt: '2026-11-22T12:00:09.000Z',
      status: 'completed',
      images: [],
    };

    const key = await storage.putGallery(manifest, 'corr-1');

    expect(key).toBe(manifestKey(new Date(manifest.createdAt), id));
    expect(await storage.getJson<GalleryIndexEntry>(galleryIndexKey(id))).toEqual({ manifestKey: key });
    expect(await storage.getJson<GalleryManifest>(key)).toEqual(manifest);
  });

  it('records each operation by name and outcome, so S3 latency and errors show on /metrics', async () => {
    await storage.putJson(`probe/${randomUUID()}.json`, { ok: true }, 'corr-2');
    await expect(storage.getJson(`probe/${randomUUID()}.json`)).rejects.toMatchObject({ name: 'NoSuchKey' });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^pixel_prompt_s3_request_duration_seconds_count\{operation="PutObject",outcome="ok"\} [1-9]/m);
    expect(text).toMatch(/^pixel_prompt_s3_request_duration_seconds_count\{operation="GetObject",outcome="NoSuchKey"\} 1$/m);
    expect(text).toContain('# TYPE pixel_prompt_s3_retries_total counter');
  });

  it('tells an S3 outage from a missing object', async () => {
    const check = new S3ReadinessCheck(storage);
    const missing = await storage.getJson(`probe/${randomUUID()}.json`).catch((error: unknown) => error);
    expect(missing).toMatchObject({ name: 'NoSuchKey' });
    expect(check.isOutage(missing)).toBe(false);

    await s3.stop();
    try {
      const unreachable = await storage.getJson(`probe/${randomUUID()}.json`).catch((error: unknown) => error);
      // No answer from S3 at all: no HTTP status.
      expect(unreachable).toMatchObject({ $metadata: { attempts: 4 } });
      expect((unreachable as { $metadata: object }).$metadata).not.toHaveProperty('httpStatusCode');
      expect(check.isOutage(unreachable)).toBe(true);
    } finally {
      await s3.start();
    }
  });

  it('stores a model’s images together and deletes them by their prefix, leaving its neighbours and its other attempts', async () => {
    const jobId = randomUUID();
    const mine = imageKeys(jobId, 1, 'ink', 'image/png');
    const neighbour = imageKeys(jobId, 10, 'ink', 'image/png');
    // The same model's images after a retry, stored while the failed attempt's are still to be deleted.
    const retried = imageKeys(jobId, 1, 'ink', 'image/png', 1);
    const image = (key: string) => ({ key, body: new Uint8Array([1, 2, 3]), contentType: key.endsWith('.webp') ? 'image/webp' : 'image/png' });
    await storage.putImages([...Object.values(mine), neighbour.image, ...Object.values(retried)].map(image), 'corr-3');
    expect(await storage.deletePrefix(modelImagesPrefix(jobId, 1, 'ink'))).toBe(4);
    expect(await storage.deletePrefix(modelImagesPrefix(jobId, 1, 'ink'))).toBe(0);
    expect(await storage.deletePrefix(modelImagesPrefix(jobId, 10, 'ink'))).toBe(1);
    const left = await storage.client.send(new ListObjectsV2Command({ Bucket: storage.bucket, Prefix: `images/${jobId}/` }));
    expect((left.Contents ?? []).map((object) => object.Key).sort()).toEqual(Object.values(retried).sort());
  });

  it('retries work through an S3 outage until S3 is back, and gives up after the window', async () => {
    const key = `probe/${randomUUID()}.json`;
    const retries: number[] = [];
    await s3.stop();
    const stored = retryDuringOutage(() => storage.putJson(key, { ok: true }, 'corr-4'), {
      windowMs: 30_000,
      firstDelayMs: 50,
      onRetry: (_error, attempt) => retries.push(attempt),
    });
    await waitFor(() => retries.length >= 2, { what: 'two retries during the outage' });
    await s3.start();
    await stored;
    expect(await storage.getJson(key)).toEqual({ ok: true });

    await s3.stop();
    try {
      const started = Date.now();
      await expect(retryDuringOutage(() => storage.putJson(key, {}, 'corr-5'), { windowMs: 1000, firstDelayMs: 50 })).rejects.toBeInstanceOf(StorageUnavailableError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    } finally {
      await s3.start();
    }
    // A refusal is not an outage: thrown at once, not retried.
    const refused = retryDuringOutage(() => storage.getJson(`probe/${randomUUID()}.json`), { windowMs: 30_000, onRetry: () => retries.push(-1) });
    await expect(refused).rejects.toMatchObject({ name: 'NoSuchKey' });
    expect(retries).not.toContain(-1);
  });
});
