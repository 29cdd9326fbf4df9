// k6 load test of Pixel Prompt through its public URL: the seeds' mix of users (scenarios.ts) in
// one of three profiles, failing the run when a threshold is crossed. k6 (0.57 or later) runs this
// TypeScript as it is:
//
//   k6 run -e BASE_URL=https://staging.pixel-prompt.example.com tools/load/pixel-prompt.ts
//
// Environment: BASE_URL (required, the site; the API is under API_PATH, default /api), PROFILE
// (load, spike or soak; default load), REQUIRE_ALLOWLIST (default true: stop at once unless this
// machine's address is in the gateway's RATE_LIMIT_ALLOWLIST). In the cluster the chart runs it with
// the k6-operator (loadTest.* values). docs/RUNBOOK.md, "Load-test staging", says how to run it.
import { check, sleep } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { Trend } from 'k6/metrics';
import type { Options } from 'k6/options';
import {
  API_P95_TARGET_MS,
  type Answer,
  type Client,
  MAX_FAILED_RATIO,
  MAX_P95_MS,
  MIX,
  PROFILES,
  type Prepared,
  type Profile,
  SCENARIOS,
  type ScenarioName,
  prepare,
  usersOf,
} from './scenarios.ts';

const baseUrl = (__ENV['BASE_URL'] ?? '').replace(/\/+$/, '');
if (!/^https?:\/\//.test(baseUrl)) throw new Error('set BASE_URL to the site under test, e.g. -e BASE_URL=https://staging.pixel-prompt.example.com');
const apiUrl = `${baseUrl}${__ENV['API_PATH'] ?? '/api'}`;
const profile = (__ENV['PROFILE'] ?? 'load') as Profile;
if (!(profile in PROFILES)) throw new Error(`PROFILE must be one of ${Object.keys(PROFILES).join(', ')}`);

const jobDuration = new Trend('job_duration', true);

export const options: Options = {
  scenarios: Object.fromEntries(
    (Object.keys(MIX) as ScenarioName[]).map((scenario) => [
      scenario,
      {
        executor: 'ramping-vus',
        exec: scenario,
        startVUs: 0,
        stages: PROFILES[profile].map((stage) => ({ duration: `${stage.seconds}s`, target: usersOf(scenario, stage.target) })),
        gracefulRampDown: '30s',
      },
    ]),
  ),
  thresholds: {
    http_req_failed: [`rate<${MAX_FAILED_RATIO}`],
    http_req_duration: [`p(95)<${MAX_P95_MS}`],
    checks: [`rate>${1 - MAX_FAILED_RATIO}`],
    ...Object.fromEntries(Object.entries(API_P95_TARGET_MS).map(([endpoint, ms]) => [`http_req_duration{endpoint:${endpoint}}`, [`p(95)<${ms}`]])),
  },
  // Setup submits the jobs the status pollers watch; the users arrive after it.
  setupTimeout: '2m',
};

/** k6 names headers in Go's canonical form (Ratelimit-Policy): found here whatever the case. */
function headerOf(headers: Record<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return Object.entries(headers).find(([key]) => key.toLowerCase() === wanted)?.[1];
}

const client: Client = {
  async request(method, target, { endpoint, name, json }): Promise<Answer> {
    const url = /^https?:\/\//.test(target) ? target : `${apiUrl}${target}`;
    const res = await http.asyncRequest(method, url, json === undefined ? null : JSON.stringify(json), {
      headers: json === undefined ? {} : { 'Content-Type': 'application/json' },
      tags: { endpoint, name },
    });
    return { status: res.status, header: (n) => headerOf(res.headers, n), json: <T>() => JSON.parse(String(res.body)) as T };
  },
  async pause(seconds) {
    sleep(seconds);
  },
  check(name, ok) {
    return check(null, { [name]: () => ok });
  },
  jobDuration(seconds) {
    jobDuration.add(seconds * 1000);
  },
};

export async function setup(): Promise<Prepared> {
  const prepared = await prepare(client, { requireAllowlist: __ENV['REQUIRE_ALLOWLIST'] !== 'false' });
  if (typeof prepared === 'string') exec.test.abort(prepared);
  return prepared as Prepared;
}

const user = () => ({ id: exec.vu.idInTest, iteration: exec.vu.iterationInScenario });

export const generate = (prepared: Prepared) => SCENARIOS.generate(client, prepared, user());
export const status = (prepared: Prepared) => SCENARIOS.status(client, prepared, user());
export const gallery = (prepared: Prepared) => SCENARIOS.gallery(client, prepared, user());
export const enhance = (prepared: Prepared) => SCENARIOS.enhance(client, prepared, user());
