import { Inject, Injectable } from '@nestjs/common';
import { isTerminalJobState } from '@pixel-prompt/contracts';
import { JobStore } from '@pixel-prompt/jobs';
import { type Logger, runWithCorrelationId } from '@pixel-prompt/observability';
import { LOGGER } from '@pixel-prompt/service';
import { type GalleryManifest, ObjectStorage, retryDuringOutage } from '@pixel-prompt/storage';
import type { Job } from 'bull';
import { GENERATION_WORKER_CONFIG, type GenerationWorkerConfig } from './config';
import type { FinalizeJobData } from './model-jobs';
import { toManifestImages } from './results';
import { WorkerMetrics } from './worker-metrics';

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
export class FinalizeConsumer {
  constructor(
    private readonly store: JobStore,
    private readonly storage: ObjectStorage,
    private readonly metrics: WorkerMetrics,
    @Inject(GENERATION_WORKER_CONFIG) private readonly config: GenerationWorkerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Runs one finalize job under its request's correlation id. */
  handle(job: Job<FinalizeJobData>): Promise<void> {
    return runWithCorrelationId(job.data.correlationId, () => this.finalize(job.data.jobId, job.data.retries ?? 0));
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
    const images = toManifestImages(job);
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
    if (await this.storage.hasGallery(manifest.id)) return false;
    await this.storage.putGallery(manifest, correlationId);
    return true;
  }
}
