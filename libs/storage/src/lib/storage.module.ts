import type { Readable } from 'node:stream';
import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown, Optional } from '@nestjs/common';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { S3Env } from '@pixel-prompt/config';
import type { ServiceMetrics } from '@pixel-prompt/observability';
import { METRICS, type ReadinessCheck } from '@pixel-prompt/service';
import {
  GALLERIES_PREFIX,
  type GalleryIndexEntry,
  type GalleryManifest,
  IMMUTABLE_CACHE_CONTROL,
  galleryIndexKey,
  jobIdOfManifestKey,
  manifestKey,
  mimeTypeOfKey,
} from './layout';
import { createS3Client, headBucket, isNotFound, isS3Outage, observeS3 } from './s3';

export const S3_ENV = Symbol('S3_ENV');

/** An image to store: its key (layout.ts), bytes and type. */
export interface ImageObject {
  key: string;
  body: Uint8Array;
  contentType: string;
}

/** An image as stored, without its bytes: what answering for it needs, and how it was stored. */
export interface ImageMetadata {
  size: number;
  /** As S3 gives it (a quoted strong ETag); S3 always sends one, S3-compatible servers may not. */
  etag: string | undefined;
  contentType: string;
  cacheControl: string | undefined;
  /** The request that stored it. */
  correlationId: string | undefined;
}

/** Byte positions, both inclusive, as in `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Bytes of an image as S3 sent them. S3 may send more than was asked (S3-compatible servers ignore
 * some ranges), so the answer announces S3's own length and range, never ones computed here.
 */
export interface ImageBytes {
  /** In Node the SDK's body is the HTTP response stream itself: piping it never buffers the file. */
  body: Readable;
  contentLength: number;
  /** S3's Content-Range when it answered with part of the object; undefined for the whole of it. */
  contentRange: string | undefined;
}

/** One page of gallery manifest keys, newest first (layout.ts). */
export interface GalleryKeyPage {
  keys: string[];
  /** More galleries follow the last key. */
  truncated: boolean;
}

/**
 * The bucket Pixel Prompt keeps its images and galleries in, as the things it holds: images stored,
 * described, opened and deleted by attempt, galleries written, found and listed. The S3 client and
 * its commands stay in here.
 */
@Injectable()
export class ObjectStorage implements OnApplicationShutdown {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(@Inject(S3_ENV) env: S3Env, @Optional() @Inject(METRICS) metrics?: ServiceMetrics) {
    this.client = createS3Client(env);
    this.bucket = env.S3_BUCKET;
    if (metrics) observeS3(this.client, metrics.registry);
  }

  // The last shutdown phase: queues finish their active jobs (which write to S3) before it.
  onApplicationShutdown(): void {
    this.client.destroy();
  }

  /** Resolves when the bucket exists and the credentials can reach it. */
  async reachable(signal?: AbortSignal): Promise<void> {
    await headBucket(this.client, this.bucket, signal);
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

  /** Undefined when there is no such object. `key` must be a validated image key. */
  async describeImage(key: string): Promise<ImageMetadata | undefined> {
    return this.unlessMissing(async () => {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        size: head.ContentLength ?? 0,
        etag: head.ETag,
        contentType: head.ContentType ?? mimeTypeOfKey(key),
        cacheControl: head.CacheControl,
        correlationId: head.Metadata?.['correlation-id'],
      };
    });
  }

  /** The image's bytes (or one range of them) as they arrive from S3; undefined when it is gone. */
  async openImage(key: string, range?: ByteRange): Promise<ImageBytes | undefined> {
    return this.unlessMissing(async () => {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
      );
      return { body: object.Body as Readable, contentLength: object.ContentLength ?? 0, contentRange: object.ContentRange };
    });
  }

  /** Deletes every object whose key starts with `prefix` (one LIST page: a model has a handful); returns how many. */
  async deletePrefix(prefix: string): Promise<number> {
    const listed = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: 1000 }));
    const keys = (listed.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
    // One DeleteObject each: DeleteObjects needs a checksum S3-compatible servers disagree on.
    await Promise.all(keys.map((key) => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))));
    return keys.length;
  }

  /** Every key under `prefix`, over as many LIST pages as it takes: for checks of what the bucket holds. */
  async listKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : [])));
      token = page.NextContinuationToken;
    } while (token);
    return keys;
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

  /** Whether job `jobId` has a gallery: its index object, written last, exists. */
  async hasGallery(jobId: string): Promise<boolean> {
    return (await this.getJson<GalleryIndexEntry>(galleryIndexKey(jobId))) !== undefined;
  }

  /** The key of job `jobId`'s manifest; undefined when it has no gallery. Only ever this job's own manifest, whatever the index object says. */
  async galleryManifestKey(jobId: string): Promise<string | undefined> {
    const entry = await this.getJson<GalleryIndexEntry>(galleryIndexKey(jobId));
    return entry && jobIdOfManifestKey(entry.manifestKey) === jobId ? entry.manifestKey : undefined;
  }

  /** The manifest at `key`; undefined when it is gone. */
  galleryManifest(key: string): Promise<GalleryManifest | undefined> {
    return this.getJson<GalleryManifest>(key);
  }

  /** Up to `limit` manifest keys after `startAfter` (from the newest when undefined), with exactly one ListObjectsV2 call. */
  async listGalleries(limit: number, startAfter: string | undefined): Promise<GalleryKeyPage> {
    const listed = await this.client.send(
      new ListObjectsV2Command({ Bucket: this.bucket, Prefix: GALLERIES_PREFIX, MaxKeys: limit, StartAfter: startAfter }),
    );
    return { keys: (listed.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : [])), truncated: listed.IsTruncated === true };
  }

  private async putJson(key: string, value: unknown, correlationId: string): Promise<void> {
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

  /** The JSON object at `key`; undefined when there is none. */
  private getJson<T>(key: string): Promise<T | undefined> {
    return this.unlessMissing(async () => {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return JSON.parse(await (object.Body?.transformToString() ?? Promise.resolve('null'))) as T;
    });
  }

  /** `read`'s answer, or undefined when the object is not there; every other failure is thrown. */
  private async unlessMissing<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

@Injectable()
export class S3ReadinessCheck implements ReadinessCheck {
  readonly name = 's3';

  constructor(private readonly storage: ObjectStorage) {}

  async check(signal: AbortSignal): Promise<void> {
    await this.storage.reachable(signal);
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
