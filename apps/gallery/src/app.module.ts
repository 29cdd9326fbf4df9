import { type DynamicModule, Module } from '@nestjs/common';
import { ServiceModule } from '@pixel-prompt/service';
import { S3ReadinessCheck, StorageModule, provideImageLinks } from '@pixel-prompt/storage';
import type { GalleryConfig } from './config';
import { GalleryController } from './gallery.controller';
import { GalleryStore } from './gallery-store';
import { ImageObjects } from './image-objects';
import { ImagesController } from './images.controller';

/** Galleries, and image delivery from S3 when there is no CDN. */
@Module({})
export class AppModule {
  static forRoot(config: GalleryConfig): DynamicModule {
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
        ...provideImageLinks(config),
        GalleryStore,
        ...(servesImages ? [ImageObjects] : []),
      ],
    };
  }
}
