import { All, Controller, Inject, Req, Res } from '@nestjs/common';
import type { Logger } from '@pixel-prompt/observability';
import { LOGGER } from '@pixel-prompt/service';
import type { Request, Response } from 'express';
import type { GatewayConfig } from './config';
import { galleryProxy } from './gallery-proxy';
import { GATEWAY_CONFIG } from './tokens';

/**
 * The gallery's routes on the public API, forwarded to the gallery service so it scales on its own.
 * Declared as routes (not bare middleware) so request metrics carry their templates, never raw URLs.
 */
@Controller()
export class GalleryController {
  private readonly proxy: ReturnType<typeof galleryProxy>;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, @Inject(LOGGER) logger: Logger) {
    this.proxy = galleryProxy({ target: config.GALLERY_URL, timeoutMs: config.GALLERY_TIMEOUT_MS, logger });
  }

  @All(['gallery/list', 'gallery/:id', 'images/*path'])
  forward(@Req() req: Request, @Res() res: Response): void {
    this.proxy(req, res, () => undefined);
  }
}
