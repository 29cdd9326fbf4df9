import { randomUUID } from 'node:crypto';
import { type Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { loadConfig, s3EnvSchema } from '@pixel-prompt/config';
import { createServiceApp } from '@pixel-prompt/service';
import { type GalleryManifest, ObjectStorage, imageKeys } from '@pixel-prompt/storage';
import { TestS3 } from '@pixel-prompt/testing';
import { AppModule } from '../src/app.module';
import { configSchema } from '../src/config';

/** The gallery service in this process, on a free port, with every S3 command it sends recorded. */
export interface InProcessGallery {
  url: string;
  /** Names of the S3 commands sent so far (`ListObjectsV2Command`, ...), one per call, retries not counted. */
  s3Calls: string[];
  close(): Promise<void>;
}

export async function startGallery(s3: TestS3, env: Record<string, string> = {}): Promise<InProcessGallery> {
  const config = loadConfig(configSchema, { ...s3.env(), NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
  const app: INestApplication = await createServiceApp(AppModule.forRoot(config), config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const s3Calls: string[] = [];
  app.get(ObjectStorage).client.middlewareStack.add(
    (next, context) => async (args) => {
      s3Calls.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'recordS3Calls' },
  );
  return { url: `http://127.0.0.1:${port}`, s3Calls, close: () => app.close() };
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
        imageKey: keys.image,
        thumbnailKey: keys.thumbnail,
        ...(legacy ? {} : { tileKey: keys.tile, tile2xKey: keys.tile2x }),
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
