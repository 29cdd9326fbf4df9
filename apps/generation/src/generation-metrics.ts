import { Inject, Injectable } from '@nestjs/common';
import type { ServiceMetrics } from '@pixel-prompt/observability';
import { METRICS } from '@pixel-prompt/service';
import { Counter, Histogram } from 'prom-client';

/**
 * What the worker reports. Labels are bounded: model ids from the registry, outcome codes (`completed`
 * or a lower-case ModelErrorCode such as `timeout`), job states.
 */
@Injectable()
export class GenerationMetrics {
  readonly modelDuration: Histogram<'model' | 'outcome'>;
  readonly modelResults: Counter<'model' | 'outcome'>;
  readonly imageBytes: Counter<'model'>;
  readonly jobsFinished: Counter<'status'>;

  constructor(@Inject(METRICS) { registry }: ServiceMetrics) {
    this.modelDuration = new Histogram({
      name: 'pixel_prompt_model_duration_seconds',
      help: 'Time from a model call starting to its image being stored (or its failure), by model and outcome.',
      labelNames: ['model', 'outcome'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
      registers: [registry],
    });
    this.modelResults = new Counter({
      name: 'pixel_prompt_model_results_total',
      help: 'Model calls that ended, by model and outcome (completed or an error code such as timeout).',
      labelNames: ['model', 'outcome'],
      registers: [registry],
    });
    this.imageBytes = new Counter({
      name: 'pixel_prompt_image_bytes_stored_total',
      help: 'Bytes of images, thumbnails and tiles written to S3, by model.',
      labelNames: ['model'],
      registers: [registry],
    });
    this.jobsFinished = new Counter({
      name: 'pixel_prompt_jobs_finished_total',
      help: 'Generation jobs that ended, by final status (completed, partial, failed, canceled).',
      labelNames: ['status'],
      registers: [registry],
    });
  }
}
