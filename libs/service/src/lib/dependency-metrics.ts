import { Inject, Injectable } from '@nestjs/common';
import { type ServiceMetrics, observeDependencies } from '@pixel-prompt/observability';
import { type ReadinessCheck, runReadinessChecks } from './readiness';
import { METRICS, READINESS_CHECKS } from './tokens';

/**
 * `pixel_prompt_dependency_up` for every dependency the service's readiness probe checks, asked
 * again at each scrape. Its own provider: the checks may use METRICS (S3 does), so METRICS cannot
 * wait for them.
 */
@Injectable()
export class DependencyMetrics {
  constructor(@Inject(METRICS) { registry }: ServiceMetrics, @Inject(READINESS_CHECKS) checks: ReadinessCheck[]) {
    observeDependencies(registry, (timeoutMs) => runReadinessChecks(checks, timeoutMs));
  }
}
