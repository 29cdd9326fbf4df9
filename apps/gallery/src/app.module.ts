import { type DynamicModule, Module } from '@nestjs/common';
import { urlSigningOf } from '@pixel-prompt/config';
import { ServiceModule } from '@pixel-prompt/service';
import { IMAGE_LINKS_OPTIONS, ImageLinks, type ImageLinksOptions, S3ReadinessCheck, StorageModule } from '@pixel-prompt/storage';
import type { GalleryConfig } from './config';
import { GalleryController } from './gallery.controller';
import { GalleryMetrics } from './gallery-metrics';
import { GalleryStore } from './gallery-store';
import { ImageObjects } from './image-objects';
import { ImagesController } from './images.controller';

/** Galleries, and image delivery from S3 when there is no CDN. */
@Module({})
export class AppModule {
  static forRoot(config: GalleryConfig): DynamicModule {
    const links: ImageLinksOptions = { cdnBaseUrl: config.CDN_BASE_URL, signing: urlSigningOf(config) };
    // Behind a CDN, images are served by it alone: serving them here too would bypass signed links.
    const servesImages = !config.CDN_BASE_URL;
    return {
      module: AppModule,
      imports: [
        StorageModule.forRoot(config),
        ServiceModule.forRoot({ service: 'gallery', config, checks: [S3ReadinessCheck] }),
      ],
      controllers: servesImages ? [GalleryController, ImagesController] : [GalleryController],
      providers: [
        { provide: IMAGE_LINKS_OPTIONS, useValue: links },
        ImageLinks,
        GalleryStore,
        GalleryMetrics,
        ...(servesImages ? [ImageObjects] : []),
      ],
    };
  }
}
