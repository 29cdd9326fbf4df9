/**
 * Where Pixel Prompt keeps things in its bucket.
 *
 *   images/<jobId>/<index>-<modelId>.<ext>         full-size image (the only prefix ever exposed)
 *   images/<jobId>/<index>-<modelId>.thumb.<ext>   its thumbnail
 *   galleries/<inverted ms>-<jobId>.json           the job's manifest
 *
 * S3 lists keys in ascending order, so manifests are named by inverted creation time: one
 * ListObjectsV2 page under `galleries/` is the newest galleries first, and paging on from the last
 * key stays stable while new galleries appear (they sort before the cursor). The job id (a UUID)
 * makes keys collision-free even for galleries created in the same millisecond.
 */
export const IMAGES_PREFIX = 'images/';
export const GALLERIES_PREFIX = 'galleries/';

/** Later than any creation time we will see (year 2286), so inverted times stay 13 digits. */
const MAX_TIME_MS = 9_999_999_999_999;

/** Images never change once written: cache them for a year everywhere. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/webp': 'webp', 'image/jpeg': 'jpg' };

export function extensionFor(mimeType: string): string {
  const extension = EXTENSIONS[mimeType];
  if (!extension) throw new Error(`unsupported image type ${mimeType}`);
  return extension;
}

/** The type of a stored image, from its key's extension. */
export function mimeTypeOfKey(key: string): string {
  const extension = key.slice(key.lastIndexOf('.') + 1);
  const entry = Object.entries(EXTENSIONS).find(([, ext]) => ext === extension);
  if (!entry) throw new Error(`not an image key: ${key}`);
  return entry[0];
}

export function imageKeys(jobId: string, index: number, modelId: string, mimeType: string) {
  const base = `${IMAGES_PREFIX}${jobId}/${index}-${modelId}`;
  const extension = extensionFor(mimeType);
  return { image: `${base}.${extension}`, thumbnail: `${base}.thumb.${extension}` };
}

export function manifestKey(createdAt: Date, jobId: string): string {
  const inverted = String(MAX_TIME_MS - createdAt.getTime()).padStart(13, '0');
  return `${GALLERIES_PREFIX}${inverted}-${jobId}.json`;
}

/** The gallery manifest written when a job ends. */
export interface GalleryManifest {
  id: string;
  prompt: string;
  parameters: { steps: number; guidance: number; seed: number };
  createdAt: string;
  completedAt: string;
  status: string;
  images: {
    model: string;
    displayName: string;
    index: number;
    imageKey: string;
    thumbnailKey: string;
    mimeType: string;
    width: number;
    height: number;
    bytes: number;
  }[];
}
