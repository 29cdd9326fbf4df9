import { All, Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Logger } from '@pixel-prompt/observability';
import { LOGGER } from '@pixel-prompt/service';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { GatewayConfig } from './config';
import { galleryProxy } from './gallery-proxy';
import { ApiErrors } from './openapi';
import { GATEWAY_CONFIG } from './tokens';

const GALLERY_ROUTES = ['gallery/list', 'gallery/:id', 'images/*path'];

/**
 * The gallery's routes on the public API, forwarded to the gallery service so it scales on its own.
 * Declared as routes (not bare middleware) so request metrics carry their templates, never raw URLs.
 */
@ApiTags('gallery')
@Controller()
export class GalleryController {
  private readonly proxy: ReturnType<typeof galleryProxy>;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, @Inject(LOGGER) logger: Logger) {
    this.proxy = galleryProxy({ target: config.GALLERY_URL, timeoutMs: config.GALLERY_TIMEOUT_MS, logger });
  }

  @Get(GALLERY_ROUTES)
  @ApiOperation({ summary: 'Forwarded to the gallery service: GET /gallery/list?limit=&cursor=, GET /gallery/:id, GET /images/<key>.' })
  @ApiErrors(400, 404, 502, 503, 504)
  read(@Req() req: Request, @Res() res: Response): void {
    this.proxy(req, res, () => undefined);
  }

  /** Any other method: the proxy answers 405 with Allow: GET, HEAD. */
  @All(GALLERY_ROUTES)
  @ApiExcludeEndpoint()
  refuse(@Req() req: Request, @Res() res: Response): void {
    this.proxy(req, res, () => undefined);
  }
}
