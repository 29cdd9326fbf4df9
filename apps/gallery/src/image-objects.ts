import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { LruCache, ObjectStorage, isNotFound, mimeTypeOfKey } from '@pixel-prompt/storage';

/** What answering for an image needs before its bytes: a few dozen bytes per image. */
export interface ImageMetadata {
  size: number;
  /** As S3 gives it (a quoted strong ETag); S3 always sends one, S3-compatible servers may not. */
  etag: string | undefined;
  contentType: string;
}

const METADATA_CACHE_SIZE = 20_000;

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
  body: Readable;
  contentLength: number;
  /** S3's Content-Range when it answered with part of the object; undefined for the whole of it. */
  contentRange: string | undefined;
}

/**
 * Images in the bucket, read as streams. Images never change once written, so their metadata is
 * cached: after the first request for an image, 304s need no S3 call and ranges need one GET.
 */
@Injectable()
export class ImageObjects {
  private readonly metadata = new LruCache<string, ImageMetadata>(METADATA_CACHE_SIZE);

  constructor(private readonly storage: ObjectStorage) {}

  /** Undefined when there is no such object. `key` must be a validated image key. */
  async describe(key: string): Promise<ImageMetadata | undefined> {
    const cached = this.metadata.get(key);
    if (cached) return cached;
    try {
      const head = await this.storage.client.send(new HeadObjectCommand({ Bucket: this.storage.bucket, Key: key }));
      const metadata: ImageMetadata = {
        size: head.ContentLength ?? 0,
        etag: head.ETag,
        contentType: head.ContentType ?? mimeTypeOfKey(key),
      };
      this.metadata.set(key, metadata);
      return metadata;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * The object's bytes (or one range of them) as they arrive from S3, with the length and range S3
   * says it sent; undefined when the object is gone.
   */
  async open(key: string, range: ByteRange | undefined): Promise<ImageBytes | undefined> {
    try {
      const object = await this.storage.client.send(
        new GetObjectCommand({
          Bucket: this.storage.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      return {
        // In Node the SDK's body is the HTTP response stream itself: piping it never buffers the file.
        body: object.Body as Readable,
        contentLength: object.ContentLength ?? 0,
        contentRange: object.ContentRange,
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}
