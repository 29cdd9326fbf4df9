import { type DynamicModule, Module } from '@nestjs/common';
import { JobsModule, QueuesModule, imageUrlBuilder } from '@pixel-prompt/jobs';
import { ModelRegistry } from '@pixel-prompt/models';
import { RedisModule, RedisReadinessCheck } from '@pixel-prompt/redis';
import { ServiceModule } from '@pixel-prompt/service';
import type { GatewayConfig } from './config';
import { Edge } from './edge';
import { createPromptEnhancer } from './enhancer-factory';
import { EdgeController } from './edge.controller';
import { GalleryController } from './gallery.controller';
import { GatewayMetrics } from './gateway-metrics';
import { GenerationController } from './generation.controller';
import { JobEventsHub } from './job-events.hub';
import { PROMPT_ENHANCER } from './prompt-enhancer';
import { GATEWAY_CONFIG, IMAGE_URL_FOR } from './tokens';

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
        { provide: IMAGE_URL_FOR, useValue: imageUrlBuilder(config.CDN_BASE_URL) },
        JobEventsHub,
        Edge,
        // ENHANCER picks the embedded enhancer (the default) or an LLM one; see enhancer-factory.ts.
        { provide: PROMPT_ENHANCER, useFactory: () => createPromptEnhancer(config) },
        GatewayMetrics,
      ],
    };
  }
}
