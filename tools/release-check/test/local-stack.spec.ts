import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ManagedProcess, TestPrometheus, freePort, startProcess, waitFor } from '@pixel-prompt/testing';
import type { Check } from '../src/findings';
import { root, runCli } from './cluster';

const RELEASE = 'local';
const NAMESPACE = 'pixel-local';
/** An alert that always fires, in another namespace: it must fail that namespace only. */
const OTHER_NAMESPACE = 'pixel-elsewhere';

/** The seeds' staging verification report, in order. */
const SECTIONS = ['Deployment info', 'Smoke tests', 'Functional', 'Performance', 'Security', 'Issues found', 'Sign-off'];

/** The report's `## ` sections, each with its non-blank lines. */
function sections(markdown: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('## ')) found.set(line.slice(3), (current = []));
    else if (current && line.trim()) current.push(line);
  }
  return found;
}

/**
 * The smoke, functional and Prometheus parts against the local stack as `npm start` runs it (the
 * built services, real Redis and s3rver) at its web server's URL, which routes as the Ingress's one
 * rule does (/api to the gateway, path unchanged), and a real Prometheus scraping the services with the labels a ServiceMonitor adds, evaluating the chart's
 * alert rules.
 */
describe('release-check verify against the local stack and a real Prometheus', () => {
  let stack: ManagedProcess;
  let prometheus: TestPrometheus;
  let url: string;
  let gatewayUrl: string;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'pp-release-check-'));
    const ports = Object.fromEntries(await Promise.all(['WEB', 'GATEWAY', 'GENERATION', 'GALLERY', 'S3', 'REDIS'].map(async (n) => [n, await freePort()] as const)));
    const env = { ...process.env, PP_STATE_DIR: join(work, 'stack'), REDIS_URL: '', LOG_LEVEL: 'warn', ...Object.fromEntries(Object.entries(ports).map(([n, p]) => [`PP_${n}_PORT`, String(p)])) };
    // The test target builds the apps first; --skip-build leaves the stack's own build out.
    stack = await startProcess(process.execPath, [join(root, 'tools/stack/stack.mjs'), '--skip-build'], { cwd: root, env });
    await waitFor(() => stack.lines.some((l) => l.includes('Pixel Prompt is running')) || (!stack.running && Promise.reject(new Error(stack.output()))), {
      what: 'the local stack to start',
      timeoutMs: 90_000,
    });
    gatewayUrl = `http://127.0.0.1:${ports['GATEWAY']}`;
    url = `http://127.0.0.1:${ports['WEB']}`;

    // The chart's alert rules as its PrometheusRule template fills them in, and one that always fires elsewhere.
    const rules = readFileSync(join(root, 'deploy/helm/pixel-prompt/files/alerts/pixel-prompt.rules.yaml'), 'utf8')
      .replaceAll('__RUNBOOK_URL__', 'https://runbook.example.com')
      .replaceAll('__NAMESPACE__', NAMESPACE)
      .replaceAll('__FULLNAME__', RELEASE);
    writeFileSync(join(work, 'chart.rules.yaml'), rules);
    const elsewhere = { groups: [{ name: 'elsewhere', rules: [{ alert: 'ElsewhereAlwaysFiring', expr: 'vector(1)', labels: { namespace: OTHER_NAMESPACE, job: `${RELEASE}-gateway` } }] }] };
    writeFileSync(join(work, 'elsewhere.rules.yaml'), JSON.stringify(elsewhere));
    prometheus = await TestPrometheus.start({
      jobs: ['gateway', 'generation', 'gallery'].map((service) => ({
        name: `${RELEASE}-${service}`,
        targets: [{ url: `http://127.0.0.1:${ports[service.toUpperCase()]}`, labels: { namespace: NAMESPACE, service: `${RELEASE}-${service}`, pod: `${RELEASE}-${service}-0` } }],
      })),
      ruleFiles: [join(work, 'chart.rules.yaml'), join(work, 'elsewhere.rules.yaml')],
    });
    await waitFor(async () => (await prometheus.get<{ alerts: unknown[] }>('/api/v1/alerts')).data?.alerts.length === 1, { what: 'the always-firing alert' });

    // rate() sees a counter's increases, never its birth: a first smoke run creates every series the
    // measured run then increases (as steady traffic would in a cluster).
    const warmUp = await runCli(['verify', '--release', RELEASE, '--namespace', NAMESPACE, '--no-kubernetes', '--url', url, '--json']);
    expect(warmUp.stderr).toContain('PASS');
    await waitFor(async () => (await prometheus.value(`sum(pixel_prompt_jobs_finished_total{namespace="${NAMESPACE}"})`)) === 1, { what: 'Prometheus to scrape the first run' });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await stack?.stop('SIGINT', 60_000);
    rmSync(work, { recursive: true, force: true });
  });

  it('passes the healthy stack and writes a report with every section filled with measurements', async () => {
    const report = join(work, 'report.md');
    const run = await runCli(['verify', '--release', RELEASE, '--namespace', NAMESPACE, '--no-kubernetes', '--url', url, '--prometheus', prometheus.url, '--report', report, '--job-timeout', '120']);
    const markdown = readFileSync(report, 'utf8');
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.stringContaining('release-check: PASS: 0 of ') });
    expect(run.stdout).toBe(markdown);
    expect(run.stderr).toContain('the smoke test spends 1 generation');

    const found = sections(markdown);
    expect([...found.keys()]).toEqual(SECTIONS);
    for (const [title, lines] of found) expect({ title, empty: lines.length === 0 }).toEqual({ title, empty: false });

    const text = (title: string) => (found.get(title) ?? []).join('\n');
    expect(text('Smoke tests')).toMatch(/This run spent 1 generation \(9 model calls\), 1 prompt enhancement and 1 error report/);
    expect(text('Smoke tests')).toMatch(/\| Unknown API route \| pass \| JSON 404/);
    expect(text('Functional')).toMatch(/\| Live events \| pass \| 19 events \(18 model events, then completed\)/);
    expect(text('Functional')).toMatch(/\| Images \| pass \| 18 images and thumbnails fetched, each public, max-age=31536000, immutable/);
    expect(text('Functional')).toMatch(/\| Rate-limit headers \| pass \|/);
    expect(text('Performance')).toMatch(/\| POST \/api\/generate \| \d+ ms \(HTTP 202\) \|/);
    expect(text('Performance')).toMatch(/\| gateway: requests \(last 15m\) \| [\d.]+\/min, 0\.00% 5xx, p95 \d+ ms \|/);
    expect(text('Performance')).toMatch(/\| Queues now \| \d+ waiting, \d+ active, oldest waiting \d+ ms \|/);
    expect(text('Deployment info')).toMatch(/\| Running builds \(Prometheus\) \| .*local-gateway dev \(unknown\) ×1/);
    expect(text('Deployment info')).toMatch(/\| Scraped after the smoke test \| pass \|/);
    expect(text('Deployment info')).toMatch(/\| Alerts \| pass \| none firing or pending in namespace pixel-local \|/);
    // ...with the chart's rules loaded, those that fire on a vanished target included.
    const rules = await prometheus.get<{ groups: { rules: { name: string }[] }[] }>('/api/v1/rules');
    const loaded = rules.data?.groups.flatMap((g) => g.rules.map((r) => r.name));
    expect(loaded).toEqual(expect.arrayContaining(['PixelPromptTargetDown', 'PixelPromptApiAvailabilityBudgetBurn', 'PixelPromptHpaMetricUnavailable']));
    expect(text('Security')).toMatch(/\| Security headers \| pass \|/);
    expect(text('Security')).toMatch(/\| CORS \| pass \|/);
    // Plain HTTP on loopback is the only thing worth a warning here.
    expect(text('Issues found')).toMatch(/^- warn HTTPS: http:\/\/127\.0\.0\.1:\d+ is plain HTTP/);
    expect(text('Issues found')).toContain('- not checked: Kubernetes (--no-kubernetes)');
    expect(text('Sign-off')).toMatch(/Verdict: \*\*PASS\*\*.*\n.*parts checked: smoke and functional tests, Prometheus\./);
  });

  it('fails naming the missing targets and the firing alert of a namespace Prometheus does not scrape', async () => {
    const run = await runCli(['verify', '--release', RELEASE, '--namespace', OTHER_NAMESPACE, '--no-kubernetes', '--prometheus', prometheus.url, '--json']);
    expect(run.status).toBe(1);
    const failed = (JSON.parse(run.stdout) as { checks: Check[] }).checks.filter((c) => c.status === 'fail');
    expect(failed.map((c) => [c.name, c.detail])).toEqual([
      ['Scrape targets', `no scrape target for ${RELEASE}-gateway (is its ServiceMonitor selected by this Prometheus?); no scrape target for ${RELEASE}-generation (is its ServiceMonitor selected by this Prometheus?); no scrape target for ${RELEASE}-gallery (is its ServiceMonitor selected by this Prometheus?)`],
      ['Alerts', expect.stringMatching(/^firing: ElsewhereAlwaysFiring \(local-gateway\) since /)],
    ]);
  });

  it('fails naming the web app when the URL is the gateway alone: the API answers, the site does not', async () => {
    const run = await runCli(['verify', '--release', RELEASE, '--namespace', NAMESPACE, '--no-kubernetes', '--url', gatewayUrl, '--json']);
    expect(run.status).toBe(1);
    const failed = (JSON.parse(run.stdout) as { checks: Check[] }).checks.filter((c) => c.status === 'fail');
    expect(failed.map((c) => [c.name, c.detail])).toEqual([['Web app', expect.stringMatching(/^GET \/ answered 404 .*; GET \/config\.json answered 404 without apiBaseUrl$/)]]);
  });
});
