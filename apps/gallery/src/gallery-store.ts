import { Injectable } from '@nestjs/common';
import { type GalleryManifest, LruCache, ObjectStorage, jobIdOfManifestKey } from '@pixel-prompt/storage';

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
    const { keys, truncated } = await this.storage.listGalleries(limit, startAfter);
    for (const key of keys) {
      const id = jobIdOfManifestKey(key);
      if (id) this.manifestKeys.set(id, key);
    }
    const manifests = await Promise.all(keys.map((key) => this.manifest(key)));
    return {
      manifests: manifests.filter((m): m is GalleryManifest => m !== undefined),
      nextStartAfter: truncated ? keys.at(-1) : undefined,
    };
  }

  /** The gallery of job `id` (a validated job id); undefined when there is none. */
  async find(id: string): Promise<GalleryManifest | undefined> {
    let key = this.manifestKeys.get(id);
    if (!key) {
      key = await this.storage.galleryManifestKey(id);
      if (!key) return undefined;
      this.manifestKeys.set(id, key);
    }
    return this.manifest(key);
  }

  private async manifest(key: string): Promise<GalleryManifest | undefined> {
    const cached = this.manifests.get(key);
    if (cached) return cached;
    const manifest = await this.storage.galleryManifest(key);
    if (manifest) this.manifests.set(key, manifest);
    return manifest;
  }
}
