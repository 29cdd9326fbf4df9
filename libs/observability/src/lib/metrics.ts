import type { DependencyHealth } from '@pixel-prompt/contracts';
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

/** One dependency as a readiness check found it (the shape `runReadinessChecks` returns). */
export interface DependencyProbeResult {
  name: string;
  health: DependencyHealth;
}

/**
 * How long one scrape-time read (a dependency check, a queue's depth) may take: well under
 * Prometheus' default 10 s scrape timeout, so one unanswering dependency cannot fail the whole scrape.
 */
export const SCRAPE_READ_TIMEOUT_MS = 2000;

/** `read`'s value, or a rejection once SCRAPE_READ_TIMEOUT_MS has passed without one. */
export async function withinScrapeTimeout<T>(read: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${SCRAPE_READ_TIMEOUT_MS} ms`)), SCRAPE_READ_TIMEOUT_MS);
  });
  try {
    return await Promise.race([read, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Registers `pixel_prompt_dependency_up`: 1 when a dependency answers its readiness check, 0 when it
 * does not, asked at scrape time. Alerts can then see an unreachable Redis from the services' own
 * metrics, without kube-state-metrics and even while the pod is out of its Service's endpoints.
 */
export function observeDependencies(
  registry: Registry,
  probe: (timeoutMs: number) => Promise<DependencyProbeResult[]>,
): void {
  new Gauge({
    name: 'pixel_prompt_dependency_up',
    help: 'Whether a dependency (redis, s3) answered its readiness check at scrape time: 1 up, 0 down.',
    labelNames: ['dependency'],
    registers: [registry],
    async collect() {
      for (const { name, health } of await probe(SCRAPE_READ_TIMEOUT_MS)) {
        this.set({ dependency: name }, health.status === 'up' ? 1 : 0);
      }
    },
  });
}
