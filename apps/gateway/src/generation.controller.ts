import { createHash } from 'node:crypto';
import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import {
  type GenerateAccepted,
  IDEMPOTENCY_KEY_HEADER,
  type JobEvent,
  type ModelsResponse,
  type RetryAccepted,
  isTerminalJobState,
} from '@pixel-prompt/contracts';
import {
  GenerationQueues,
  JobEvents,
  type JobRecord,
  JobStore,
  type ModelJobData,
  type StoredEvent,
  parseStreamId,
  toModelResult,
  toStatusResponse,
} from '@pixel-prompt/jobs';
import { ModelRegistry } from '@pixel-prompt/models';
import { capabilitiesOf } from '@pixel-prompt/providers';
import type { Logger } from '@pixel-prompt/observability';
import { ApiError, LOGGER, Lifecycle, OUTAGE_RETRY_AFTER_SECONDS, sendJsonDocument } from '@pixel-prompt/service';
import { ImageLinks } from '@pixel-prompt/storage';
import { ApiBody, ApiHeader, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { type GatewayConfig } from './config';
import { GATEWAY_CONFIG } from './tokens';
import { Edge } from './edge';
import { GatewayMetrics } from './gateway-metrics';
import { generateRequestSchema, parseGenerateRequest } from './generate-request';
import { ApiErrors, openApiSchema } from './openapi';
import { StatusDocuments } from './status-documents';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function jobNotFound(): ApiError {
  return new ApiError(404, 'JOB_NOT_FOUND', 'No generation job has this id; it may have expired.');
}

function checkIdempotencyKey(key: string | undefined): void {
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new ApiError(400, 'VALIDATION_FAILED', 'The Idempotency-Key header must be 1-255 visible ASCII characters.', [
      { field: IDEMPOTENCY_KEY_HEADER, message: 'must be 1-255 visible ASCII characters' },
    ]);
  }
}

/**
 * What the worker needs to run model `index` of `job`; `correlationId` is the request that queues it,
 * `retries` the model's retries before this attempt (0 for its first).
 */
function modelJobData(
  job: Pick<JobRecord, 'jobId' | 'prompt' | 'parameters'>,
  index: number,
  model: string,
  correlationId: string,
  retries = 0,
): ModelJobData {
  return { jobId: job.jobId, index, model, prompt: job.prompt, ...job.parameters, correlationId, retries };
}

function notFailed(status: string): ApiError {
  return new ApiError(409, 'MODEL_NOT_FAILED', `Only a model that failed can be retried; this one is ${status.replace('_', ' ')}.`);
}

@ApiTags('generation')
@Controller()
export class GenerationController {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly store: JobStore,
    private readonly queues: GenerationQueues,
    private readonly jobEvents: JobEvents,
    private readonly lifecycle: Lifecycle,
    private readonly metrics: GatewayMetrics,
    private readonly edge: Edge,
    private readonly links: ImageLinks,
    private readonly statuses: StatusDocuments,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The enabled models, in display order, each with the controls it honours (so the UI can say so). */
  @Get('models')
  models(): ModelsResponse {
    return {
      models: this.registry.enabled.map((model) => ({ id: model.id, displayName: model.displayName, capabilities: capabilitiesOf(model) })),
    };
  }

  @Post('generate')
  @HttpCode(202)
  @ApiBody({ schema: openApiSchema(generateRequestSchema) })
  @ApiHeader({ name: IDEMPOTENCY_KEY_HEADER, required: false, description: 'The same key and body within 24 h return the same job.' })
  @ApiResponse({ status: 202, description: 'Accepted: {jobId, status, totalModels, statusUrl, eventsUrl}' })
  @ApiErrors(400, 409, 413, 415, 429, 503)
  async generate(
    @Body() body: unknown,
    @Headers(IDEMPOTENCY_KEY_HEADER.toLowerCase()) idempotencyKey: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<GenerateAccepted> {
    const request = parseGenerateRequest(body, this.registry);
    checkIdempotencyKey(idempotencyKey);
    // Screened and validated before any quota is spent: a refused prompt costs the client nothing.
    this.edge.screen(request.prompt, 'prompt');
    if (request.parameters.negativePrompt) this.edge.screen(request.parameters.negativePrompt, 'negative prompt');
    const correlationId = String(res.getHeader('X-Correlation-ID'));
    const { parameters } = request;
    const idempotency = idempotencyKey ? { key: idempotencyKey, fingerprint: request.fingerprint } : undefined;
    // A replay is answered with its job even once the client's quota is spent: it asks for nothing new.
    let created = idempotency && (await this.store.claimOf(idempotency));
    if (!created) {
      await this.edge.admit('generate', req, res);
      await this.edge.moderate(request.prompt, 'prompt', res);
      if (request.parameters.negativePrompt) await this.edge.moderate(request.parameters.negativePrompt, 'negative prompt', res);
      created = await this.store.create({ prompt: request.prompt, parameters, models: request.models, correlationId }, idempotency);
    }
    if (created.outcome === 'conflict') {
      throw new ApiError(409, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request.');
    }
    const { jobId } = created;
    // Also on a replay: queueing is idempotent (one Bull job id per model), so a retry after a failure
    // between creating the job and queueing it completes the queueing instead of leaving it stuck.
    const job = created.outcome === 'created' ? { jobId, parameters, models: request.models, prompt: request.prompt, correlationId } : await this.store.get(jobId);
    if (!job) throw jobNotFound();
    const modelIds = job.models.map((model) => ('id' in model ? model.id : model.model));
    await Promise.all(modelIds.map((id, index) => this.queues.queueModel(modelJobData(job, index, id, job.correlationId))));
    await this.confirmReplicated(jobId, modelIds);
    if (created.outcome === 'created') {
      this.metrics.jobsSubmitted.inc();
      this.logger.info({ jobId, models: request.models.length, ip: this.edge.clientIp(req) }, 'generation submitted');
    }
    res.setHeader('Location', `/status/${jobId}`);
    return {
      jobId,
      status: 'pending',
      totalModels: job.models.length,
      statusUrl: `/status/${jobId}`,
      eventsUrl: `/jobs/${jobId}/events`,
    };
  }

  /**
   * With REDIS_WAIT_REPLICAS, a job (or a failed model's retry) is accepted only once that many
   * replicas hold it and its queued models, so a failover to one of them loses nothing a 202
   * promised. Not confirmed in time: 503, and a retry with the same Idempotency-Key finds the same job
   * (or retry) and queues it again, idempotently.
   */
  private async confirmReplicated(jobId: string, modelIds: string[]): Promise<void> {
    const { REDIS_WAIT_REPLICAS: replicas, REDIS_WAIT_TIMEOUT_MS: timeoutMs } = this.config;
    if (replicas === 0 || (await this.queues.replicated(modelIds, replicas, timeoutMs))) return;
    this.logger.warn({ jobId, replicas, timeoutMs }, 'generation not confirmed by the Redis replicas in time');
    throw new ApiError(503, 'SERVICE_UNAVAILABLE', 'The generation could not be stored safely right now. Try again shortly.', undefined, {
      retryAfter: OUTAGE_RETRY_AFTER_SECONDS,
    });
  }

  @Get('status/:jobId')
  @ApiResponse({ status: 200, description: 'The job with one result per model.' })
  @ApiErrors(404, 503)
  async status(@Param('jobId') jobId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const document = await this.statuses.find(jobId, Date.now());
    if (!document) throw jobNotFound();
    sendJsonDocument(req, res, document, document.cacheControl);
  }

  @Post('jobs/:jobId/cancel')
  @HttpCode(202)
  @ApiErrors(404, 409, 503)
  async cancel(@Param('jobId') jobId: string): Promise<{ jobId: string; canceledModels: number }> {
    const outcome = await this.store.cancel(jobId);
    if (outcome.outcome === 'not_found') throw jobNotFound();
    if (outcome.outcome === 'finished') {
      throw new ApiError(409, 'JOB_FINISHED', `This generation has already ended (${outcome.status}); there is nothing to cancel.`);
    }
    // Every model that had not ended is canceled, so the job has ended: write its gallery.
    await this.queues.requestFinalize(jobId, outcome.correlationId, outcome.retries);
    return { jobId, canceledModels: outcome.canceledModels };
  }

  /**
   * Sends one failed model back to the queue: the job (ended or not) runs until that model ends
   * again, and its events and status show it. It is a generation for the rate limits: it costs one
   * model call, and a client could otherwise retry without limit. Idempotency-Key works as on
   * /generate: a replay answers the same and queues nothing new, even once the quota is spent.
   */
  @Post('jobs/:jobId/models/:modelId/retry')
  @HttpCode(202)
  @ApiHeader({ name: IDEMPOTENCY_KEY_HEADER, required: false, description: 'The same key for the same job and model within 24 h retries once.' })
  @ApiResponse({ status: 202, description: 'Queued again: {jobId, model, index, status, statusUrl, eventsUrl}. Counts as one generation for the rate limits (RateLimit headers as on /generate); only a model whose status is error can be retried (409 MODEL_NOT_FAILED).' })
  @ApiErrors(400, 404, 409, 429, 503)
  async retry(
    @Param('jobId') jobId: string,
    @Param('modelId') modelId: string,
    @Headers(IDEMPOTENCY_KEY_HEADER.toLowerCase()) idempotencyKey: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RetryAccepted> {
    checkIdempotencyKey(idempotencyKey);
    const job = await this.store.get(jobId);
    if (!job) throw jobNotFound();
    const index = job.models.findIndex((model) => model.model === modelId);
    const model = job.models[index];
    if (!model) throw new ApiError(404, 'MODEL_NOT_IN_JOB', 'This generation did not use that model.');
    const fingerprint = createHash('sha256').update(JSON.stringify(['retry', jobId, modelId])).digest('hex');
    const idempotency = idempotencyKey ? { key: idempotencyKey, fingerprint } : undefined;
    let outcome = idempotency && (await this.store.retryClaimOf(idempotency));
    if (!outcome) {
      // Checked before any quota is spent; the script checks again, atomically.
      if (model.status !== 'error') throw notFailed(model.status);
      // No screening or moderation: the job's prompts passed both when it was submitted, and run again unchanged.
      await this.edge.admit('generate', req, res);
      outcome = await this.store.retry(jobId, index, idempotency);
    }
    switch (outcome.outcome) {
      case 'not_found':
        throw jobNotFound();
      case 'conflict':
        throw new ApiError(409, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request.');
      case 'not_failed':
        throw notFailed(outcome.status);
    }
    const correlationId = String(res.getHeader('X-Correlation-ID'));
    // Also on a replay, as on /generate: the queue job's id makes it a no-op once queued.
    await this.queues.queueModel(modelJobData(job, index, modelId, correlationId, outcome.retries));
    await this.confirmReplicated(jobId, [modelId]);
    if (outcome.outcome === 'retried') {
      this.logger.info({ jobId, model: modelId, retries: outcome.retries, ip: this.edge.clientIp(req) }, 'failed model retried');
    }
    const status = (await this.store.get(jobId))?.status ?? 'in_progress';
    res.setHeader('Location', `/status/${jobId}`);
    return { jobId, model: modelId, index, status, statusUrl: `/status/${jobId}`, eventsUrl: `/jobs/${jobId}/events` };
  }

  /**
   * Server-Sent Events: one event per model start, completion, failure, cancellation or retry, then
   * a `completed` event with the full status. Event ids are the job's Redis stream ids, so a client
   * reconnecting with Last-Event-ID gets exactly the events it missed. Comment heartbeats keep
   * proxies from closing idle streams; draining ends the stream and the client reconnects elsewhere.
   * A job that ended and then had a model retried has a `completed` event in the middle of its
   * stream: it is skipped, so the stream ends only at the job's real end.
   */
  @Get('jobs/:jobId/events')
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'Server-Sent Events: model_started, model_completed, model_failed, model_canceled, model_retried, then completed.' })
  @ApiErrors(404, 503)
  async events(@Param('jobId') jobId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (!(await this.store.get(jobId))) throw jobNotFound();
    // A Last-Event-ID Redis would refuse (malformed, or past the largest stream id) replays from the start.
    let cursor = parseStreamId(req.header('last-event-id'));

    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write('retry: 2000\n\n');

    let ended = false;
    let reading: Promise<void> | undefined;
    let readAgain = false;
    const end = () => {
      if (ended) return;
      ended = true;
      this.metrics.eventStreams.dec();
      clearInterval(heartbeat);
      unwatch();
      stopOnShutdown();
      res.end();
    };
    const send = (event: StoredEvent, payload: JobEvent) => {
      res.write(`id: ${event.id}\nevent: ${payload.type}\ndata: ${JSON.stringify(payload)}\n\n`);
      cursor = event.id;
    };
    // Reads everything after the cursor; wake-ups during a read trigger one more read, never a parallel one.
    const read = async (): Promise<void> => {
      do {
        readAgain = false;
        const events = await this.store.eventsAfter(jobId, cursor);
        for (const [position, event] of events.entries()) {
          if (ended) return;
          if (event.type === 'completed') {
            // Read after the events: a job running again (a retry) has not really ended.
            const job = position === events.length - 1 ? await this.store.get(jobId) : undefined;
            if (!job || !isTerminalJobState(job.status)) {
              cursor = event.id;
              continue;
            }
            send(event, { type: 'completed', jobId, status: toStatusResponse(job, this.links.at(Date.now()).url) });
            return end();
          }
          if (event.model) send(event, { type: event.type, jobId, result: toModelResult(event.index, event.model, this.links.at(Date.now()).url) });
        }
      } while (readAgain && !ended);
    };
    const wake = () => {
      if (ended) return;
      if (reading) {
        readAgain = true;
        return;
      }
      reading = read()
        .catch((error: unknown) => this.logger.warn({ err: error, jobId }, 'event stream read failed'))
        .finally(() => (reading = undefined));
    };
    this.metrics.eventStreams.inc();
    const unwatch = this.jobEvents.watch(jobId, wake);
    const stopOnShutdown = this.lifecycle.onShutdown(end);
    // The heartbeat also re-reads, so a lost notification delays an event by one interval at most.
    const heartbeat = setInterval(() => {
      res.write(': heartbeat\n\n');
      wake();
    }, this.config.SSE_HEARTBEAT_MS);
    req.on('close', end);
    wake();
  }
}
