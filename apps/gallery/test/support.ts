import { randomUUID } from 'node:crypto';
import { type Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { loadConfig, s3EnvSchema } from '@pixel-prompt/config';
import type { ServiceMetrics } from '@pixel-prompt/observability';
import { METRICS, createServiceApp } from '@pixel-prompt/service';
import { type GalleryManifest, ObjectStorage, imageKeys } from '@pixel-prompt/storage';
import { TestS3 } from '@pixel-prompt/testing';
import { AppModule } from '../src/app.module';
import { configSchema } from '../src/config';

/** The gallery service in this process, on a free port, with the S3 operations it sends counted. */
export interface InProcessGallery {
  url: string;
  /** S3 operations sent since the last reset, by name (`ListObjectsV2`, ...), retries not counted: from the service's own metrics. */
  s3Calls(): Promise<Record<string, number>>;
  resetS3Calls(): Promise<void>;
  close(): Promise<void>;
}

/** S3 operations `metrics` recorded so far, by name (pixel_prompt_s3_request_duration_seconds, every outcome). */
async function s3Operations({ registry }: ServiceMetrics): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const values = (await registry.getSingleMetric('pixel_prompt_s3_request_duration_seconds')?.get())?.values ?? [];
  for (const { labels, value, ...sample } of values as { labels: Record<string, string | number>; value: number; metricName?: string }[]) {
    const operation = String(labels['operation']);
    if (sample.metricName?.endsWith('_count')) counts[operation] = (counts[operation] ?? 0) + value;
  }
  return counts;
}

export async function startGallery(s3: TestS3, env: Record<string, string> = {}): Promise<InProcessGallery> {
  const config = loadConfig(configSchema, { ...s3.env(), NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
  const app: INestApplication = await createServiceApp(AppModule.forRoot(config), config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const metrics = app.get<ServiceMetrics>(METRICS);
  let before: Record<string, number> = {};
  return {
    url: `http://127.0.0.1:${port}`,
    async s3Calls() {
      const now = await s3Operations(metrics);
      return Object.fromEntries(Object.entries(now).flatMap(([operation, count]) => (count > (before[operation] ?? 0) ? [[operation, count - (before[operation] ?? 0)]] : [])));
    },
    async resetS3Calls() {
      before = await s3Operations(metrics);
    },
    close: () => app.close(),
  };
}

/** A private s3rver holding what `prepare` wrote (as the worker would), and the gallery service over it. */
export interface GalleryFixture {
  writer: ObjectStorage;
  gallery: InProcessGallery;
  dispose(): Promise<void>;
}

export async function galleryFixture(prepare: (writer: ObjectStorage) => Promise<unknown>): Promise<GalleryFixture> {
  const s3 = await TestS3.start();
  const writer = writerFor(s3);
  await prepare(writer);
  const gallery = await startGallery(s3);
  return {
    writer,
    gallery,
    async dispose() {
      await gallery.close();
      writer.onApplicationShutdown();
      await s3.dispose();
    },
  };
}

/** Writes to the bucket as the generation service does. */
export function writerFor(s3: TestS3): ObjectStorage {
  return new ObjectStorage(loadConfig(s3EnvSchema, s3.env()));
}

/** A manifest as the finaliser writes it; `legacy`: as written before tiles and the model list were recorded. */
export function manifestOf(
  createdAt: Date,
  { id = randomUUID(), images = 2, legacy = false }: { id?: string; images?: number; legacy?: boolean } = {},
): GalleryManifest {
  return {
    id,
    prompt: `a lighthouse, take ${id.slice(0, 8)}`,
    parameters: { steps: 25, guidance: 7, seed: 1234 },
    ...(legacy ? {} : { models: [...Array.from({ length: images }, (_, index) => `model-${index}`), 'model-failed'] }),
    createdAt: createdAt.toISOString(),
    completedAt: new Date(createdAt.getTime() + 5000).toISOString(),
    status: 'completed',
    images: Array.from({ length: images }, (_, index) => {
      const keys = imageKeys(id, index, `model-${index}`, 'image/png');
      return {
        model: `model-${index}`,
        displayName: `Model ${index}`,
        index,
        imageKey: keys.imageKey,
        thumbnailKey: keys.thumbnailKey,
        ...(legacy ? {} : { tileKey: keys.tileKey, tile2xKey: keys.tile2xKey }),
        mimeType: 'image/png',
        width: 512,
        height: 512,
        bytes: 1000 + index,
      };
    }),
  };
}

/** `count` galleries one second apart, the newest at `newest`, written in parallel batches; newest first. */
export async function writeGalleries(writer: ObjectStorage, count: number, newest: Date): Promise<GalleryManifest[]> {
  const manifests = Array.from({ length: count }, (_, i) => manifestOf(new Date(newest.getTime() - i * 1000)));
  for (let i = 0; i < manifests.length; i += 25) {
    await Promise.all(manifests.slice(i, i + 25).map((m) => writer.putGallery(m, 'test-writer')));
  }
  return manifests;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * A GET with the path sent exactly as given: fetch() would resolve `..` and `%2e%2e` segments before
 * sending, which is what traversal attempts rely on a server not doing.
 */
export function rawGet(url: string, path: string, headers: Record<string, string> = {}, agent?: Agent): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET', headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
