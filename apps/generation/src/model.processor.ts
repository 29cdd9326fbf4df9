import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { ModelErrorCode } from '@pixel-prompt/contracts';
import { GenerationQueues, JobCancellations, JobStore, type ModelJobData, type TransitionOutcome } from '@pixel-prompt/jobs';
import { type ModelConfig, ModelRegistry } from '@pixel-prompt/models';
import { type Logger, runWithCorrelationId } from '@pixel-prompt/observability';
import { ProviderError, Providers } from '@pixel-prompt/providers';
import { LOGGER } from '@pixel-prompt/service';
import { ObjectStorage, TILE_MIME_TYPE, imageKeys } from '@pixel-prompt/storage';
import type { Job } from 'bull';
import { GenerationMetrics } from './generation-metrics';
import { makeTiles } from './tiles';

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
      // Jobs Bull gave up on without our handler deciding (a worker died with them too often).
      queue.on('failed', (job: Job<ModelJobData>, error: Error) => {
        if (job.attemptsMade < (job.opts.attempts ?? 1) && !/stalled/.test(error.message)) return;
        void runWithCorrelationId(job.data.correlationId, () =>
          this.fail(job.data, { code: 'PROVIDER_ERROR', message: 'The model could not produce an image.', retryable: false }, 0),
        ).catch((err: unknown) => this.logger.error({ err }, 'could not record a failed job'));
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
      if (!(await this.store.start(data.jobId, data.index))) {
        log.info('model skipped: canceled or already ended');
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
      const keys = imageKeys(data.jobId, data.index, model.id, result.mimeType);
      const tiles = await makeTiles(result.image);
      await Promise.all([
        this.storage.putImage(keys.image, result.image, result.mimeType, data.correlationId),
        this.storage.putImage(keys.thumbnail, result.thumbnail, result.mimeType, data.correlationId),
        this.storage.putImage(keys.tile, tiles.tile, TILE_MIME_TYPE, data.correlationId),
        this.storage.putImage(keys.tile2x, tiles.tile2x, TILE_MIME_TYPE, data.correlationId),
      ]);
      const bytes = result.image.byteLength;
      const stored = bytes + result.thumbnail.byteLength + tiles.tile.byteLength + tiles.tile2x.byteLength;
      this.metrics.imageBytes.inc({ model: model.id }, stored);
      const outcome = await this.store.complete(data.jobId, data.index, {
        imageKey: keys.image, thumbKey: keys.thumbnail, tileKey: keys.tile, tile2xKey: keys.tile2x,
        bytes, width: result.width, height: result.height,
      });
      this.observe(model.id, 'completed', startedAt);
      log.info({ bytes, durationMs: Math.round(performance.now() - startedAt) }, 'model completed');
      await this.finalizeIfEnded(data, outcome);
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

  private async fail(data: ModelJobData, failure: Failure, startedAt: number): Promise<void> {
    const outcome = await this.store.fail(data.jobId, data.index, { code: failure.code, message: failure.message });
    if (!outcome.moved) return;
    this.observe(data.model, failure.code.toLowerCase(), startedAt);
    await this.finalizeIfEnded(data, outcome);
  }

  private async finalizeIfEnded(data: ModelJobData, outcome: TransitionOutcome): Promise<void> {
    if (outcome.finalStatus) await this.queues.requestFinalize(data.jobId, data.correlationId, outcome.retries ?? 0);
  }

  private observe(model: string, outcome: string, startedAt: number): void {
    this.metrics.modelResults.inc({ model, outcome });
    if (startedAt > 0) this.metrics.modelDuration.observe({ model, outcome }, (performance.now() - startedAt) / 1000);
  }
}
