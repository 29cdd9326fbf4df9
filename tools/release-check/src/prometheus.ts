import type { Findings } from './findings';

/** The services that export metrics; the chart's ServiceMonitors name their scrape jobs <release>-<service>. */
const SERVICES = ['gateway', 'generation', 'gallery'] as const;
/** The services users' requests reach (generation answers only probes and scrapes). */
const SERVING = ['gateway', 'gallery'] as const;
/** Probes, scrapes and long-lived event streams say nothing about what users wait for. */
const NOT_USER_ROUTES = '.*/health/.*|/metrics|.*/events';
/** The seeds' bound on failed requests. */
export const MAX_ERROR_RATIO = 0.01;
/** Per-service p95 bound: PixelPromptSubmitLatencyHigh's threshold, applied to every user route. */
export const MAX_P95_SECONDS = 1;
/** PixelPromptOldestJobTooOld's threshold. */
export const MAX_OLDEST_WAITING_SECONDS = 300;

export interface PrometheusTarget {
  /** Base URL of the Prometheus HTTP API (http://prometheus-operated.monitoring:9090). */
  url: string;
  release: string;
  namespace: string;
  windowMinutes: number;
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  error?: string;
  data: T;
}

async function get<T>(target: PrometheusTarget, path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(new URL(path, target.url), { ...init, signal: AbortSignal.timeout(30_000) });
  const answer = (await res.json()) as ApiAnswer<T>;
  if (answer.status !== 'success') throw new Error(`Prometheus ${path}: ${answer.error ?? res.status}`);
  return answer.data;
}

async function query(target: PrometheusTarget, expr: string): Promise<Sample[]> {
  const data = await get<{ result: Sample[] }>(target, '/api/v1/query', { method: 'POST', body: new URLSearchParams({ query: expr }) });
  return data.result;
}

/** `pixel_prompt_jobs_submitted_total` summed over the gateway replicas, 0 before the first job. */
export async function submittedJobs(target: PrometheusTarget): Promise<number> {
  const [sample] = await query(target, `sum(pixel_prompt_jobs_submitted_total{namespace="${target.namespace}", job="${target.release}-gateway"})`);
  return sample ? Number(sample.value[1]) : 0;
}

/**
 * What Prometheus knows of the release: every service scraped, no alert firing, and over the last
 * window the services' own histograms' error ratio and p95 latency, and the queues. With
 * `smokeBaseline` (jobs submitted before the smoke test), it first waits until Prometheus has seen
 * the smoke test's job, so the numbers include it and the scrape path is proven end to end.
 */
export async function checkPrometheus(target: PrometheusTarget, findings: Findings, smokeBaseline?: number): Promise<void> {
  const { namespace, release } = target;
  const window = `${target.windowMinutes}m`;
  const jobs = (services: readonly string[]) => `job=~"${release}-(${services.join('|')})"`;

  if (smokeBaseline !== undefined) {
    const deadline = Date.now() + 120_000;
    let seen = await submittedJobs(target);
    while (seen <= smokeBaseline && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      seen = await submittedJobs(target);
    }
    if (seen > smokeBaseline) findings.pass('deployment', 'Scraped after the smoke test', `pixel_prompt_jobs_submitted_total rose from ${smokeBaseline} to ${seen}`);
    else findings.fail('deployment', 'Scraped after the smoke test', `Prometheus did not see the smoke test's job within 120 s (pixel_prompt_jobs_submitted_total still ${seen})`);
  }

  const { activeTargets } = await get<{ activeTargets: { labels: Record<string, string>; health: string; lastError: string; scrapeUrl: string }[] }>(target, '/api/v1/targets?state=active');
  const problems = SERVICES.flatMap((service) => {
    const ours = activeTargets.filter((t) => t.labels['namespace'] === namespace && t.labels['job'] === `${release}-${service}`);
    if (ours.length === 0) return [`no scrape target for ${release}-${service} (is its ServiceMonitor selected by this Prometheus?)`];
    findings.fact('performance', `${service}: scrape targets up`, `${ours.filter((t) => t.health === 'up').length} of ${ours.length}`);
    return ours.filter((t) => t.health !== 'up').map((t) => `${t.scrapeUrl} is ${t.health}: ${t.lastError}`);
  });
  findings.passUnless('deployment', 'Scrape targets', problems, `every pod of ${SERVICES.join(', ')} is scraped and up`);

  const builds = await query(target, `count by (job, version, commit) (pixel_prompt_build_info{namespace="${namespace}", ${jobs(SERVICES)}})`);
  findings.fact('deployment', 'Running builds (Prometheus)', builds.map((s) => `${s.metric['job']} ${s.metric['version']} (${s.metric['commit']}) ×${s.value[1]}`).join('; ') || 'none reported');

  const { alerts } = await get<{ alerts: { labels: Record<string, string>; state: string; activeAt: string }[] }>(target, '/api/v1/alerts');
  const ours = alerts.filter((a) => a.labels['namespace'] === namespace);
  const describe = (a: (typeof ours)[number]) => `${a.labels['alertname']}${a.labels['job'] ? ` (${a.labels['job']}${a.labels['model'] ? `, model ${a.labels['model']}` : ''})` : ''} since ${a.activeAt}`;
  const firing = ours.filter((a) => a.state === 'firing');
  const pending = ours.filter((a) => a.state === 'pending');
  if (firing.length) findings.fail('deployment', 'Alerts', `firing: ${firing.map(describe).join('; ')}`);
  else if (pending.length) findings.warn('deployment', 'Alerts', `none firing; pending: ${pending.map(describe).join('; ')}`);
  else findings.pass('deployment', 'Alerts', `none firing or pending in namespace ${namespace}`);

  const requests = (series: '_count' | '_bucket', matchers = '') =>
    `pixel_prompt_http_request_duration_seconds${series}{namespace="${namespace}", ${jobs(SERVING)}, route!~"${NOT_USER_ROUTES}"${matchers}}`;
  const errorsBy = await query(target, `sum by (job) (rate(${requests('_count', ', status_code=~"5.."')}[${window}]))`);
  const totalsBy = await query(target, `sum by (job) (rate(${requests('_count')}[${window}]))`);
  const latencyBy = await query(target, `histogram_quantile(0.95, sum by (job, le) (rate(${requests('_bucket')}[${window}])))`);
  for (const service of SERVING) {
    const job = `${release}-${service}`;
    const total = Number(totalsBy.find((s) => s.metric['job'] === job)?.value[1] ?? 0);
    if (total === 0) {
      findings.warn('performance', `${service}: errors and latency`, `no user requests in the last ${window}`);
      continue;
    }
    const errors = Number(errorsBy.find((s) => s.metric['job'] === job)?.value[1] ?? 0);
    const ratio = errors / total;
    const p95 = Number(latencyBy.find((s) => s.metric['job'] === job)?.value[1]);
    findings.fact('performance', `${service}: requests (last ${window})`, `${(total * 60).toFixed(1)}/min, ${(ratio * 100).toFixed(2)}% 5xx, p95 ${formatSeconds(p95)}`);
    const problems = [];
    if (ratio > MAX_ERROR_RATIO) problems.push(`${(ratio * 100).toFixed(2)}% of requests answered 5xx (bound ${MAX_ERROR_RATIO * 100}%)`);
    if (p95 > MAX_P95_SECONDS) problems.push(`p95 ${formatSeconds(p95)} (bound ${MAX_P95_SECONDS} s)`);
    findings.passUnless('performance', `${service}: errors and latency`, problems, `${(ratio * 100).toFixed(2)}% 5xx, p95 ${formatSeconds(p95)} over ${window}`);
  }

  // Every gateway replica reports the same queue numbers, read from the shared Redis: max, never sum.
  const queue = `namespace="${namespace}", job="${release}-gateway"`;
  const [waiting] = await query(target, `sum(max by (model) (pixel_prompt_queue_jobs{${queue}, state="waiting"}))`);
  const [active] = await query(target, `sum(max by (model) (pixel_prompt_queue_jobs{${queue}, state="active"}))`);
  const [oldest] = await query(target, `max(pixel_prompt_queue_oldest_waiting_age_seconds{${queue}})`);
  const oldestSeconds = Number(oldest?.value[1] ?? 0);
  findings.fact('performance', 'Queues now', `${waiting?.value[1] ?? 0} waiting, ${active?.value[1] ?? 0} active, oldest waiting ${formatSeconds(oldestSeconds)}`);
  if (oldestSeconds > MAX_OLDEST_WAITING_SECONDS) findings.fail('performance', 'Queue wait', `the oldest waiting job has waited ${formatSeconds(oldestSeconds)} (bound ${MAX_OLDEST_WAITING_SECONDS} s)`);
  else findings.pass('performance', 'Queue wait', `oldest waiting job ${formatSeconds(oldestSeconds)} (bound ${MAX_OLDEST_WAITING_SECONDS} s)`);
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unknown';
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(1)} s`;
}

