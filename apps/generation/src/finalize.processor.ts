import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type FinalizeJobData, GenerationQueues, JobStore } from '@pixel-prompt/jobs';
import { type Logger, runWithCorrelationId } from '@pixel-prompt/observability';
import { LOGGER } from '@pixel-prompt/service';
import { type GalleryManifest, ObjectStorage, mimeTypeOfKey, retryDuringOutage } from '@pixel-prompt/storage';
import type { Job } from 'bull';
import type { GenerationConfig } from './config';
import { GenerationMetrics } from './generation-metrics';
import { GENERATION_CONFIG } from './tokens';

/**
 * When a job has ended (whichever process ended it: a worker finishing the last model, or the
 * gateway canceling), writes its gallery manifest to S3 and counts its outcome. Jobs that produced
 * no image get no gallery.
 */
@Injectable()
export class FinalizeProcessor implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly queues: GenerationQueues,
    private readonly store: JobStore,
    private readonly storage: ObjectStorage,
    private readonly metrics: GenerationMetrics,
    @Inject(GENERATION_CONFIG) private readonly config: Pick<GenerationConfig, 'STORAGE_RETRY_WINDOW_MS'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    void this.queues.finalize().process(2, (job: Job<FinalizeJobData>) =>
      runWithCorrelationId(job.data.correlationId, () => this.finalize(job.data.jobId)),
    );
  }

  /** Like ModelProcessor: finish active work before the connections it needs close. */
  async onModuleDestroy(): Promise<void> {
    await this.queues.finalize().close();
  }

  async finalize(jobId: string): Promise<void> {
    const job = await this.store.get(jobId);
    if (!job) {
      this.logger.warn({ jobId }, 'job expired before it could be finalised');
      return;
    }
    const images = job.models.flatMap((m, index) =>
      m.status === 'completed' && m.imageKey && m.thumbKey
        ? [{
            model: m.model,
            displayName: m.name,
            index,
            imageKey: m.imageKey,
            thumbnailKey: m.thumbKey,
            mimeType: mimeTypeOfKey(m.imageKey),
            width: Number(m.width),
            height: Number(m.height),
            bytes: Number(m.bytes),
          }]
        : [],
    );
    if (images.length > 0) {
      const manifest: GalleryManifest = {
        id: job.jobId,
        prompt: job.prompt,
        parameters: job.parameters,
        createdAt: job.createdAt,
        completedAt: job.updatedAt,
        status: job.status,
        images,
      };
      // Retried through an S3 outage like the images, then by the queue's own attempts.
      await retryDuringOutage(() => this.storage.putGallery(manifest, job.correlationId), {
        windowMs: this.config.STORAGE_RETRY_WINDOW_MS,
        onRetry: (error, attempt, delayMs) => this.logger.warn({ err: error, jobId, attempt, delayMs }, 'writing the gallery failed: storage unavailable; retrying'),
      });
    }
    this.metrics.jobsFinished.inc({ status: job.status });
    this.logger.info({ jobId, status: job.status, images: images.length }, 'job finished');
  }
}
