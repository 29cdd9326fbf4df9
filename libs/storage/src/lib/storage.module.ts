import { type DynamicModule, Inject, Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Env } from '@pixel-prompt/config';
import type { ReadinessCheck } from '@pixel-prompt/service';
import { createS3Client, headBucket } from './s3';

export const S3_ENV = Symbol('S3_ENV');

/** The process's S3 client and the bucket Pixel Prompt keeps its images and manifests in. */
@Injectable()
export class ObjectStorage implements OnModuleDestroy {
  readonly client: S3Client;
  readonly bucket: string;

  constructor(@Inject(S3_ENV) env: S3Env) {
    this.client = createS3Client(env);
    this.bucket = env.S3_BUCKET;
  }

  onModuleDestroy(): void {
    this.client.destroy();
  }
}

@Injectable()
export class S3ReadinessCheck implements ReadinessCheck {
  readonly name = 's3';

  constructor(private readonly storage: ObjectStorage) {}

  async check(signal: AbortSignal): Promise<void> {
    await headBucket(this.storage.client, this.storage.bucket, signal);
  }
}

@Module({})
export class StorageModule {
  static forRoot(env: S3Env): DynamicModule {
    return {
      module: StorageModule,
      global: true,
      providers: [{ provide: S3_ENV, useValue: env }, ObjectStorage, S3ReadinessCheck],
      exports: [ObjectStorage, S3ReadinessCheck],
    };
  }
}
