import { type DynamicModule, Module } from '@nestjs/common';
import { RedisModule, RedisReadinessCheck } from '@pixel-prompt/redis';
import { ServiceModule } from '@pixel-prompt/service';
import type { GatewayConfig } from './config';

/** The public API: the only service reachable from outside the cluster. */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RedisModule.forRoot(config.REDIS_URL),
        ServiceModule.forRoot({ service: 'gateway', config, checks: [RedisReadinessCheck] }),
      ],
    };
  }
}
