import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { CORRELATION_ID_HEADER, ENHANCE_PROMPT_MAX_LENGTH, type EnhanceResponse, isValidCorrelationId } from '@pixel-prompt/contracts';
import { type Logger, runWithCorrelationId } from '@pixel-prompt/observability';
import { PROMPT_ENHANCER, type PromptEnhancer } from '@pixel-prompt/prompts';
import { ApiError, LOGGER } from '@pixel-prompt/service';
import { ApiBody, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { Edge } from './edge';
import { ApiErrors, openApiSchema } from './openapi';
import { hasVisibleText, parseBody } from './request-body';

/** Longest an enhancer may take; LLM enhancers answer in seconds, the local one at once. */
const ENHANCE_TIMEOUT_MS = 20_000;
/** Largest error report accepted from the web app, measured as its JSON. */
export const LOG_MAX_BYTES = 8 * 1024;

export const enhanceRequestSchema = z
  .object({
    prompt: z
      .string({ error: 'must be a string' })
      .trim()
      .min(1, 'must not be empty')
      .max(ENHANCE_PROMPT_MAX_LENGTH, `must be at most ${ENHANCE_PROMPT_MAX_LENGTH} characters`)
      .refine(hasVisibleText, 'must not be empty'),
  })
  .strict();

const text = (max: number) => z.string({ error: 'must be a string' }).max(max, `must be at most ${max} characters`);

export const logRequestSchema = z
  .object({
    level: z.enum(['error', 'warn', 'info'], { error: 'must be error, warn or info' }),
    message: text(2000).min(1, 'must not be empty'),
    stack: text(6000).optional(),
    url: text(2000).optional(),
    userAgent: text(500).optional(),
    correlationId: text(100).optional(),
    context: z
      .record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]), { error: 'must be an object of short values' })
      .refine((context) => Object.keys(context).length <= 20, 'must have at most 20 entries')
      .optional(),
  })
  .strict();

/** Control characters forge log lines and terminal escapes; newlines and tabs stay, stacks need them. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function clean<T>(value: T): T {
  if (typeof value === 'string') return value.replace(CONTROL, '') as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [clean(k), clean(v)])) as T;
  }
  return value;
}

/** The small routes of the public API: prompt enhancement and the web app's error reports. */
@ApiTags('edge')
@Controller()
export class EdgeController {
  constructor(
    private readonly edge: Edge,
    @Inject(PROMPT_ENHANCER) private readonly enhancer: PromptEnhancer,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post('enhance')
  @HttpCode(200)
  @ApiBody({ schema: openApiSchema(enhanceRequestSchema) })
  @ApiResponse({ status: 200, description: '{original, enhanced}' })
  @ApiErrors(400, 413, 415, 429, 502, 503)
  async enhance(
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<EnhanceResponse> {
    const { prompt } = parseBody(enhanceRequestSchema, body);
    this.edge.screen(prompt, 'prompt');
    await this.edge.admit('enhance', req, res);
    await this.edge.moderate(prompt, 'prompt', res);
    let enhanced: string;
    try {
      enhanced = await this.enhancer.enhance(prompt, AbortSignal.timeout(ENHANCE_TIMEOUT_MS));
    } catch (error) {
      this.logger.warn({ err: error }, 'prompt enhancement failed');
      // Never the original dressed up as enhanced: the client must know nothing was added.
      throw new ApiError(502, 'ENHANCE_FAILED', 'The prompt could not be enhanced right now. Try again, or generate with your own prompt.');
    }
    this.edge.screen(enhanced, 'enhanced prompt');
    await this.edge.moderate(enhanced, 'enhanced prompt', res);
    return { original: prompt, enhanced };
  }

  @Post('log')
  @HttpCode(204)
  @ApiBody({ schema: openApiSchema(logRequestSchema) })
  @ApiResponse({ status: 204, description: 'Logged.' })
  @ApiErrors(400, 413, 415, 429, 503)
  async log(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    if (Buffer.byteLength(JSON.stringify(body ?? null)) > LOG_MAX_BYTES) {
      throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `An error report may be at most ${LOG_MAX_BYTES / 1024} KB.`);
    }
    const report = clean(parseBody(logRequestSchema, body));
    await this.edge.admit('log', req, res);
    const { level, message, correlationId, ...fields } = report;
    // Logged under the correlation id the web app reports (that of the request that failed, when it
    // has one), so one search finds both sides; the report's own request id stays on the line too.
    const own = String(res.getHeader(CORRELATION_ID_HEADER));
    const reported = isValidCorrelationId(correlationId) ? correlationId : own;
    runWithCorrelationId(reported, () => this.logger[level]({ source: 'web', reportRequestId: own, ...fields }, message));
  }
}
