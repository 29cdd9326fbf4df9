import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { type EnhanceResponse, isValidCorrelationId } from '@pixel-prompt/contracts';
import { type Logger, currentCorrelationId, runWithCorrelationId } from '@pixel-prompt/observability';
import { PromptEnhancement, enhanceRequestSchema } from '@pixel-prompt/prompts';
import { ApiError, LOGGER, parseBody } from '@pixel-prompt/service';
import { ApiBody, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { Edge } from './edge';
import { ApiErrors, openApiSchema } from './openapi';

/** Largest error report accepted from the web app, measured as its JSON. */
export const LOG_MAX_BYTES = 8 * 1024;

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

/** The small routes of the public API: prompt enhancement (libs/prompts) and the web app's error reports. */
@ApiTags('edge')
@Controller()
export class EdgeController {
  constructor(
    private readonly edge: Edge,
    private readonly enhancement: PromptEnhancement,
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
    return this.enhancement.enhance(body, () => this.edge.admit('enhance', req, res));
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
    const own = currentCorrelationId() ?? '';
    const reported = isValidCorrelationId(correlationId) ? correlationId : own;
    runWithCorrelationId(reported, () => this.logger[level]({ source: 'web', reportRequestId: own, ...fields }, message));
  }
}
