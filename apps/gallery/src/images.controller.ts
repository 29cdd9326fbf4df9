import { pipeline } from 'node:stream/promises';
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from '@pixel-prompt/observability';
import { ApiError, LOGGER, ifNoneMatchHits } from '@pixel-prompt/service';
import { type ByteRange, IMMUTABLE_CACHE_CONTROL, type ImageBytes, type ImageMetadata, isImageKey } from '@pixel-prompt/storage';
import { ImageObjects } from './image-objects';

function imageNotFound(): ApiError {
  return new ApiError(404, 'IMAGE_NOT_FOUND', 'There is no image at this address. Check the link.');
}

/**
 * The one range to send; undefined for the whole image. Malformed Range headers and several ranges
 * at once get the whole image (RFC 9110 allows ignoring Range; no multipart responses here), as do
 * HEAD (Range is defined for GET only) and an If-Range naming another version; a well-formed range
 * outside the image is unsatisfiable.
 */
function requestedRange(req: Request, metadata: ImageMetadata): ByteRange | 'unsatisfiable' | undefined {
  if (!req.headers.range || req.method !== 'GET') return undefined;
  const ifRange = req.headers['if-range'];
  if (ifRange !== undefined && ifRange !== metadata.etag) return undefined;
  const ranges = req.range(metadata.size, { combine: true });
  if (ranges === -1) return 'unsatisfiable';
  if (ranges === undefined || ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return undefined;
  return { start: ranges[0].start, end: ranges[0].end };
}

/**
 * Serves images from the bucket when there is no CDN in front of it (the local stack), with the
 * semantics a CDN would give: immutable caching, ETag revalidation, byte ranges.
 */
@Controller('images')
export class ImagesController {
  constructor(
    private readonly images: ImageObjects,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get('*path')
  async image(@Req() req: Request, @Res() res: Response): Promise<void> {
    // The raw path, still percent-encoded, must be exactly an image key of the layout: escapes,
    // dot segments and every other prefix of the bucket (manifests, indexes) never match.
    const key = req.path.slice(1);
    if (!isImageKey(key)) throw imageNotFound();
    const metadata = await this.images.describe(key);
    if (!metadata) throw imageNotFound();

    const validators: Record<string, string> = { 'Cache-Control': IMMUTABLE_CACHE_CONTROL };
    if (metadata.etag) validators['ETag'] = metadata.etag;
    if (metadata.etag && ifNoneMatchHits(req.headers['if-none-match'], metadata.etag)) {
      res.status(304).set(validators).end();
      return;
    }
    const range = requestedRange(req, metadata);
    if (range === 'unsatisfiable') {
      res.setHeader('Content-Range', `bytes */${metadata.size}`);
      throw new ApiError(416, 'RANGE_NOT_SATISFIABLE', `The requested byte range is outside the image (${metadata.size} bytes).`);
    }

    // HEAD needs only the metadata. Otherwise open the object before any header is set, so that an
    // object gone since (deleted) still gets a clean 404.
    let bytes: ImageBytes | undefined;
    if (req.method !== 'HEAD') {
      bytes = await this.images.open(key, range);
      if (!bytes) throw imageNotFound();
    }
    // Length and range are what S3 sent: announcing our own would break the answer whenever S3
    // sends something else (the whole image for a range it ignores).
    const contentRange = bytes?.contentRange;
    res.status(contentRange ? 206 : 200).set({
      ...validators,
      'Content-Type': metadata.contentType,
      'Content-Length': String(bytes ? bytes.contentLength : metadata.size),
      'Accept-Ranges': 'bytes',
      // Served from our own origin: never let a browser sniff an image into something executable.
      'X-Content-Type-Options': 'nosniff',
      ...(contentRange ? { 'Content-Range': contentRange } : {}),
    });
    if (!bytes) {
      res.end();
      return;
    }
    try {
      await pipeline(bytes.body, res);
    } catch (error) {
      // pipeline() has destroyed both streams. A client leaving mid-image is routine; S3 failing is not.
      if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
        this.logger.warn({ err: error, key }, 'image stream from S3 failed');
      }
    }
  }
}
