import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServiceMetrics {
  registry: Registry;
  httpRequestDuration: Histogram<'route' | 'method' | 'status_code'>;
}

export interface MetricsOptions {
  version: string;
  commit: string;
}

/** Route label for requests no route matched: raw URLs would make the label unbounded. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * A registry per service holding the Node process metrics and the metrics every service shares.
 * Feature code registers its own metrics (named `pixel_prompt_*`) on the same registry.
 */
export function createServiceMetrics({ version, commit }: MetricsOptions): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  new Gauge({
    name: 'pixel_prompt_build_info',
    help: 'Version and commit of the running build; the value is always 1.',
    labelNames: ['version', 'commit'],
    registers: [registry],
  }).set({ version, commit }, 1);

  const httpRequestDuration = new Histogram({
    name: 'pixel_prompt_http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by route template, method and status code.',
    labelNames: ['route', 'method', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  return { registry, httpRequestDuration };
}
