import { Injectable } from '@nestjs/common';
import { type ByteRange, type ImageBytes, type ImageMetadata, LruCache, ObjectStorage } from '@pixel-prompt/storage';

const METADATA_CACHE_SIZE = 20_000;

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
    const metadata = await this.storage.describeImage(key);
    if (metadata) this.metadata.set(key, metadata);
    return metadata;
  }

  /**
   * The object's bytes (or one range of them) as they arrive from S3, with the length and range S3
   * says it sent; undefined when the object is gone.
   */
  open(key: string, range: ByteRange | undefined): Promise<ImageBytes | undefined> {
    return this.storage.openImage(key, range);
  }
}
