import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { LivenessResponse, ReadinessResponse } from '@pixel-prompt/contracts';
import { type Logger, currentCorrelationId } from '@pixel-prompt/observability';
import { Lifecycle } from './lifecycle';
import { type ReadinessCheck, runReadinessChecks } from './readiness';
import { LOGGER, READINESS_CHECKS } from './tokens';

/** Well under the default Kubernetes probe timeout, so the probe gets our answer rather than its own. */
export const READINESS_CHECK_TIMEOUT_MS = 2000;

@Controller('health')
export class HealthController {
  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly lifecycle: Lifecycle,
  ) {}

  /** The process is up and its event loop turns. Deliberately checks no dependency. */
  @Get('live')
  live(): LivenessResponse {
    return { status: 'ok' };
  }

  /** Every dependency answers and the process is not draining; 503 naming the failures otherwise. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response): Promise<ReadinessResponse> {
    const outcomes = await runReadinessChecks(this.checks, READINESS_CHECK_TIMEOUT_MS);
    const checks = Object.fromEntries(outcomes.map((o) => [o.name, o.health]));
    const down = outcomes.filter((o) => o.health.status === 'down');
    for (const { name, health, error } of down) {
      this.logger.warn({ dependency: name, reason: health.reason, err: error }, 'readiness check failed');
    }
    if (down.length === 0 && !this.lifecycle.shuttingDown) return { status: 'ok', checks };

    res.status(503);
    const problems = down.map((o) => `${o.name} is ${o.health.reason === 'timeout' ? 'not answering' : 'unreachable'}`);
    if (this.lifecycle.shuttingDown) problems.unshift('the service is shutting down');
    return {
      status: 'unavailable',
      error: 'NOT_READY',
      message: `Not ready: ${problems.join(', ')}.`,
      correlationId: currentCorrelationId() ?? '',
      checks,
    };
  }
}
