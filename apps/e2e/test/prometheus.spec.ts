import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { STYLE_IDS } from '@pixel-prompt/imaging';
import { FakeProviderServer, type RunningService, TestPrometheus, freePort, json, readSse, startService, waitFor, workspaceRoot } from '@pixel-prompt/testing';
import { parse as parseYaml } from 'yaml';
import { Pipeline, registryYaml } from './harness';

/**
 * The chart's Grafana dashboards and alert rules, evaluated by a real Prometheus scraping the real
 * services after real traffic: every query must parse, and every panel must show data unless this
 * scenario cannot produce its series (listed below with the reason).
 */

const chart = join(workspaceRoot(), 'deploy/helm/pixel-prompt');
const NAMESPACE = 'pixel-e2e';
// Scrape jobs are named <release>-<service>, as the chart's ServiceMonitors name them.
const RELEASE = 'e2e';

// What Grafana would put in for each variable here: the All value for models; rate windows wider
// than the whole scenario, so every rate spans both rounds of traffic.
const VARIABLES: Record<string, string> = {
  namespace: NAMESPACE,
  release: RELEASE,
  model: '.*',
  __rate_interval: '1m',
  __range: '5m',
};

/** Series that cannot exist without Kubernetes or a failing S3; their queries must still parse. */
const EMPTY_HERE: Record<string, string> = {
  'runtime: Container CPU by pod': 'cadvisor series come from the kubelet; these services run as plain processes',
  'runtime: Container memory vs limit': 'cadvisor and kube-state-metrics series need a cluster',
  'runtime: HPA replicas: current vs desired': 'kube-state-metrics series need HorizontalPodAutoscalers in a cluster',
  'runtime: Container restarts': 'kube-state-metrics series need pods in a cluster',
  'overview: S3 retries': 's3rver answers every request at the first attempt, so the SDK never retries',
};

interface Target {
  refId: string;
  expr: string;
}
interface Panel {
  type: string;
  title: string;
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  definition?: string;
  regex?: string;
}
interface Dashboard {
  panels: Panel[];
  templating: { list: Variable[] };
}

const dashboardsDir = join(chart, 'files/dashboards');
const dashboards = readdirSync(dashboardsDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({ name: file.replace(/\.json$/, ''), ...(JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as Dashboard) }));

// Rows are layout: the panels inside a collapsed row are the ones with queries.
const panels = dashboards.flatMap((d) =>
  d.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row').map((p) => ({ key: `${d.name}: ${p.title}`, panel: p })),
);
const queries = panels.flatMap(({ key, panel }) => (panel.targets ?? []).map((t) => ({ key, label: `${key} [${t.refId}]`, expr: t.expr })));
const withData = queries.filter((q) => !(q.key in EMPTY_HERE)).map((q) => [q.label, q.expr] as const);
const emptyHere = queries.filter((q) => q.key in EMPTY_HERE).map((q) => [q.label, EMPTY_HERE[q.key], q.expr] as const);

const variables = dashboards.flatMap((d) => d.templating.list.filter((v) => v.type === 'query').map((v) => [`${d.name}: $${v.name}`, v] as const));

const rulesFile = join(chart, 'files/alerts/pixel-prompt.rules.yaml');
const alerts = (parseYaml(readFileSync(rulesFile, 'utf8')) as { groups: { rules: { alert?: string; record?: string; expr: string }[] }[] }).groups
  .flatMap((g) => g.rules)
  // The chart's PrometheusRule template puts the release's namespace and name in for these.
  .map((r) => [r.alert ?? r.record ?? '', String(r.expr).replaceAll('__NAMESPACE__', NAMESPACE).replaceAll('__FULLNAME__', RELEASE)] as const);

/** Replaces Grafana variables; an unknown one fails the test rather than matching nothing. */
function substitute(text: string): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    const value = VARIABLES[braced ?? bare ?? ''];
    if (value === undefined) throw new Error(`no value for ${whole} in ${text}`);
    return value;
  });
}

const styles = STYLE_IDS.slice(0, 2);
const [fast, other] = styles as [string, string];
const registry = registryYaml(
  styles,
  64,
  [
    '  - { id: broken, displayName: "Always fails", provider: chaos, providerModel: chaos, options: { mode: fail } }',
    '  - { id: stuck, displayName: "Never answers", provider: chaos, providerModel: chaos, timeoutMs: 1000, options: { mode: hang } }',
  ].join('\n'),
);
const BLOCKED_TERM = 'forbiddenword';
/** Texts the stand-in moderation service flags; everything else passes. */
const FLAGGED_TERM = 'flaggedword';

describe('dashboards and alerts on a real Prometheus', () => {
  let pipeline: Pipeline;
  /** A second gateway replica with a one-request budget and an unreachable gallery: 429s and 503s. */
  let strictGateway: RunningService;
  let prometheus: TestPrometheus;
  /** OpenAI's moderation API, as the gateways' hosted moderation stage (MODERATION=openai) calls it. */
  let moderation: FakeProviderServer;

  const query = (expr: string) => prometheus.query(expr);

  async function startPrometheus(): Promise<void> {
    // The labels a ServiceMonitor adds in the cluster, so the dashboards' filters apply as there.
    const job = (service: string, urls: string[]) => ({
      name: `${RELEASE}-${service}`,
      targets: urls.map((url, i) => ({ url, labels: { namespace: NAMESPACE, service: `${RELEASE}-${service}`, pod: `${RELEASE}-${service}-${i}` } })),
    });
    prometheus = await TestPrometheus.start({
      jobs: [
        job('gateway', [pipeline.gateway.url, strictGateway.url]),
        job('generation', [pipeline.generation?.url ?? '']),
        job('gallery', [pipeline.gallery.url]),
      ],
    });
  }

  /** What the scenario did so far; Prometheus must have scraped exactly this before the next step. */
  const done = { finished: 0, timeouts: 0, limited: 0, refused: 0, unavailable: 0, galleryReads: 0, moderated: 0 };

  async function scraped(): Promise<void> {
    const expected: [string, number][] = [
      [`sum(pixel_prompt_jobs_finished_total{job="${RELEASE}-generation"})`, done.finished],
      [`sum(pixel_prompt_model_results_total{outcome="timeout"})`, done.timeouts],
      [`sum(pixel_prompt_rate_limit_decisions_total{outcome="limited"})`, done.limited],
      [`sum(pixel_prompt_content_filter_refusals_total)`, done.refused],
      [`sum(pixel_prompt_moderation_checks_total)`, done.moderated],
      [`sum(pixel_prompt_http_request_duration_seconds_count{job="${RELEASE}-gateway", status_code="503"})`, done.unavailable],
      [`sum(pixel_prompt_http_request_duration_seconds_count{job="${RELEASE}-gallery", route=~"/gallery.*|/images.*"})`, done.galleryReads],
    ];
    for (const [expr, value] of expected) {
      await waitFor(async () => Number((await query(expr)).data?.result[0]?.value[1]) === value, {
        what: `Prometheus to scrape ${expr} == ${value}`,
        timeoutMs: 20_000,
      });
    }
  }

  /**
   * One round of what users do. Labelled counters appear at their first increment, and rate() needs
   * an increase between two scrapes, so the scenario runs twice with a scrape in between.
   */
  async function round(n: number): Promise<void> {
    const submissions = [[fast, other], [fast, 'broken'], ['broken'], ['stuck', other]];
    const jobIds: string[] = [];
    for (const models of submissions) {
      const { status, body } = await pipeline.submit({ prompt: `round ${n}: ${models.join(' and ')}`, seed: n, models });
      expect(status).toBe(202);
      jobIds.push(body.jobId);
    }
    // A browser watching the first job: the stream ends when the job does.
    const stream = await readSse(`${pipeline.gateway.url}/jobs/${jobIds[0]}/events`);
    expect(stream.status).toBe(200);

    // The strict replica's one-request budget (per client, per day) is spent by the first request ever.
    const budgeted: number[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${strictGateway.url}/generate`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ prompt: `round ${n}: over budget`, models: [fast] }),
      });
      const body = (await res.json()) as { jobId: string };
      if (res.status === 202) jobIds.push(body.jobId);
      budgeted.push(res.status);
    }
    expect(budgeted).toEqual(n === 1 ? [202, 429] : [429, 429]);
    done.limited += budgeted.filter((status) => status === 429).length;
    const refused = await pipeline.submit({ prompt: `a ${BLOCKED_TERM} in round ${n}`, models: [fast] });
    expect(refused.body.error).toBe('INAPPROPRIATE_CONTENT');
    const flagged = await pipeline.submit({ prompt: `a ${FLAGGED_TERM} in round ${n}`, models: [fast] });
    expect(flagged.body.error).toBe('INAPPROPRIATE_CONTENT');
    done.refused += 2;
    // Every text past the word list and the rate limit is moderated: passed, or the flagged one.
    done.moderated = moderation.requests.length;

    const jobs = await Promise.all(jobIds.map((id) => pipeline.terminal(id)));
    expect(jobs.map((j) => j.status).slice(0, 4)).toEqual(['completed', 'partial', 'failed', 'partial']);
    done.finished += jobs.length;
    done.timeouts += 1;

    const api = pipeline.gateway.url;
    expect((await fetch(`${api}/gallery/list?limit=5`)).status).toBe(200);
    const detail = (await (await fetch(`${api}/gallery/${jobIds[0]}`)).json()) as { images: { url: string }[] };
    expect((await fetch(`${api}${detail.images[0]?.url ?? ''}`)).status).toBe(200);
    done.galleryReads += 3;
    expect((await fetch(`${strictGateway.url}/gallery/list`)).status).toBe(503);
    done.unavailable += 1;

    await scraped();
  }

  beforeAll(async () => {
    moderation = await FakeProviderServer.start();
    moderation.handle((request, res) => {
      const flagged = String(JSON.parse(request.body.toString()).input).includes(FLAGGED_TERM);
      json(res, 200, { id: 'modr-e2e', model: 'omni-moderation-latest', results: [{ flagged, categories: { violence: flagged }, category_scores: {} }] });
    });
    pipeline = await Pipeline.start({
      registryYaml: registry,
      env: { CONTENT_FILTER_BLOCKED: BLOCKED_TERM, MODERATION: 'openai', MODERATION_BASE_URL: moderation.url, OPENAI_API_KEY: 'sk-e2e-moderation-0123456789' },
    });
    strictGateway = await startService('gateway', {
      ...pipeline.env,
      RATE_LIMIT_ALLOWLIST: '',
      RATE_LIMIT_IP_PER_DAY: '1',
      GALLERY_URL: `http://127.0.0.1:${await freePort()}`,
    });
    await startPrometheus();
    await round(1);
    await round(2);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await pipeline?.stop();
    await moderation?.close();
  });

  it('finds the three dashboards, every panel with a query', () => {
    expect(dashboards.map((d) => d.name).sort()).toEqual(['models', 'overview', 'runtime']);
    expect(panels.filter(({ panel }) => !panel.targets?.some((t) => t.expr)).map((p) => p.key)).toEqual([]);
  });

  it.each(withData)('%s returns data', async (_label, expr) => {
    const answer = await query(substitute(expr));
    expect({ status: answer.status, error: answer.error }).toEqual({ status: 'success', error: undefined });
    expect(answer.data?.resultType).toBe('vector');
    const values = (answer.data?.result ?? []).map((s) => Number(s.value[1]));
    expect(values.filter(Number.isFinite)).not.toEqual([]);
  });

  it.each(emptyHere)('%s parses (no data here: %s)', async (_label, _reason, expr) => {
    const answer = await query(substitute(expr));
    expect({ status: answer.status, error: answer.error }).toEqual({ status: 'success', error: undefined });
    expect(answer.data?.result).toEqual([]);
  });

  it('lists as empty only panels the dashboards have', () => {
    const keys = new Set(panels.map((p) => p.key));
    expect(Object.keys(EMPTY_HERE).filter((key) => !keys.has(key))).toEqual([]);
  });

  it.each(variables)('variable %s offers this deployment', async (_label, variable) => {
    // label_values(<selector>, <label>): the values of <label> on the series the selector matches.
    const [, selector, label] = /^label_values\((.+),\s*(\w+)\)$/.exec(variable.definition ?? '') ?? [];
    expect({ selector, label }).toEqual({ selector: expect.any(String), label: expect.any(String) });
    const url = `${prometheus.url}/api/v1/label/${label}/values?${new URLSearchParams({ 'match[]': substitute(selector ?? '') })}`;
    const answer = (await (await fetch(url)).json()) as { status: string; data: string[] };
    expect(answer.status).toBe('success');
    // Grafana keeps the first capture group of the variable's regex.
    const pattern = variable.regex ? new RegExp(variable.regex.slice(1, -1)) : undefined;
    const offered = answer.data.map((value) => (pattern ? pattern.exec(value)?.[1] : value));
    const expected: Record<string, string[]> = { namespace: [NAMESPACE], release: [RELEASE], model: [...styles, 'broken', 'stuck'] };
    expect([...new Set(offered)].sort()).toEqual([...(expected[variable.name] ?? [])].sort());
  });

  it.each(alerts)('alert %s evaluates', async (_name, expr) => {
    const answer = await query(expr);
    expect({ expr, status: answer.status, error: answer.error }).toEqual({ expr, status: 'success', error: undefined });
  });
});
