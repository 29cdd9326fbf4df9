import { join } from 'node:path';
import { type DynamicModule, Module } from '@nestjs/common';
import { provideGenerationWorker } from '@pixel-prompt/generation';
import { JobsModule, QueuesModule } from '@pixel-prompt/jobs';
import { ModelRegistry } from '@pixel-prompt/models';
import { ProvidersModule } from '@pixel-prompt/providers';
import { RedisModule, RedisReadinessCheck } from '@pixel-prompt/redis';
import { ServiceModule } from '@pixel-prompt/service';
import { S3ReadinessCheck, StorageModule } from '@pixel-prompt/storage';
import { type GenerationConfig, apiKeysOf } from './config';
import { FinalizeProcessor } from './finalize.processor';
import { ModelProcessor } from './model.processor';

/** The worker: takes generation jobs from the queues, calls image models, stores results. */
@Module({})
export class AppModule {
  static forRoot(config: GenerationConfig, registry: ModelRegistry): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RedisModule.forRoot(config.REDIS_URL),
        StorageModule.forRoot(config),
        ServiceModule.forRoot({ service: 'generation', config, checks: [RedisReadinessCheck, S3ReadinessCheck] }),
        JobsModule.forRoot({ ttlSeconds: config.JOB_TTL_SECONDS }),
        QueuesModule.forRoot(config, registry.models.map((m) => m.id)),
        // The render worker is a second webpack entry next to main.js (see webpack.config.js).
        ProvidersModule.forRoot({
          renderThreads: config.RENDER_THREADS,
          renderWorkerEntry: join(__dirname, 'render-worker.js'),
          apiKeys: apiKeysOf(config),
        }),
      ],
      providers: [
        { provide: ModelRegistry, useValue: registry },
        // The use case (libs/generation); the processors below consume its queues.
        ...provideGenerationWorker(config),
        ModelProcessor,
        FinalizeProcessor,
      ],
    };
  }
}
