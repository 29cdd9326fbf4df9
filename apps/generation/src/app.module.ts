import { type DynamicModule, Module } from '@nestjs/common';
import { RedisModule, RedisReadinessCheck } from '@pixel-prompt/redis';
import { ServiceModule } from '@pixel-prompt/service';
import { S3ReadinessCheck, StorageModule } from '@pixel-prompt/storage';
import type { GenerationConfig } from './config';

/** The worker: takes generation jobs from the queues, calls image models, stores results. */
@Module({})
export class AppModule {
  static forRoot(config: GenerationConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RedisModule.forRoot(config.REDIS_URL),
        StorageModule.forRoot(config),
        ServiceModule.forRoot({ service: 'generation', config, checks: [RedisReadinessCheck, S3ReadinessCheck] }),
      ],
    };
  }
}
