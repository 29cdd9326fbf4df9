import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOnFreePort } from './ports';
import { type ManagedProcess, startProcess } from './processes';
import { waitFor } from './wait-for';

/** Debian's prometheus package (tools/ci/test.sh installs it). */
const PROMETHEUS = '/usr/bin/prometheus';

export interface ScrapeJob {
  /** The `job` label: the chart's ServiceMonitors make it the Service's name, <release>-<service>. */
  name: string;
  /** Base URLs of the processes to scrape (their /metrics), each with the labels it gets. */
  targets: { url: string; labels: Record<string, string> }[];
}

export interface PrometheusAnswer<T = { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }> {
  status: string;
  error?: string;
  data?: T;
}

/**
 * A real Prometheus on a free loopback port scraping the given jobs every second and evaluating
 * the given rule files as often; ready once every target has been scraped up.
 */
export class TestPrometheus {
  private constructor(
    readonly url: string,
    private readonly process: ManagedProcess,
    private readonly dir: string,
  ) {}

  static async start({ jobs, ruleFiles = [] }: { jobs: ScrapeJob[]; ruleFiles?: string[] }): Promise<TestPrometheus> {
    if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: install Debian's prometheus package (tools/ci/test.sh does)`);
    const dir = mkdtempSync(join(tmpdir(), 'pp-prometheus-'));
    const config = {
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: ruleFiles,
      scrape_configs: jobs.map((job) => ({
        job_name: job.name,
        static_configs: job.targets.map((t) => ({ targets: [new URL(t.url).host], labels: t.labels })),
      })),
    };
    writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config));
    const { port, server: process } = await startOnFreePort('prometheus', (port) =>
      startProcess(PROMETHEUS, [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ]),
    );
    const url = `http://127.0.0.1:${port}`;
    const prometheus = new TestPrometheus(url, process, dir);
    await waitFor(
      async () =>
        (await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)) ||
        (!process.running && Promise.reject(new Error(`prometheus exited:\n${process.output()}`))),
      { what: 'Prometheus to be ready' },
    );
    const expected = jobs.reduce((n, job) => n + job.targets.length, 0);
    await waitFor(
      async () => {
        const targets = (await prometheus.get<{ activeTargets: { health: string }[] }>('/api/v1/targets')).data?.activeTargets ?? [];
        return targets.length === expected && targets.every((t) => t.health === 'up');
      },
      { what: `all ${expected} targets to be scraped` },
    );
    return prometheus;
  }

  async get<T>(path: string): Promise<PrometheusAnswer<T>> {
    return (await (await fetch(`${this.url}${path}`)).json()) as PrometheusAnswer<T>;
  }

  /** An instant query through the HTTP API. */
  async query(expr: string): Promise<PrometheusAnswer> {
    const res = await fetch(`${this.url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr }) });
    return (await res.json()) as PrometheusAnswer;
  }

  /** The single value `expr` evaluates to now, undefined while it has none. */
  async value(expr: string): Promise<number | undefined> {
    const sample = (await this.query(expr)).data?.result[0];
    return sample === undefined ? undefined : Number(sample.value[1]);
  }

  async stop(): Promise<void> {
    await this.process.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
