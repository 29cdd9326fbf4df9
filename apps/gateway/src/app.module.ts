import { type DynamicModule, Module } from '@nestjs/common';
import { JobEvents, JobsModule, QueuesModule } from '@pixel-prompt/jobs';
import { ModelRegistry } from '@pixel-prompt/models';
import { MODERATION_PROVIDER, PROMPT_ENHANCER, createModerationProvider, createPromptEnhancer } from '@pixel-prompt/prompts';
import { RedisModule, RedisReadinessCheck } from '@pixel-prompt/redis';
import { ServiceModule } from '@pixel-prompt/service';
import { provideImageLinks } from '@pixel-prompt/storage';
import type { GatewayConfig } from './config';
import { Edge } from './edge';
import { EdgeController } from './edge.controller';
import { GalleryController } from './gallery.controller';
import { GatewayMetrics } from './gateway-metrics';
import { GenerationController } from './generation.controller';
import { StatusDocuments } from './status-documents';
import { GATEWAY_CONFIG } from './tokens';

/** The public API: the only service reachable from outside the cluster. */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig, registry: ModelRegistry): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RedisModule.forRoot(config.REDIS_URL),
        ServiceModule.forRoot({ service: 'gateway', config, checks: [RedisReadinessCheck] }),
        JobsModule.forRoot({ ttlSeconds: config.JOB_TTL_SECONDS }),
        QueuesModule.forRoot(config, registry.models.map((m) => m.id)),
      ],
      controllers: [GenerationController, EdgeController, GalleryController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: ModelRegistry, useValue: registry },
        // Live results link their images as the gallery does: the same CDN, signed the same way.
        ...provideImageLinks(config),
        JobEvents,
        StatusDocuments,
        Edge,
        // ENHANCER picks the embedded enhancer (the default) or an LLM one (libs/prompts).
        { provide: PROMPT_ENHANCER, useFactory: () => createPromptEnhancer(config) },
        // MODERATION adds a hosted moderation stage after the word list; null when off (the default).
        { provide: MODERATION_PROVIDER, useFactory: () => createModerationProvider(config) },
        GatewayMetrics,
      ],
    };
  }
}
