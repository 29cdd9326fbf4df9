import { Inject, Injectable } from '@nestjs/common';
import { GenerationQueues } from '@pixel-prompt/jobs';
import { ModelRegistry } from '@pixel-prompt/models';
import type { Logger, ServiceMetrics } from '@pixel-prompt/observability';
import { LOGGER, METRICS } from '@pixel-prompt/service';
import { Counter, Gauge } from 'prom-client';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/**
 * Submissions, and queue depth per model read from Redis at scrape time. The gateway reports the
 * queues because it always runs, also when no generation worker does (which is when depth matters).
 */
@Injectable()
export class GatewayMetrics {
  readonly jobsSubmitted: Counter;
  readonly eventStreams: Gauge;

  constructor(
    @Inject(METRICS) { registry }: ServiceMetrics,
    registry_: ModelRegistry,
    queues: GenerationQueues,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.jobsSubmitted = new Counter({
      name: 'pixel_prompt_jobs_submitted_total',
      help: 'Generation jobs accepted by POST /generate (idempotent replays not counted).',
      registers: [registry],
    });
    this.eventStreams = new Gauge({
      name: 'pixel_prompt_sse_connections',
      help: 'Server-Sent Event streams this replica holds open now.',
      registers: [registry],
    });
    new Gauge({
      name: 'pixel_prompt_queue_jobs',
      help: 'Jobs in each model queue by state (waiting, active, delayed, failed), read at scrape time.',
      labelNames: ['model', 'state'],
      registers: [registry],
      async collect() {
        await Promise.all(
          registry_.enabled.map(async ({ id }) => {
            try {
              const counts = await queues.model(id).getJobCounts();
              for (const state of QUEUE_STATES) this.set({ model: id, state }, counts[state]);
            } catch (error) {
              logger.debug({ err: error, model: id }, 'queue depth unavailable');
            }
          }),
        );
      },
    });
  }
}
