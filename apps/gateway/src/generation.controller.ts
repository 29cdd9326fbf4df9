import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { type GenerateAccepted, IDEMPOTENCY_KEY_HEADER, type ModelsResponse, type RetryAccepted } from '@pixel-prompt/contracts';
import { EVENT_STREAM_HEADERS, GenerationService, JobEventStreams, type Requester, generateRequestSchema } from '@pixel-prompt/generation';
import { sendJsonDocument } from '@pixel-prompt/service';
import { ApiBody, ApiHeader, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Edge } from './edge';
import { ApiErrors, openApiSchema } from './openapi';

/** The generation routes of the public API; the use case is libs/generation's. */
@ApiTags('generation')
@Controller()
export class GenerationController {
  constructor(
    private readonly generation: GenerationService,
    private readonly streams: JobEventStreams,
    private readonly edge: Edge,
  ) {}

  /** The enabled models, in display order, each with the controls it honours (so the UI can say so). */
  @Get('models')
  models(): ModelsResponse {
    return this.generation.models();
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
    const accepted = await this.generation.submit(body, idempotencyKey, this.requester(req, res));
    res.setHeader('Location', accepted.statusUrl);
    return accepted;
  }

  @Get('status/:jobId')
  @ApiResponse({ status: 200, description: 'The job with one result per model.' })
  @ApiErrors(404, 503)
  async status(@Param('jobId') jobId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const document = await this.generation.status(jobId);
    sendJsonDocument(req, res, document, document.cacheControl);
  }

  @Post('jobs/:jobId/cancel')
  @HttpCode(202)
  @ApiErrors(404, 409, 503)
  cancel(@Param('jobId') jobId: string): Promise<{ jobId: string; canceledModels: number }> {
    return this.generation.cancel(jobId);
  }

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
    const accepted = await this.generation.retry(jobId, modelId, idempotencyKey, this.requester(req, res));
    res.setHeader('Location', accepted.statusUrl);
    return accepted;
  }

  /** Server-Sent Events (see JobEventStream): Last-Event-ID resumes exactly; draining ends the stream. */
  @Get('jobs/:jobId/events')
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'Server-Sent Events: model_started, model_completed, model_failed, model_canceled, model_retried, then completed.' })
  @ApiErrors(404, 503)
  async events(@Param('jobId') jobId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const stream = await this.streams.stream(jobId, req.header('last-event-id'), { write: (frame) => res.write(frame), end: () => res.end() });
    res.status(200).set(EVENT_STREAM_HEADERS);
    res.flushHeaders();
    req.on('close', () => stream.close());
    stream.start();
  }

  /** Generations spend the client's `generate` budget. */
  private requester(req: Request, res: Response): Requester {
    return { admit: () => this.edge.admit('generate', req, res), ip: this.edge.clientIp(req) };
  }
}
