import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { ServiceEnv } from '@pixel-prompt/config';
import { createLogger, createServiceMetrics } from '@pixel-prompt/observability';
import type { DestinationStream } from 'pino';
import { DependencyMetrics } from './dependency-metrics';
import { ErrorFilter } from './error.filter';
import { HealthController } from './health.controller';
import { Lifecycle } from './lifecycle';
import { MetricsController } from './metrics.controller';
import type { ReadinessCheck } from './readiness';
import { LOGGER, METRICS, READINESS_CHECKS } from './tokens';

export interface ServiceModuleOptions {
  /** Service name on every log line: `gateway`, `generation`, `gallery`. */
  service: string;
  config: ServiceEnv;
  /** Readiness checks, provided by global modules such as RedisModule and StorageModule. */
  checks: Type<ReadinessCheck>[];
  /** Where log lines go; standard output when omitted. */
  logDestination?: DestinationStream;
}

/**
 * What every Pixel Prompt service has: the logger, the metrics registry (with each readiness check
 * as `pixel_prompt_dependency_up`), /health/live, /health/ready, /metrics and the JSON error contract.
 */
@Module({})
export class ServiceModule {
  static forRoot({ service, config, checks, logDestination }: ServiceModuleOptions): DynamicModule {
    return {
      module: ServiceModule,
      global: true,
      controllers: [HealthController, MetricsController],
      providers: [
        {
          provide: LOGGER,
          useFactory: () =>
            createLogger({ service, level: config.LOG_LEVEL, version: config.APP_VERSION, destination: logDestination }),
        },
        {
          provide: METRICS,
          useFactory: () => createServiceMetrics({ version: config.APP_VERSION, commit: config.GIT_COMMIT }),
        },
        { provide: READINESS_CHECKS, useFactory: (...instances: ReadinessCheck[]) => instances, inject: checks },
        DependencyMetrics,
        { provide: APP_FILTER, useClass: ErrorFilter },
        Lifecycle,
      ],
      exports: [LOGGER, METRICS, Lifecycle],
    };
  }
}
