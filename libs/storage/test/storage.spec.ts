import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { loadConfig, s3EnvSchema } from '@pixel-prompt/config';
import { createServiceMetrics } from '@pixel-prompt/observability';
import { TestS3, waitFor } from '@pixel-prompt/testing';
import {
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
import { createS3Client } from '../src/lib/s3';

describe('ObjectStorage against an S3-protocol server', () => {
  let s3: TestS3;
  let storage: ObjectStorage;

  beforeAll(async () => {
    s3 = await TestS3.start();
    storage = new ObjectStorage(loadConfig(s3EnvSchema, s3.env()));
  });

  afterAll(async () => {
    storage.onApplicationShutdown();
    await s3.dispose();
  });

  const gallery = (id: string): GalleryManifest => ({
    id,
    prompt: 'a lighthouse at dusk',
    parameters: { steps: 20, guidance: 7, seed: 42 },
    createdAt: '2026-11-22T12:00:00.000Z',
    completedAt: '2026-11-22T12:00:09.000Z',
    status: 'completed',
    images: [],
  });

  it('writes a gallery as its manifest plus the index object that finds it by job id, and lists it', async () => {
    const id = randomUUID();
    const manifest = gallery(id);

    const key = await storage.putGallery(manifest, 'corr-1');

    expect(key).toBe(manifestKey(new Date(manifest.createdAt), id));
    expect(await storage.hasGallery(id)).toBe(true);
    expect(await storage.galleryManifestKey(id)).toBe(key);
    expect(await storage.galleryManifest(key)).toEqual(manifest);
    expect((await storage.listGalleries(100, undefined)).keys).toContain(key);
    expect(await storage.listKeys(galleryIndexKey(id))).toEqual([galleryIndexKey(id)]);

    const other = randomUUID();
    expect(await storage.hasGallery(other)).toBe(false);
    expect(await storage.galleryManifestKey(other)).toBeUndefined();
    expect(await storage.galleryManifest(manifestKey(new Date(), other))).toBeUndefined();
  });

  it('never follows an index object to another job’s manifest', async () => {
    const other = await storage.putGallery({ ...gallery(randomUUID()) }, 'corr-1');
    const id = randomUUID();
    // A tampered bucket: this job's index names another job's manifest.
    const env = loadConfig(s3EnvSchema, s3.env());
    const client = createS3Client(env);
    try {
      await client.send(new PutObjectCommand({ Bucket: env.S3_BUCKET, Key: galleryIndexKey(id), Body: JSON.stringify({ manifestKey: other }) }));
    } finally {
      client.destroy();
    }
    expect(await storage.galleryManifestKey(id)).toBeUndefined();
  });

  it('records each operation by name and outcome, so S3 latency and errors show on /metrics', async () => {
    const metrics = createServiceMetrics({ version: 'test', commit: 'test' });
    const observed = new ObjectStorage(loadConfig(s3EnvSchema, s3.env()), metrics);
    try {
      await observed.putImage(imageKeys(randomUUID(), 0, 'ink', 'image/png').imageKey, new Uint8Array([1]), 'image/png', 'corr-2');
      expect(await observed.galleryManifest(manifestKey(new Date(), randomUUID()))).toBeUndefined();
    } finally {
      observed.onApplicationShutdown();
    }
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^pixel_prompt_s3_request_duration_seconds_count\{operation="PutObject",outcome="ok"\} 1$/m);
    expect(text).toMatch(/^pixel_prompt_s3_request_duration_seconds_count\{operation="GetObject",outcome="NoSuchKey"\} 1$/m);
    expect(text).toContain('# TYPE pixel_prompt_s3_retries_total counter');
  });

  it('tells a missing object (none) from an S3 outage (thrown, and recognised by the readiness check)', async () => {
    const check = new S3ReadinessCheck(storage);
    const key = imageKeys(randomUUID(), 0, 'ink', 'image/png').imageKey;
    expect(await storage.describeImage(key)).toBeUndefined();
    expect(await storage.openImage(key)).toBeUndefined();
    await expect(check.check(AbortSignal.timeout(5000))).resolves.toBeUndefined();

    await s3.stop();
    try {
      const unreachable = await storage.describeImage(key).catch((error: unknown) => error);
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
    await storage.putImages([...Object.values(mine), neighbour.imageKey, ...Object.values(retried)].map(image), 'corr-3');
    expect(await storage.deletePrefix(modelImagesPrefix(jobId, 1, 'ink'))).toBe(4);
    expect(await storage.deletePrefix(modelImagesPrefix(jobId, 1, 'ink'))).toBe(0);
    expect(await storage.deletePrefix(modelImagesPrefix(jobId, 10, 'ink'))).toBe(1);
    expect((await storage.listKeys(`images/${jobId}/`)).sort()).toEqual(Object.values(retried).sort());
    expect(await storage.describeImage(retried.tileKey)).toEqual({
      size: 3, etag: expect.any(String), contentType: 'image/webp', cacheControl: 'public, max-age=31536000, immutable', correlationId: 'corr-3',
    });
    const opened = await storage.openImage(retried.imageKey, { start: 1, end: 2 });
    expect(Buffer.concat(await opened?.body.toArray() ?? [])).toEqual(Buffer.from([2, 3]));
  });

  it('retries work through an S3 outage until S3 is back, and gives up after the window', async () => {
    const key = imageKeys(randomUUID(), 0, 'ink', 'image/png').imageKey;
    const retries: number[] = [];
    await s3.stop();
    const stored = retryDuringOutage(() => storage.putImage(key, new Uint8Array([1]), 'image/png', 'corr-4'), {
      windowMs: 30_000,
      firstDelayMs: 50,
      onRetry: (_error, attempt) => retries.push(attempt),
    });
    await waitFor(() => retries.length >= 2, { what: 'two retries during the outage' });
    await s3.start();
    await stored;
    expect(await storage.describeImage(key)).toMatchObject({ size: 1 });

    await s3.stop();
    try {
      const started = Date.now();
      await expect(retryDuringOutage(() => storage.putImage(key, new Uint8Array([1]), 'image/png', 'corr-5'), { windowMs: 1000, firstDelayMs: 50 })).rejects.toBeInstanceOf(StorageUnavailableError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    } finally {
      await s3.start();
    }
    // A refusal is not an outage: thrown at once, not retried.
    const elsewhere = new ObjectStorage(loadConfig(s3EnvSchema, { ...s3.env(), S3_BUCKET: 'no-such-bucket' }));
    try {
      const refused = retryDuringOutage(() => elsewhere.putImage(key, new Uint8Array([1]), 'image/png', 'corr-6'), { windowMs: 30_000, onRetry: () => retries.push(-1) });
      await expect(refused).rejects.toMatchObject({ name: 'NoSuchBucket' });
      expect(retries).not.toContain(-1);
    } finally {
      elsewhere.onApplicationShutdown();
    }
  });
});
