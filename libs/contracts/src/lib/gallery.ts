import type { GenerationParameters } from './generation';

/** Page sizes of GET /gallery/list. */
export const GALLERY_PAGE_LIMITS = { min: 1, max: 100, default: 24 } as const;

/** One gallery in GET /gallery/list. */
export interface GallerySummary {
  /** The job id; GET /gallery/:id returns the whole gallery. */
  id: string;
  /** When the job was submitted (ISO 8601): galleries are listed newest first by it. */
  timestamp: string;
  prompt: string;
  imageCount: number;
  /** URL of the gallery's first image and of its thumbnail. */
  preview: string;
  previewThumbnail: string;
  /** The first image's WebP tiles (TILE_SIZE and twice that); absent on galleries from before tiles. */
  previewTile?: string;
  previewTile2x?: string;
}

export interface GalleryListResponse {
  galleries: GallerySummary[];
  /**
   * Opaque: pass it back as `cursor` for the next (older) page; null on the last page. Galleries
   * created after the first page was read never appear on later pages, so a walk has no duplicates.
   */
  nextCursor: string | null;
}

export interface GalleryImage {
  model: string;
  displayName: string;
  /** Absolute (CDN, possibly signed and expiring) or relative to the API (`/images/...`). */
  url: string;
  thumbnailUrl: string;
  /** WebP tiles (TILE_SIZE and twice that); absent on galleries from before tiles. */
  tileUrl?: string;
  tile2xUrl?: string;
  width: number;
  height: number;
  bytes: number;
}

/** GET /gallery/:id */
export interface GalleryDetailResponse {
  galleryId: string;
  prompt: string;
  parameters: GenerationParameters;
  createdAt: string;
  /** Every model the generation asked for, in order (the images are the ones that succeeded); absent on older galleries. */
  models?: string[];
  images: GalleryImage[];
}
