import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type ModelErrorCode, isTerminalJobState } from '@pixel-prompt/contracts';
import { GenerationQueues, JobCancellations, JobStore, type ModelJobData } from '@pixel-prompt/jobs';
import { type ModelConfig, ModelRegistry } from '@pixel-prompt/models';
import { type Logger, runWithCorrelationId } from '@pixel-prompt/observability';
import { ProviderError, Providers } from '@pixel-prompt/providers';
import { LOGGER } from '@pixel-prompt/service';
import {
  type ImageObject,
  ObjectStorage,
  StorageUnavailableError,
  TILE_MIME_TYPE,
  imageKeys,
  modelImagesPrefix,
  retryDuringOutage,
} from '@pixel-prompt/storage';
import type { Job } from 'bull';
import type { GenerationConfig } from './config';
import { GenerationMetrics } from './generation-metrics';
import { makeTiles } from './tiles';
import { GENERATION_CONFIG } from './tokens';

interface Failure {
  code: ModelErrorCode;
  message: string;
  retryable: boolean;
}

/**
 * A provider asking us to wait longer than this is not retried: someone is watching the card, and
 * an answer minutes later helps nobody. Shorter waits are honoured by the queue's backoff.
 */
export const MAX_RETRY_AFTER_SECONDS = 60;

/** Maps anything a model call can throw to our codes; messages are safe to show users. */
export function classifyFailure(error: unknown, timeout: AbortSignal): Failure {
  if (timeout.aborted) return { code: 'TIMEOUT', message: 'The model took too long and was stopped.', retryable: false };
  // Not retried: another attempt would pay the provider again for an image it already made.
  if (error instanceof StorageUnavailableError) {
    return { code: 'STORAGE_UNAVAILABLE', message: 'The image was made but could not be stored: storage is unavailable. Try again later.', retryable: false };
  }
  if (error instanceof ProviderError) {
    const waitTooLong = (error.retryAfterSeconds ?? 0) > MAX_RETRY_AFTER_SECONDS;
    return { code: error.code, message: error.message, retryable: error.retryable && !waitTooLong };
  }
  // Anything else (network, S3, Redis) is presumed transient: retried with backoff, then reported.
  return { code: 'PROVIDER_ERROR', message: 'The model could not produce an image.', retryable: true };
}

/**
 * Consumes one Bull queue per enabled model with that model's concurrency. Each job is one model of
 * one generation: mark it started, call the provider under the model's timeout, store image,
 * thumbnail and tiles in S3, record the result; the move that ends the whole job queues its finalisation.
 * A call whose model is canceled meanwhile is aborted, so nobody pays for an image no one will see.
 */
@Injectable()
export class ModelProcessor implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly queues: GenerationQueues,
    private readonly store: JobStore,
    private readonly cancellations: JobCancellations,
    private readonly storage: ObjectStorage,
    private readonly providers: Providers,
    private readonly metrics: GenerationMetrics,
    @Inject(GENERATION_CONFIG) private readonly config: Pick<GenerationConfig, 'STORAGE_RETRY_WINDOW_MS'>,
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
      void queue.process(model.enabled ? model.concurrency : 1, (job: Job<ModelJobData>) => this.handle(job));
      // A stopped worker's job, found by the stalled-job check: its model runs again (calling the provider again).
      queue.on('stalled', (job: Job<ModelJobData>) =>
        this.logger.warn({ jobId: job.data.jobId, model: job.data.model, correlationId: job.data.correlationId }, 'model job of a stopped worker returned to the queue'),
      );
      // Jobs Bull gave up on without our handler deciding: their workers died with them too often
      // (then the model never answered, so the provider is not blamed), or recording failed.
      queue.on('failed', (job: Job<ModelJobData>, error: Error) => {
        const stalled = /stalled/.test(error.message);
        if (!stalled && job.attemptsMade < (job.opts.attempts ?? 1)) return;
        const failure: Failure = stalled
          ? { code: 'UNAVAILABLE', message: 'The model could not be run: the servers running it kept stopping.', retryable: false }
          : { code: 'PROVIDER_ERROR', message: 'The model could not produce an image.', retryable: false };
        void runWithCorrelationId(job.data.correlationId, () => this.fail(job.data, failure, 0)).catch((err: unknown) =>
          this.logger.error({ err }, 'could not record a failed job'),
        );
      });
    }
  }

  /**
   * First shutdown phase: stop taking jobs and let the active ones finish, while Redis, S3 and the
   * render threads are still open (they close in onApplicationShutdown, after this).
   */
  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.registry.models.map((model) => this.queues.model(model.id).close()));
  }

  handle(job: Job<ModelJobData>): Promise<void> {
    return runWithCorrelationId(job.data.correlationId, () => this.run(job));
  }

  private async run(job: Job<ModelJobData>): Promise<void> {
    const data = job.data;
    const model = this.registry.get(data.model);
    const log = this.logger.child({ jobId: data.jobId, model: data.model, attempt: job.attemptsMade + 1 });
    if (!model?.enabled) {
      await this.fail(data, { code: 'UNAVAILABLE', message: 'This model is not available.', retryable: false }, 0);
      return;
    }
    if (this.providers.missingCredential(model)) {
      log.warn({ code: 'UNAVAILABLE' }, 'model failed: its provider has no API key');
      await this.fail(data, { code: 'UNAVAILABLE', message: 'This model is not configured on the server.', retryable: false }, 0);
      return;
    }
    // Watching starts before the model does, so a cancel right after the start is not missed. A wake
    // is a cancel of the job or a resubscription that may have missed one: either way, ask once.
    const canceled = new AbortController();
    const stopWatching = this.cancellations.watch(data.jobId, () => {
      this.store
        .isCanceled(data.jobId, data.index)
        .then((yes) => yes && canceled.abort())
        .catch((error: unknown) => log.warn({ err: error }, 'could not check for cancellation'));
    });
    try {
      if (!(await this.store.start(data.jobId, data.index, data.retries))) {
        log.info('model skipped: canceled or already ended');
        await this.finalizeIfEnded(data);
        return;
      }
      await this.generate(job, model, log, canceled.signal);
    } finally {
      stopWatching();
    }
  }

  private async generate(job: Job<ModelJobData>, model: ModelConfig, log: Logger, canceled: AbortSignal): Promise<void> {
    const data = job.data;
    log.info('model started');
    const startedAt = performance.now();
    const timeout = AbortSignal.timeout(model.timeoutMs);
    try {
      const { prompt, steps, guidance, seed, negativePrompt, aspectRatio } = data;
      const result = await this.providers.image(model).generate(
        { prompt, steps, guidance, seed, negativePrompt, aspectRatio, model },
        AbortSignal.any([timeout, canceled]),
      );
      // Canceled while the answer was on its way: the job has ended without this model's image.
      if (canceled.aborted) throw canceled.reason;
      // Each attempt at the model has its own keys: deleting a failed attempt's images, however
      // late, never touches those of the attempt that retried it.
      const keys = imageKeys(data.jobId, data.index, model.id, result.mimeType, data.retries);
      const tiles = await makeTiles(result.image);
      await this.storeImages(
        [
          { key: keys.image, body: result.image, contentType: result.mimeType },
          { key: keys.thumbnail, body: result.thumbnail, contentType: result.mimeType },
          { key: keys.tile, body: tiles.tile, contentType: TILE_MIME_TYPE },
          { key: keys.tile2x, body: tiles.tile2x, contentType: TILE_MIME_TYPE },
        ],
        data.correlationId,
        log,
        canceled,
      );
      const bytes = result.image.byteLength;
      const stored = bytes + result.thumbnail.byteLength + tiles.tile.byteLength + tiles.tile2x.byteLength;
      this.metrics.imageBytes.inc({ model: model.id }, stored);
      const image = {
        imageKey: keys.image, thumbKey: keys.thumbnail, tileKey: keys.tile, tile2xKey: keys.tile2x,
        bytes, width: result.width, height: result.height,
      };
      const outcome = await this.store.complete(data.jobId, data.index, image, data.retries);
      if (!outcome.moved) {
        // Ended meanwhile: canceled, or failed by another run of this attempt (its worker was thought
        // dead), and perhaps retried since. The images belong to no result then, unless another run
        // of this same attempt completed the model with the same keys.
        log.info('model result dropped: the model had already ended');
        if (!(await this.store.completedIn(data.jobId, data.index, data.retries ?? 0))) await this.deleteStrayImages(data);
        return;
      }
      this.observe(model.id, 'completed', startedAt);
      log.info({ bytes, durationMs: Math.round(performance.now() - startedAt) }, 'model completed');
      if (outcome.finalStatus) await this.queues.requestFinalize(data.jobId, data.correlationId, outcome.retries ?? 0);
    } catch (error) {
      // Not a failure of the model: the job counts as canceled, and the call is not retried.
      if (canceled.aborted) {
        log.info({ durationMs: Math.round(performance.now() - startedAt) }, 'model call stopped: canceled');
        return;
      }
      const failure = classifyFailure(error, timeout);
      const attemptsLeft = job.attemptsMade + 1 < (job.opts.attempts ?? 1);
      if (failure.retryable && attemptsLeft) {
        log.warn({ err: error, code: failure.code }, 'model call failed; retrying with backoff');
        throw error;
      }
      log.warn({ err: error, code: failure.code }, 'model failed');
      await this.fail(data, failure, startedAt);
    }
  }

  /**
   * Stores a finished call's images. The image exists now, so storage trouble must not cost another
   * provider call: while S3 is out the upload is retried here, for STORAGE_RETRY_WINDOW_MS, with the
   * images waiting in memory (one set per running call, so the models' concurrency bounds them).
   */
  private storeImages(images: ImageObject[], correlationId: string, log: Logger, canceled: AbortSignal): Promise<void> {
    return retryDuringOutage(() => this.storage.putImages(images, correlationId), {
      windowMs: this.config.STORAGE_RETRY_WINDOW_MS,
      signal: canceled,
      onRetry: (error, attempt, delayMs) => log.warn({ err: error, attempt, delayMs }, 'storing the image failed: storage unavailable; retrying'),
    });
  }

  /**
   * Asks for the gallery of the model's job if the job has ended. The worker whose move ended it
   * may have died before asking, and the next one to meet the job only finds its model ended. The
   * request names the end by the job's retries then and is deduplicated by that name, so asking
   * twice costs nothing; a job running again (a model retried) asks when it ends again.
   */
  private async finalizeIfEnded(data: ModelJobData): Promise<void> {
    const job = await this.store.get(data.jobId);
    if (job && isTerminalJobState(job.status)) await this.queues.requestFinalize(data.jobId, data.correlationId, job.retries);
  }

  private async fail(data: ModelJobData, failure: Failure, startedAt: number): Promise<void> {
    const outcome = await this.store.fail(data.jobId, data.index, { code: failure.code, message: failure.message }, data.retries);
    if (!outcome.moved) {
      await this.finalizeIfEnded(data);
      return;
    }
    this.observe(data.model, failure.code.toLowerCase(), startedAt);
    if (outcome.finalStatus) await this.queues.requestFinalize(data.jobId, data.correlationId, outcome.retries ?? 0);
    await this.deleteStrayImages(data);
  }

  /**
   * Deletes what this attempt stored for a model that then failed (its worker died before recording
   * the result, or storage failed half-way), so every stored image is one a result links to.
   * Retried through an S3 outage like uploads; after the result is recorded, so nobody waits for it.
   * Only this attempt's prefix: the model may have been retried meanwhile, and the next attempt's
   * images (under their own prefix) are being made.
   */
  private async deleteStrayImages(data: ModelJobData): Promise<void> {
    const prefix = modelImagesPrefix(data.jobId, data.index, data.model, data.retries);
    try {
      const deleted = await retryDuringOutage(() => this.storage.deletePrefix(prefix), { windowMs: this.config.STORAGE_RETRY_WINDOW_MS });
      if (deleted > 0) this.logger.info({ jobId: data.jobId, model: data.model, retries: data.retries ?? 0, deleted }, 'deleted the images of a failed model');
    } catch (error) {
      this.logger.warn({ err: error, jobId: data.jobId, model: data.model }, 'could not delete the images of a failed model');
    }
  }

  private observe(model: string, outcome: string, startedAt: number): void {
    this.metrics.modelResults.inc({ model, outcome });
    if (startedAt > 0) this.metrics.modelDuration.observe({ model, outcome }, (performance.now() - startedAt) / 1000);
  }
}
