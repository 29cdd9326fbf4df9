import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { type ManagedProcess, startProcess } from './processes';
import { waitFor } from './wait-for';

const PROMETHEUS = '/usr/bin/prometheus';

/** One scrape job: the targets' base URLs, each with the labels a ServiceMonitor would add to its series. */
export interface ScrapeJob {
  name: string;
  targets: { url: string; labels: Record<string, string> }[];
}

export interface PrometheusSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PrometheusAnswer {
  status: string;
  error?: string;
  data?: { resultType: string; result: PrometheusSample[] };
}

/**
 * A real Prometheus (Debian's prometheus package) scraping the given jobs every second, on a free
 * loopback port, until `stop()`. Resolves once every target has been scraped successfully.
 */
export class TestPrometheus {
  private constructor(
    readonly url: string,
    private readonly process: ManagedProcess,
    private readonly dir: string,
  ) {}

  static async start(jobs: ScrapeJob[]): Promise<TestPrometheus> {
    if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: install Debian's prometheus package (tools/ci/test.sh does)`);
    const dir = mkdtempSync(join(tmpdir(), 'pp-prometheus-'));
    const config = {
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      scrape_configs: jobs.map((job) => ({
        job_name: job.name,
        static_configs: job.targets.map((t) => ({ targets: [new URL(t.url).host], labels: t.labels })),
      })),
    };
    writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const process = await startProcess(PROMETHEUS, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ]);
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
        const res = (await (await fetch(`${url}/api/v1/targets`)).json()) as { data: { activeTargets: { health: string }[] } };
        const targets = res.data.activeTargets;
        return targets.length === expected && targets.every((t) => t.health === 'up');
      },
      { what: `all ${expected} targets to be scraped` },
    );
    return prometheus;
  }

  /** An instant query through the HTTP API. */
  async query(expr: string): Promise<PrometheusAnswer> {
    const res = await fetch(`${this.url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr }) });
    return (await res.json()) as PrometheusAnswer;
  }

  async stop(): Promise<void> {
    await this.process.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
