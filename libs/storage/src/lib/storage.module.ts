import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Env } from '@pixel-prompt/config';
import type { ServiceMetrics } from '@pixel-prompt/observability';
import { METRICS, type ReadinessCheck } from '@pixel-prompt/service';
import { type GalleryIndexEntry, type GalleryManifest, IMMUTABLE_CACHE_CONTROL, galleryIndexKey, manifestKey } from './layout';
import { createS3Client, headBucket, isS3Outage, observeS3 } from './s3';

export const S3_ENV = Symbol('S3_ENV');

/** An image to store: its key (layout.ts), bytes and type. */
export interface ImageObject {
  key: string;
  body: Uint8Array;
  contentType: string;
}

/** The process's S3 client and the bucket Pixel Prompt keeps its images and manifests in. */
@Injectable()
export class ObjectStorage implements OnApplicationShutdown {
  readonly client: S3Client;
  readonly bucket: string;

  constructor(@Inject(S3_ENV) env: S3Env, @Optional() @Inject(METRICS) metrics?: ServiceMetrics) {
    this.client = createS3Client(env);
    this.bucket = env.S3_BUCKET;
    if (metrics) observeS3(this.client, metrics.registry);
  }

  // The last shutdown phase: queues finish their active jobs (which write to S3) before it.
  onApplicationShutdown(): void {
    this.client.destroy();
  }

  /** Stores an image for good: immutable caching, its type, and the request's correlation id. */
  async putImage(key: string, body: Uint8Array, contentType: string, correlationId: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        CacheControl: IMMUTABLE_CACHE_CONTROL,
        Metadata: { 'correlation-id': correlationId },
      }),
    );
  }

  /** Stores a model's images (the image and its thumbnails) together; safe to repeat. */
  async putImages(images: ImageObject[], correlationId: string): Promise<void> {
    await Promise.all(images.map((image) => this.putImage(image.key, image.body, image.contentType, correlationId)));
  }

  /** Deletes every object whose key starts with `prefix` (one LIST page: a model has a handful); returns how many. */
  async deletePrefix(prefix: string): Promise<number> {
    const listed = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: 1000 }));
    const keys = (listed.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
    // One DeleteObject each: DeleteObjects needs a checksum S3-compatible servers disagree on.
    await Promise.all(keys.map((key) => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))));
    return keys.length;
  }

  async putJson(key: string, value: unknown, correlationId: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: JSON.stringify(value),
        ContentType: 'application/json',
        Metadata: { 'correlation-id': correlationId },
      }),
    );
  }

  /**
   * Writes a job's gallery: its manifest, then the index object that finds it by job id (see layout.ts),
   * so that a reader finding the index always finds the manifest. Idempotent: a retry rewrites the
   * same two keys with the same content. Returns the manifest's key.
   */
  async putGallery(manifest: GalleryManifest, correlationId: string): Promise<string> {
    const key = manifestKey(new Date(manifest.createdAt), manifest.id);
    await this.putJson(key, manifest, correlationId);
    const index: GalleryIndexEntry = { manifestKey: key };
    await this.putJson(galleryIndexKey(manifest.id), index, correlationId);
    return key;
  }

  async getJson<T>(key: string): Promise<T> {
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return JSON.parse(await (object.Body?.transformToString() ?? Promise.resolve('null'))) as T;
  }
}

@Injectable()
export class S3ReadinessCheck implements ReadinessCheck {
  readonly name = 's3';

  constructor(private readonly storage: ObjectStorage) {}

  async check(signal: AbortSignal): Promise<void> {
    await headBucket(this.storage.client, this.storage.bucket, signal);
  }

  isOutage(error: unknown): boolean {
    return isS3Outage(error);
  }
}

@Module({})
export class StorageModule {
  static forRoot(env: S3Env): DynamicModule {
    return {
      module: StorageModule,
      global: true,
      providers: [{ provide: S3_ENV, useValue: env }, ObjectStorage, S3ReadinessCheck],
      exports: [ObjectStorage, S3ReadinessCheck],
    };
  }
}
