import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { type RunningService, TestPrometheus, crdApiVersions, metricSample, scrapeMetrics, startService, waitFor, workspaceRoot } from '@pixel-prompt/testing';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { Pipeline } from './harness';

/**
 * The generation autoscaler's signal, evaluated by a real Prometheus scraping two real gateway
 * replicas while a real worker runs some calls and others wait: the Prometheus Adapter rule the
 * chart documents (deploy/helm/prometheus-adapter-values.yaml), with the matchers the rendered HPA
 * gives it, and the query of the rendered KEDA ScaledObject.
 */

const root = workspaceRoot();
const NAMESPACE = 'pixel-e2e';
const RELEASE = 'e2e';

interface Requirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}
interface MetricSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Requirement[];
}
interface RenderedObject {
  kind: string;
  metadata: { name: string };
  spec: {
    metrics?: { type: string; external?: { metric: { name: string; selector: MetricSelector }; target: { averageValue: string } } }[];
    triggers?: { metadata: { query: string; threshold: string } }[];
  };
}

/** The chart rendered by the real helm for this release and namespace. */
function render(values: string[] = []): RenderedObject[] {
  const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}` };
  const args = [join(root, 'tools/helm/helm.sh'), 'template', RELEASE, join(root, 'deploy/helm/pixel-prompt'), '--namespace', NAMESPACE,
    '-f', join(root, 'deploy/helm/pixel-prompt/values-prod.yaml'), ...crdApiVersions().flatMap((api) => ['--api-versions', api]),
    ...values.flatMap((v) => ['--set', v])];
  const result = spawnSync('bash', args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout).map((d) => d.toJS() as RenderedObject).filter(Boolean);
}

/**
 * `<<.LabelMatchers>>` as the Prometheus Adapter writes it for an External metric: the HPA's
 * namespace (the rule's resource override) and its metric selector, `In` as a regular expression.
 */
function adapterMatchers(selector: MetricSelector): string {
  const matchers = [`namespace="${NAMESPACE}"`];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) matchers.push(`${key}="${value}"`);
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const ops: Record<Requirement['operator'], string> = { In: `=~"${values.join('|')}"`, NotIn: `!~"${values.join('|')}"`, Exists: '!=""', DoesNotExist: '=""' };
    matchers.push(`${key}${ops[operator]}`);
  }
  return matchers.join(',');
}

const registry = [
  'models:',
  '  - { id: stuck, displayName: "Never answers", provider: chaos, providerModel: chaos, timeoutMs: 120000, concurrency: 2, options: { mode: hang } }',
  '  - { id: slow, displayName: "Also never answers", provider: chaos, providerModel: chaos, timeoutMs: 120000, concurrency: 1, options: { mode: hang } }',
].join('\n');

describe('the generation autoscaling signal on a real Prometheus', () => {
  let pipeline: Pipeline;
  let second: RunningService;
  let prometheus: TestPrometheus;
  const jobIds: string[] = [];
  // Per model: calls the worker runs (its concurrency) and calls waiting behind them.
  const expected = { stuck: { active: 2, waiting: 3 }, slow: { active: 1, waiting: 1 } };

  beforeAll(async () => {
    pipeline = await Pipeline.start({ registryYaml: registry });
    second = await startService('gateway', { ...pipeline.env, GALLERY_URL: pipeline.gallery.url });
    for (const [model, { active, waiting }] of Object.entries(expected)) {
      for (let i = 0; i < active + waiting; i++) {
        const { status, body } = await pipeline.submit({ prompt: `scaling signal ${model} ${i}`, models: [model] });
        expect(status).toBe(202);
        jobIds.push(body.jobId);
      }
    }
    await waitFor(
      async () => {
        const exposition = await scrapeMetrics(pipeline.gateway.url);
        return Object.entries(expected).every(([model, counts]) =>
          Object.entries(counts).every(([state, n]) => metricSample(exposition, `pixel_prompt_queue_jobs{model="${model}",state="${state}"}`) === n),
        );
      },
      { what: 'the worker to run and queue the calls', timeoutMs: 30_000 },
    );
    const target = (url: string, i: number) => ({ url, labels: { namespace: NAMESPACE, service: `${RELEASE}-gateway`, pod: `${RELEASE}-gateway-${i}` } });
    prometheus = await TestPrometheus.start({ jobs: [{ name: `${RELEASE}-gateway`, targets: [target(pipeline.gateway.url, 0), target(second.url, 1)] }] });
  });

  afterAll(async () => {
    // Canceling aborts the hanging calls, so the worker stops at once.
    await Promise.all(jobIds.map((id) => fetch(`${pipeline.gateway.url}/jobs/${id}/cancel`, { method: 'POST' }).catch(() => undefined)));
    await prometheus?.stop();
    await pipeline?.stop();
  });

  /** The value of a query once Prometheus has scraped both replicas' current counts. */
  async function value(expr: string): Promise<number> {
    return waitFor(
      async () => {
        const replicas = await prometheus.query(`count(pixel_prompt_queue_jobs{namespace="${NAMESPACE}", model="stuck", state="waiting"} == 3)`);
        if (Number(replicas.data?.result[0]?.value[1]) !== 2) return undefined;
        const answer = await prometheus.query(expr);
        expect({ expr, status: answer.status, error: answer.error }).toEqual({ expr, status: 'success', error: undefined });
        return Number(answer.data?.result[0]?.value[1]);
      },
      { what: `Prometheus to scrape both gateways and answer ${expr}` },
    );
  }

  const calls = Object.values(expected).reduce((n, { active, waiting }) => n + active + waiting, 0);

  it('serves the waiting and running calls of the release, each counted once, through the adapter rule', async () => {
    const hpa = render().find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === `${RELEASE}-generation`);
    const metric = hpa?.spec.metrics?.find((m) => m.type === 'External')?.external;
    const adapter = parseYaml(readFileSync(join(root, 'deploy/helm/prometheus-adapter-values.yaml'), 'utf8')) as {
      rules: { external: { seriesQuery: string; name: { as: string }; metricsQuery: string }[] };
    };
    const rule = adapter.rules.external.find((r) => r.name.as === metric?.metric.name);
    expect(rule).toBeDefined();
    const query = String(rule?.metricsQuery)
      .replaceAll('<<.Series>>', String(metric?.metric.name))
      .replaceAll('<<.LabelMatchers>>', adapterMatchers(metric?.metric.selector ?? {}));
    expect(await value(query)).toBe(calls);
    // The series the rule discovers carry the labels it needs.
    expect(await value(`count(${rule?.seriesQuery})`)).toBeGreaterThan(0);
  });

  it('gives KEDA the same number through the ScaledObject’s query', async () => {
    const scaled = render(['generation.autoscaling.keda.enabled=true', 'generation.autoscaling.keda.prometheusAddress=http://prometheus:9090']).find(
      (o) => o.kind === 'ScaledObject',
    );
    expect(await value(String(scaled?.spec.triggers?.[0]?.metadata.query))).toBe(calls);
  });
});
