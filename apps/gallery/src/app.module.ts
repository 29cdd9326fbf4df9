import { type DynamicModule, Module } from '@nestjs/common';
import { ServiceModule } from '@pixel-prompt/service';
import { S3ReadinessCheck, StorageModule } from '@pixel-prompt/storage';
import type { GalleryConfig } from './config';

/** Galleries and image delivery from S3. */
@Module({})
export class AppModule {
  static forRoot(config: GalleryConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        StorageModule.forRoot(config),
        ServiceModule.forRoot({ service: 'gallery', config, checks: [S3ReadinessCheck] }),
      ],
    };
  }
}
