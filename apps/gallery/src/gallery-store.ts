import { Injectable } from '@nestjs/common';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  GALLERIES_PREFIX,
  type GalleryIndexEntry,
  type GalleryManifest,
  LruCache,
  ObjectStorage,
  galleryIndexKey,
  isNotFound,
  jobIdOfManifestKey,
} from '@pixel-prompt/storage';

/** Manifests held in memory: a few hundred KB, and every page of a typical browse served from here. */
export const MANIFEST_CACHE_SIZE = 1000;
/** Job id → manifest key: tens of bytes each, filled by list pages and by index lookups. */
const MANIFEST_KEY_CACHE_SIZE = 20_000;

export interface GalleryPage {
  /** Newest first. A manifest deleted between the LIST and its GET is left out. */
  manifests: GalleryManifest[];
  /** Key of the last manifest listed: the next page starts after it. Undefined on the last page. */
  nextStartAfter: string | undefined;
}

/**
 * Reads galleries from the bucket. Manifests never change once written, so they are cached by key
 * (bounded, least recently used out) and a page already seen costs exactly one LIST.
 */
@Injectable()
export class GalleryStore {
  private readonly manifests = new LruCache<string, GalleryManifest>(MANIFEST_CACHE_SIZE);
  private readonly manifestKeys = new LruCache<string, string>(MANIFEST_KEY_CACHE_SIZE);

  constructor(private readonly storage: ObjectStorage) {}

  /**
   * Up to `limit` galleries after the manifest key `startAfter` (from the start when undefined), with
   * exactly one ListObjectsV2 call; the manifests not cached are fetched in parallel.
   */
  async page(limit: number, startAfter: string | undefined): Promise<GalleryPage> {
    const listed = await this.storage.client.send(
      new ListObjectsV2Command({ Bucket: this.storage.bucket, Prefix: GALLERIES_PREFIX, MaxKeys: limit, StartAfter: startAfter }),
    );
    const keys = (listed.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
    for (const key of keys) {
      const id = jobIdOfManifestKey(key);
      if (id) this.manifestKeys.set(id, key);
    }
    const manifests = await Promise.all(keys.map((key) => this.manifest(key)));
    return {
      manifests: manifests.filter((m): m is GalleryManifest => m !== undefined),
      nextStartAfter: listed.IsTruncated ? keys.at(-1) : undefined,
    };
  }

  /** The gallery of job `id` (a validated job id); undefined when there is none. */
  async find(id: string): Promise<GalleryManifest | undefined> {
    let key = this.manifestKeys.get(id);
    if (!key) {
      const entry = await this.getJson<GalleryIndexEntry>(galleryIndexKey(id));
      // Only ever follow an index to this job's own manifest, whatever the index object says.
      if (!entry || jobIdOfManifestKey(entry.manifestKey) !== id) return undefined;
      key = entry.manifestKey;
      this.manifestKeys.set(id, key);
    }
    return this.manifest(key);
  }

  private async manifest(key: string): Promise<GalleryManifest | undefined> {
    const cached = this.manifests.get(key);
    if (cached) return cached;
    const manifest = await this.getJson<GalleryManifest>(key);
    if (manifest) this.manifests.set(key, manifest);
    return manifest;
  }

  private async getJson<T>(key: string): Promise<T | undefined> {
    try {
      return await this.storage.getJson<T>(key);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}
