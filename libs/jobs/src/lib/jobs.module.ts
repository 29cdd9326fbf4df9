import { type DynamicModule, Module } from '@nestjs/common';
import { JOB_TTL_SECONDS, JobStore } from './job-store';

/** Job state in Redis; needs RedisModule. */
@Module({})
export class JobsModule {
  static forRoot({ ttlSeconds }: { ttlSeconds: number }): DynamicModule {
    return {
      module: JobsModule,
      global: true,
      providers: [{ provide: JOB_TTL_SECONDS, useValue: ttlSeconds }, JobStore],
      exports: [JobStore],
    };
  }
}
