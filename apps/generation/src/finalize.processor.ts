import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { FinalizeConsumer, type FinalizeJobData } from '@pixel-prompt/generation';
import { GenerationQueues } from '@pixel-prompt/jobs';
import type { Job } from 'bull';

/** Consumes the finalize queue, two jobs at a time; each job is FinalizeConsumer's. */
@Injectable()
export class FinalizeProcessor implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly queues: GenerationQueues,
    private readonly consumer: FinalizeConsumer,
  ) {}

  onModuleInit(): void {
    void this.queues.finalize().process(2, (job: Job<FinalizeJobData>) => this.consumer.handle(job));
  }

  /** Like ModelProcessor: finish active work before the connections it needs close. */
  async onModuleDestroy(): Promise<void> {
    await this.queues.finalize().close();
  }
}
