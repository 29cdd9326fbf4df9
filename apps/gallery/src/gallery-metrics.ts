import { Inject, Injectable } from '@nestjs/common';
import { type ServiceMetrics, observeDependencies } from '@pixel-prompt/observability';
import { METRICS, runReadinessChecks } from '@pixel-prompt/service';
import { S3ReadinessCheck } from '@pixel-prompt/storage';

/** What the gallery reports beyond HTTP and S3 metrics: whether S3 answers, asked at every scrape. */
@Injectable()
export class GalleryMetrics {
  constructor(@Inject(METRICS) { registry }: ServiceMetrics, s3Check: S3ReadinessCheck) {
    observeDependencies(registry, (timeoutMs) => runReadinessChecks([s3Check], timeoutMs));
  }
}
