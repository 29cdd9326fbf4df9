import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { isTerminalJobState } from '@pixel-prompt/contracts';
import { type FinalizeJobData, GenerationQueues, JobStore } from '@pixel-prompt/jobs';
import { type Logger, runWithCorrelationId } from '@pixel-prompt/observability';
import { LOGGER } from '@pixel-prompt/service';
import { type GalleryManifest, ObjectStorage, galleryIndexKey, isNotFound, mimeTypeOfKey, retryDuringOutage } from '@pixel-prompt/storage';
import type { Job } from 'bull';
import type { GenerationConfig } from './config';
import { GenerationMetrics } from './generation-metrics';
import { GENERATION_CONFIG } from './tokens';

/**
 * When a job has ended (whichever process ended it: a worker finishing the last model, or the
 * gateway canceling), writes its gallery manifest to S3 and counts its outcome. Jobs that produced
 * no image get no gallery. A job can end again after a failed model is retried; galleries never
 * change once written (they are cached for good), so only an end that finds no gallery writes one:
 * a retried model's image joins the job's results, and its gallery only if it is the first image.
 * An end whose job runs again by the time it is finalised (a model retried meanwhile) leaves the
 * gallery to the job's next end, so no gallery is ever written from a job still running.
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
      runWithCorrelationId(job.data.correlationId, () => this.finalize(job.data.jobId, job.data.retries ?? 0)),
    );
  }

  /** Like ModelProcessor: finish active work before the connections it needs close. */
  async onModuleDestroy(): Promise<void> {
    await this.queues.finalize().close();
  }

  /** `retries`: the job's retries when this end happened; 0 for its first end. */
  async finalize(jobId: string, retries: number): Promise<void> {
    const job = await this.store.get(jobId);
    if (!job) {
      this.logger.warn({ jobId }, 'job expired before it could be finalised');
      return;
    }
    if (!isTerminalJobState(job.status)) {
      this.logger.info({ jobId, retries }, 'job running again: its next end writes the gallery');
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
            ...(m.tileKey && m.tile2xKey ? { tileKey: m.tileKey, tile2xKey: m.tile2xKey } : {}),
            mimeType: mimeTypeOfKey(m.imageKey),
            width: Number(m.width),
            height: Number(m.height),
            bytes: Number(m.bytes),
          }]
        : [],
    );
    let galleryWritten = false;
    if (images.length > 0) {
      const manifest: GalleryManifest = {
        id: job.jobId,
        prompt: job.prompt,
        parameters: job.parameters,
        models: job.models.map((m) => m.model),
        createdAt: job.createdAt,
        completedAt: job.updatedAt,
        status: job.status,
        images,
      };
      // Retried through an S3 outage like the images, then by the queue's own attempts.
      galleryWritten = await retryDuringOutage(() => this.writeGalleryOnce(manifest, job.correlationId), {
        windowMs: this.config.STORAGE_RETRY_WINDOW_MS,
        onRetry: (error, attempt, delayMs) => this.logger.warn({ err: error, jobId, attempt, delayMs }, 'writing the gallery failed: storage unavailable; retrying'),
      });
    }
    this.metrics.jobsFinished.inc({ status: job.status });
    this.logger.info({ jobId, status: job.status, images: images.length, retries, galleryWritten }, 'job finished');
  }

  /**
   * Writes the job's gallery unless it has one (written at an earlier end, or by an earlier run of
   * this finalisation); returns whether it wrote. The index object is written last (see
   * ObjectStorage.putGallery), so a gallery whose writing stopped half-way is written again.
   */
  private async writeGalleryOnce(manifest: GalleryManifest, correlationId: string): Promise<boolean> {
    try {
      await this.storage.getJson(galleryIndexKey(manifest.id));
      return false;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    await this.storage.putGallery(manifest, correlationId);
    return true;
  }
}
