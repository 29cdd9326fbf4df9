import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ModelConsumer, type ModelJobData } from '@pixel-prompt/generation';
import { GenerationQueues } from '@pixel-prompt/jobs';
import { ModelRegistry } from '@pixel-prompt/models';
import type { Logger } from '@pixel-prompt/observability';
import { Providers } from '@pixel-prompt/providers';
import { LOGGER } from '@pixel-prompt/service';
import type { Job } from 'bull';

/** Consumes one Bull queue per model with that model's concurrency; each job is ModelConsumer's. */
@Injectable()
export class ModelProcessor implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly queues: GenerationQueues,
    private readonly providers: Providers,
    private readonly consumer: ModelConsumer,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    // Disabled models' queues are consumed too: jobs queued before a model was disabled then end
    // as UNAVAILABLE at once instead of waiting until the job expires.
    for (const model of this.registry.models) {
      const missing = model.enabled && this.providers.missingCredential(model);
      // Names the variable, never a value; the model's jobs then fail fast as UNAVAILABLE.
      if (missing) this.logger.warn({ model: model.id, provider: model.provider, missingVariable: missing }, `model ${model.id} is unavailable: ${missing} is not set`);
      const queue = this.queues.model(model.id);
      void queue.process(model.enabled ? model.concurrency : 1, (job: Job<ModelJobData>) => this.consumer.handle(job));
      // A stopped worker's job, found by the stalled-job check: its model runs again (calling the provider again).
      queue.on('stalled', (job: Job<ModelJobData>) =>
        this.logger.warn({ jobId: job.data.jobId, model: job.data.model, correlationId: job.data.correlationId }, 'model job of a stopped worker returned to the queue'),
      );
      queue.on('failed', (job: Job<ModelJobData>, error: Error) => void this.consumer.givenUp(job, error));
    }
  }

  /**
   * First shutdown phase: stop taking jobs and let the active ones finish, while Redis, S3 and the
   * render threads are still open (they close in onApplicationShutdown, after this).
   */
  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.registry.models.map((model) => this.queues.model(model.id).close()));
  }
}
