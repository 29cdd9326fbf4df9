import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type GalleryDetailResponse, type GalleryListResponse, type GallerySummary, isJobId } from '@pixel-prompt/contracts';
import { ApiError, sendCacheableJson } from '@pixel-prompt/service';
import { type GalleryManifest, IMMUTABLE_CACHE_CONTROL, ImageLinks, type LinkSet } from '@pixel-prompt/storage';
import { GalleryStore } from './gallery-store';
import { encodeCursor, parseListQuery } from './list-query';

/** New galleries appear within this many seconds for clients and caches that hold a list page. */
const LIST_MAX_AGE_SECONDS = 10;

function galleryNotFound(): ApiError {
  return new ApiError(404, 'GALLERY_NOT_FOUND', 'There is no gallery with this id. Check the link, or pick one from the gallery list.');
}

function summaryOf(manifest: GalleryManifest, links: LinkSet): GallerySummary {
  // The finalizer writes a manifest only for jobs that produced an image, so the first one exists.
  const first = manifest.images[0];
  return {
    id: manifest.id,
    timestamp: manifest.createdAt,
    prompt: manifest.prompt,
    imageCount: manifest.images.length,
    preview: links.url(first.imageKey),
    previewThumbnail: links.url(first.thumbnailKey),
    ...(first.tileKey && first.tile2xKey ? { previewTile: links.url(first.tileKey), previewTile2x: links.url(first.tile2xKey) } : {}),
  };
}

@Controller('gallery')
export class GalleryController {
  constructor(
    private readonly store: GalleryStore,
    private readonly links: ImageLinks,
  ) {}

  /** Newest first, one LIST per page; `nextCursor` pages on to older galleries. */
  @Get('list')
  async list(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    const { limit, startAfter } = parseListQuery(query);
    const page = await this.store.page(limit, startAfter);
    const links = this.links.at(Date.now());
    const body: GalleryListResponse = {
      galleries: page.manifests.map((manifest) => summaryOf(manifest, links)),
      nextCursor: page.nextStartAfter === undefined ? null : encodeCursor(page.nextStartAfter),
    };
    // Signed links expire, so a page holding them is cached no longer than they stay fresh.
    const maxAge = Math.min(LIST_MAX_AGE_SECONDS, links.freshForSeconds ?? LIST_MAX_AGE_SECONDS);
    sendCacheableJson(req, res, body, `public, max-age=${maxAge}`);
  }

  /** A gallery never changes once written: cached for good, unless its links are signed and expire. */
  @Get(':id')
  async detail(@Param('id') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    // Only well-formed job ids reach S3: nothing the client sends is ever made into a key otherwise.
    if (!isJobId(id)) throw galleryNotFound();
    const manifest = await this.store.find(id);
    if (!manifest) throw galleryNotFound();
    const links = this.links.at(Date.now());
    const body: GalleryDetailResponse = {
      galleryId: manifest.id,
      prompt: manifest.prompt,
      parameters: manifest.parameters,
      createdAt: manifest.createdAt,
      ...(manifest.models ? { models: manifest.models } : {}),
      images: manifest.images.map((image) => ({
        model: image.model,
        displayName: image.displayName,
        url: links.url(image.imageKey),
        thumbnailUrl: links.url(image.thumbnailKey),
        ...(image.tileKey && image.tile2xKey ? { tileUrl: links.url(image.tileKey), tile2xUrl: links.url(image.tile2xKey) } : {}),
        width: image.width,
        height: image.height,
        bytes: image.bytes,
      })),
    };
    const cacheControl =
      links.freshForSeconds === undefined ? IMMUTABLE_CACHE_CONTROL : `public, max-age=${links.freshForSeconds}`;
    sendCacheableJson(req, res, body, cacheControl);
  }
}
