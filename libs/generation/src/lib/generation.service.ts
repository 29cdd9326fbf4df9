import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { GenerateAccepted, ModelsResponse, RetryAccepted } from '@pixel-prompt/contracts';
import { type CreateOutcome, JobStore } from '@pixel-prompt/jobs';
import { ModelRegistry } from '@pixel-prompt/models';
import { type Logger, type ServiceMetrics, currentCorrelationId } from '@pixel-prompt/observability';
import { PromptPolicy } from '@pixel-prompt/prompts';
import { capabilitiesOf } from '@pixel-prompt/providers';
import { ApiError, LOGGER, METRICS, OUTAGE_RETRY_AFTER_SECONDS } from '@pixel-prompt/service';
import { Counter } from 'prom-client';
import { GENERATION_API_CONFIG, type GenerationApiConfig } from './config';
import { jobNotFound } from './errors';
import { checkIdempotencyKey, parseGenerateRequest } from './generate-request';
import { GenerationProducer, modelJobData } from './model-jobs';
import { type StatusDocument, StatusDocuments } from './status-documents';

/** The client asking, as the edge (the gateway) knows it. */
export interface Requester {
  /** Counts the request against the client's quota, throwing 429 when it is spent: called only for a request that asks for new work. */
  admit(): Promise<void>;
  /** Its address, for the log. */
  ip: string;
}

function notFailed(status: string): ApiError {
  return new ApiError(409, 'MODEL_NOT_FAILED', `Only a model that failed can be retried; this one is ${status.replace('_', ' ')}.`);
}

function keyReused(): ApiError {
  return new ApiError(409, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request.');
}

const statusUrl = (jobId: string) => `/status/${jobId}`;
const eventsUrl = (jobId: string) => `/jobs/${jobId}/events`;

/**
 * The generation use case as the public API offers it: submit, status, cancel, and the retry of one
 * failed model. Every request that asks for work is validated and its prompts screened before any
 * quota is spent, and moderated after, as PromptPolicy says; what is accepted is stored and queued
 * before the answer (and with REDIS_WAIT_REPLICAS, held by the replicas too).
 */
@Injectable()
export class GenerationService {
  private readonly jobsSubmitted: Counter;

  constructor(
    private readonly registry: ModelRegistry,
    private readonly store: JobStore,
    private readonly producer: GenerationProducer,
    private readonly policy: PromptPolicy,
    private readonly statuses: StatusDocuments,
    @Inject(GENERATION_API_CONFIG) private readonly config: GenerationApiConfig,
    @Inject(METRICS) metrics: ServiceMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.jobsSubmitted = new Counter({
      name: 'pixel_prompt_jobs_submitted_total',
      help: 'Generation jobs accepted by POST /generate (idempotent replays not counted).',
      registers: [metrics.registry],
    });
  }

  /** The enabled models, in display order, each with the controls it honours (so the UI can say so). */
  models(): ModelsResponse {
    return {
      models: this.registry.enabled.map((model) => ({ id: model.id, displayName: model.displayName, capabilities: capabilitiesOf(model) })),
    };
  }

  /**
   * Validate, screen, then (unless the Idempotency-Key replays an earlier request, which is answered
   * even once the quota is spent: it asks for nothing new) admit, moderate and create; then queue
   * every model and wait for the replicas.
   */
  async submit(body: unknown, idempotencyKey: string | undefined, requester: Requester): Promise<GenerateAccepted> {
    const request = parseGenerateRequest(body, this.registry);
    checkIdempotencyKey(idempotencyKey);
    // Screened and validated before any quota is spent: a refused prompt costs the client nothing.
    const { prompt, parameters, models } = request;
    this.policy.screen(prompt, 'prompt');
    if (parameters.negativePrompt) this.policy.screen(parameters.negativePrompt, 'negative prompt');
    const correlationId = currentCorrelationId() ?? '';
    const idempotency = idempotencyKey ? { key: idempotencyKey, fingerprint: request.fingerprint } : undefined;
    let created: CreateOutcome | undefined = idempotency && (await this.store.claimOf(idempotency));
    if (!created) {
      await requester.admit();
      await this.policy.moderate(prompt, 'prompt');
      if (parameters.negativePrompt) await this.policy.moderate(parameters.negativePrompt, 'negative prompt');
      created = await this.store.create({ prompt, parameters, models, correlationId }, idempotency);
    }
    if (created.outcome === 'conflict') throw keyReused();
    const { jobId } = created;
    // Also on a replay: queueing is idempotent (one Bull job id per model), so a retry after a failure
    // between creating the job and queueing it completes the queueing instead of leaving it stuck.
    const job = created.outcome === 'created' ? { jobId, prompt, parameters, models, correlationId } : await this.store.get(jobId);
    if (!job) throw jobNotFound();
    const modelIds = job.models.map((m) => m.model);
    await Promise.all(modelIds.map((model, index) => this.producer.queueModel(modelJobData(job, index, model, job.correlationId))));
    await this.confirmReplicated(jobId, modelIds);
    if (created.outcome === 'created') {
      this.jobsSubmitted.inc();
      this.logger.info({ jobId, models: models.length, ip: requester.ip }, 'generation submitted');
    }
    return { jobId, status: 'pending', totalModels: job.models.length, statusUrl: statusUrl(jobId), eventsUrl: eventsUrl(jobId) };
  }

  /** The job's GET /status answer, encoded, with how long clients may keep it. */
  async status(jobId: string): Promise<StatusDocument> {
    const document = await this.statuses.find(jobId, Date.now());
    if (!document) throw jobNotFound();
    return document;
  }

  async cancel(jobId: string): Promise<{ jobId: string; canceledModels: number }> {
    const outcome = await this.store.cancel(jobId);
    if (outcome.outcome === 'not_found') throw jobNotFound();
    if (outcome.outcome === 'finished') {
      throw new ApiError(409, 'JOB_FINISHED', `This generation has already ended (${outcome.status}); there is nothing to cancel.`);
    }
    // Every model that had not ended is canceled, so the job has ended: write its gallery.
    await this.producer.requestFinalize(jobId, outcome.correlationId, outcome.retries);
    return { jobId, canceledModels: outcome.canceledModels };
  }

  /**
   * Sends one failed model back to the queue: the job (ended or not) runs until that model ends
   * again, and its events and status show it. It is a generation for the rate limits: it costs one
   * model call, and a client could otherwise retry without limit. Idempotency-Key works as on
   * submit: a replay answers the same and queues nothing new, even once the quota is spent.
   */
  async retry(jobId: string, modelId: string, idempotencyKey: string | undefined, requester: Requester): Promise<RetryAccepted> {
    checkIdempotencyKey(idempotencyKey);
    const job = await this.store.get(jobId);
    if (!job) throw jobNotFound();
    const index = job.models.findIndex((m) => m.model === modelId);
    const model = job.models[index];
    if (!model) throw new ApiError(404, 'MODEL_NOT_IN_JOB', 'This generation did not use that model.');
    const fingerprint = createHash('sha256').update(JSON.stringify(['retry', jobId, modelId])).digest('hex');
    const idempotency = idempotencyKey ? { key: idempotencyKey, fingerprint } : undefined;
    let outcome = idempotency && (await this.store.retryClaimOf(idempotency));
    if (!outcome) {
      // Checked before any quota is spent; the script checks again, atomically.
      if (model.status !== 'error') throw notFailed(model.status);
      // No screening or moderation: the job's prompts passed both when it was submitted, and run again unchanged.
      await requester.admit();
      outcome = await this.store.retry(jobId, index, idempotency);
    }
    switch (outcome.outcome) {
      case 'not_found':
        throw jobNotFound();
      case 'conflict':
        throw keyReused();
      case 'not_failed':
        throw notFailed(outcome.status);
    }
    // Also on a replay, as on submit: the queue job's id makes it a no-op once queued.
    await this.producer.queueModel(modelJobData(job, index, modelId, currentCorrelationId() ?? '', outcome.retries));
    await this.confirmReplicated(jobId, [modelId]);
    if (outcome.outcome === 'retried') {
      this.logger.info({ jobId, model: modelId, retries: outcome.retries, ip: requester.ip }, 'failed model retried');
    }
    const status = (await this.store.get(jobId))?.status ?? 'in_progress';
    return { jobId, model: modelId, index, status, statusUrl: statusUrl(jobId), eventsUrl: eventsUrl(jobId) };
  }

  /**
   * With REDIS_WAIT_REPLICAS, a job (or a failed model's retry) is accepted only once that many
   * replicas hold it and its queued models, so a failover to one of them loses nothing a 202
   * promised. Not confirmed in time: 503, and a retry with the same Idempotency-Key finds the same job
   * (or retry) and queues it again, idempotently.
   */
  private async confirmReplicated(jobId: string, models: string[]): Promise<void> {
    const { REDIS_WAIT_REPLICAS: replicas, REDIS_WAIT_TIMEOUT_MS: timeoutMs } = this.config;
    if (replicas === 0 || (await this.producer.replicated(models, replicas, timeoutMs))) return;
    this.logger.warn({ jobId, replicas, timeoutMs }, 'generation not confirmed by the Redis replicas in time');
    throw new ApiError(503, 'SERVICE_UNAVAILABLE', 'The generation could not be stored safely right now. Try again shortly.', undefined, {
      retryAfter: OUTAGE_RETRY_AFTER_SECONDS,
    });
  }
}
