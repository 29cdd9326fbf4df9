import { Inject, Injectable } from '@nestjs/common';
import { GenerationQueues, headOfLineWaitSeconds } from '@pixel-prompt/jobs';
import { ModelRegistry } from '@pixel-prompt/models';
import { type Logger, type ServiceMetrics, withinScrapeTimeout } from '@pixel-prompt/observability';
import { LOGGER, METRICS } from '@pixel-prompt/service';
import { Gauge } from 'prom-client';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/**
 * Each model queue's depth and head-of-line wait, read from Redis at scrape time (submissions and
 * open event streams are counted by libs/generation). The gateway reports the queues because it
 * always runs, also when no generation worker does (which is when they matter); every replica
 * reports the same queues.
 * Each read is bounded: Bull holds commands while Redis is down, which would otherwise hang the
 * scrape and hide every metric, the Redis outage included.
 */
@Injectable()
export class GatewayMetrics {
  constructor(
    @Inject(METRICS) { registry }: ServiceMetrics,
    registry_: ModelRegistry,
    queues: GenerationQueues,
    @Inject(LOGGER) logger: Logger,
  ) {
    new Gauge({
      name: 'pixel_prompt_queue_jobs',
      help: 'Jobs in each model queue by state (waiting, active, delayed, failed), read at scrape time.',
      labelNames: ['model', 'state'],
      registers: [registry],
      async collect() {
        await Promise.all(
          registry_.enabled.map(async ({ id }) => {
            try {
              const counts = await withinScrapeTimeout(queues.model(id).getJobCounts());
              for (const state of QUEUE_STATES) this.set({ model: id, state }, counts[state]);
            } catch (error) {
              // No number rather than the last one: an outdated depth would mislead the autoscaler.
              for (const state of QUEUE_STATES) this.remove({ model: id, state });
              logger.debug({ err: error, model: id }, 'queue depth unavailable');
            }
          }),
        );
      },
    });
    new Gauge({
      name: 'pixel_prompt_queue_oldest_waiting_age_seconds',
      help: 'Seconds the next waiting job of each model queue has waited since submission (0 when none waits), read at scrape time.',
      labelNames: ['model'],
      registers: [registry],
      async collect() {
        await Promise.all(
          registry_.enabled.map(async ({ id }) => {
            try {
              this.set({ model: id }, await withinScrapeTimeout(headOfLineWaitSeconds(queues.model(id))));
            } catch (error) {
              this.remove({ model: id });
              logger.debug({ err: error, model: id }, 'queue wait unavailable');
            }
          }),
        );
      },
    });
  }
}
