import type { GenerationParameters } from '@pixel-prompt/contracts';

/**
 * Where Pixel Prompt keeps things in its bucket.
 *
 *   images/<jobId>/<index>-<modelId>.<ext>         full-size image (the only prefix ever exposed)
 *   images/<jobId>/<index>-<modelId>.thumb.<ext>   its thumbnail (at most 256 px, the image's format)
 *   images/<jobId>/<index>-<modelId>.tile.webp     its tile for cards (TILE_SIZE), and .tile2x.webp
 *   images/<jobId>/<index>-<modelId>_retry<n>.*    the same, made after the model was retried n times
 *   galleries/<inverted ms>-<jobId>.json           the job's manifest
 *   gallery-ids/<jobId>                            `{"manifestKey": ...}`: finds a manifest by job id
 *
 * S3 lists keys in ascending order, so manifests are named by inverted creation time: one
 * ListObjectsV2 page under `galleries/` is the newest galleries first, and paging on from the last
 * key stays stable while new galleries appear (they sort before the cursor). The job id (a UUID)
 * makes keys collision-free even for galleries created in the same millisecond.
 *
 * A manifest's key cannot be derived from the job id alone (it starts with the creation time), and
 * S3 cannot list by suffix, so the manifest writer also writes the small index object under
 * `gallery-ids/`, after the manifest: whenever the index exists, so does the manifest it names.
 * {@link ObjectStorage.putGallery} writes both in that order.
 */
export const IMAGES_PREFIX = 'images/';
export const GALLERIES_PREFIX = 'galleries/';
export const GALLERY_INDEX_PREFIX = 'gallery-ids/';

/** A job id as the job store creates it: a lowercase UUID v4. */
const JOB_ID = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const JOB_ID_PATTERN = new RegExp(`^${JOB_ID}$`);

/**
 * Exactly the keys {@link imageKeys} produces for real jobs (model ids as the registry allows them).
 * The only keys ever served to clients: anything else in the bucket (manifests, indexes) stays private.
 */
const IMAGE_KEY_PATTERN = new RegExp(`^${IMAGES_PREFIX}${JOB_ID}/\\d{1,4}-[a-z0-9][a-z0-9-]{0,39}(_retry[1-9]\\d{0,5})?(\\.thumb|\\.tile|\\.tile2x)?\\.(png|webp|jpg)$`);
const MANIFEST_KEY_PATTERN = new RegExp(`^${GALLERIES_PREFIX}\\d{13}-(${JOB_ID})\\.json$`);

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

/** Tiles are always WebP, whatever the image's format: the smallest files browsers all show. */
export const TILE_MIME_TYPE = 'image/webp';

/**
 * What every stored image of one attempt at one model of one job starts with:
 * `images/<jobId>/<index>-<modelId>.`, or `images/<jobId>/<index>-<modelId>_retry<retries>.` for an
 * attempt after the model was retried. Attempts never share a prefix (`_` is in no model id, and
 * the prefix ends in `.`), so deleting a failed attempt's images never touches a later attempt's.
 */
export function modelImagesPrefix(jobId: string, index: number, modelId: string, retries = 0): string {
  return `${IMAGES_PREFIX}${jobId}/${index}-${modelId}${retries === 0 ? '' : `_retry${retries}`}.`;
}

/** The keys of one attempt's image, thumbnail and tiles; `retries`: the model's retries before the attempt. */
export function imageKeys(jobId: string, index: number, modelId: string, mimeType: string, retries = 0) {
  const base = modelImagesPrefix(jobId, index, modelId, retries);
  const extension = extensionFor(mimeType);
  return {
    image: `${base}${extension}`,
    thumbnail: `${base}thumb.${extension}`,
    tile: `${base}tile.webp`,
    tile2x: `${base}tile2x.webp`,
  };
}

export function manifestKey(createdAt: Date, jobId: string): string {
  const inverted = String(MAX_TIME_MS - createdAt.getTime()).padStart(13, '0');
  return `${GALLERIES_PREFIX}${inverted}-${jobId}.json`;
}

/** The index object written next to a manifest, naming it. */
export interface GalleryIndexEntry {
  manifestKey: string;
}

export function galleryIndexKey(jobId: string): string {
  return `${GALLERY_INDEX_PREFIX}${jobId}`;
}

export function isJobId(value: string): boolean {
  return JOB_ID_PATTERN.test(value);
}

export function isImageKey(key: string): boolean {
  return IMAGE_KEY_PATTERN.test(key);
}

/** The job id in a well-formed manifest key; undefined for any other string. */
export function jobIdOfManifestKey(key: string): string | undefined {
  return MANIFEST_KEY_PATTERN.exec(key)?.[1];
}

/** The gallery manifest written when a job ends. */
export interface GalleryManifest {
  id: string;
  prompt: string;
  parameters: GenerationParameters;
  /** Every model the job asked for, in order; absent in manifests written before it was recorded. */
  models?: string[];
  createdAt: string;
  completedAt: string;
  status: string;
  images: {
    model: string;
    displayName: string;
    index: number;
    imageKey: string;
    thumbnailKey: string;
    /** Absent in manifests written before tiles existed. */
    tileKey?: string;
    tile2xKey?: string;
    mimeType: string;
    width: number;
    height: number;
    bytes: number;
  }[];
}
