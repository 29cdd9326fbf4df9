// Runs the k6 load test's mix of users (tools/load/scenarios.ts, the same scenarios and stages) from
// Node against a private local stack (Redis, s3rver, gateway, generation, gallery on free loopback
// ports, built services from dist/, the 9 built-in models), since k6 itself does not run on these
// machines. Prints the error rate, per-endpoint p50/p95/p99 against the thresholds the k6 script
// encodes, the checks, and how long users waited for their jobs.
// Usage: npx nx run-many -t build -p gateway generation gallery && node tools/bench/load-mix.mjs
//        [--profile load|spike|soak] [--time-scale F]  (F < 1 shortens every stage, e.g. 0.25)
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { percentile } from './measure.mjs';
import { Supervisor, freePort, serviceEnv, startRedis, startS3, startService } from '../stack/components.mjs';
import { API_P95_TARGET_MS, MAX_FAILED_RATIO, MAX_P95_MS, MIX, PROFILES, SCENARIOS, prepare, usersOf } from '../load/scenarios.ts';

const { values: options } = parseArgs({
  options: {
    profile: { type: 'string', default: 'load' },
    'time-scale': { type: 'string', default: '1' },
  },
});
const stages = PROFILES[options.profile]?.map((s) => ({ ...s, seconds: s.seconds * Number(options['time-scale']) }));
if (!stages) throw new Error(`--profile must be one of ${Object.keys(PROFILES).join(', ')}`);
/** As k6's gracefulRampDown and gracefulStop: iterations under way may finish for this long. */
const GRACE_SECONDS = 30;

const samples = new Map(); // endpoint -> { ms: number[], failed: number }
const checks = new Map(); // name -> { passed, failed }
const jobSeconds = [];
let stopping = false;
const stop = new AbortController();
// Every waiting user and request in flight listens for the end of the run.
setMaxListeners(0, stop.signal);

class Stopped extends Error {}

function sampleOf(endpoint) {
  if (!samples.has(endpoint)) samples.set(endpoint, { ms: [], failed: 0 });
  return samples.get(endpoint);
}

/** The scenarios' Client over fetch, measuring as k6's http_req_duration does (until the body is read). */
function clientFor(api) {
  return {
    async request(method, target, { endpoint, json }) {
      if (stopping) throw new Stopped();
      const url = /^https?:\/\//.test(target) ? target : `${api}${target}`;
      const sample = sampleOf(endpoint);
      const started = performance.now();
      try {
        const res = await fetch(url, {
          method,
          headers: json === undefined ? {} : { 'Content-Type': 'application/json' },
          body: json === undefined ? undefined : JSON.stringify(json),
          signal: stop.signal,
        });
        const body = await res.text();
        sample.ms.push(performance.now() - started);
        if (res.status >= 400) sample.failed += 1;
        return { status: res.status, header: (name) => res.headers.get(name) ?? undefined, json: () => JSON.parse(body) };
      } catch (error) {
        if (stopping) throw new Stopped();
        sample.ms.push(performance.now() - started);
        sample.failed += 1;
        return { status: 0, header: () => undefined, json: () => { throw error; } };
      }
    },
    pause(seconds) {
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          stop.signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, seconds * 1000);
        stop.signal.addEventListener('abort', done);
      });
    },
    check(name, ok) {
      const counts = checks.get(name) ?? { passed: 0, failed: 0 };
      counts[ok ? 'passed' : 'failed'] += 1;
      checks.set(name, counts);
      return ok;
    },
    jobDuration(seconds) {
      jobSeconds.push(seconds);
    },
  };
}

/** Users of a scenario wanted `t` seconds in, interpolated linearly as k6's ramping-vus does; undefined once over. */
function usersAt(scenario, t) {
  let start = 0;
  let from = 0;
  for (const stage of stages) {
    if (t < start + stage.seconds) return usersOf(scenario, from + ((stage.target - from) * (t - start)) / stage.seconds);
    start += stage.seconds;
    from = stage.target;
  }
  return undefined;
}

/** Virtual user `slot` of a scenario: runs iterations while the ramp wants at least slot + 1 users. */
async function virtualUser(client, prepared, scenario, slot, id, startedAt) {
  let iteration = 0;
  for (;;) {
    const wanted = usersAt(scenario, (performance.now() - startedAt) / 1000);
    if (wanted === undefined || stopping) return;
    if (wanted <= slot) {
      await client.pause(0.2);
      continue;
    }
    try {
      await SCENARIOS[scenario](client, prepared, { id, iteration: iteration++ });
    } catch (error) {
      if (error instanceof Stopped) return;
      throw error;
    }
  }
}

function report(seconds) {
  const all = [...samples.values()];
  const requests = all.reduce((n, s) => n + s.ms.length, 0);
  const failed = all.reduce((n, s) => n + s.failed, 0);
  const allMs = all.flatMap((s) => s.ms).sort((a, b) => a - b);
  const mark = (ok) => (ok ? 'ok' : 'OVER');
  console.log(`\n${requests} requests in ${seconds.toFixed(0)} s (${(requests / seconds).toFixed(0)} req/s), ${failed} failed: ${((failed / requests) * 100).toFixed(2)}% (bound ${MAX_FAILED_RATIO * 100}%, ${mark(failed / requests < MAX_FAILED_RATIO)})`);
  console.log(`all requests: p50 ${percentile(allMs, 50).toFixed(0)} ms, p95 ${percentile(allMs, 95).toFixed(0)} ms (bound ${MAX_P95_MS} ms, ${mark(percentile(allMs, 95) < MAX_P95_MS)}), p99 ${percentile(allMs, 99).toFixed(0)} ms`);
  console.log('\n| Endpoint | Requests | Failed | p50 | p95 | p99 | Cluster p95 target |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [endpoint, { ms, failed: f }] of [...samples].sort()) {
    const sorted = [...ms].sort((a, b) => a - b);
    const [p50, p95, p99] = [50, 95, 99].map((p) => percentile(sorted, p).toFixed(0));
    console.log(`| ${endpoint} | ${ms.length} | ${f} | ${p50} ms | ${p95} ms | ${p99} ms | ${API_P95_TARGET_MS[endpoint]} ms |`);
  }
  const jobs = [...jobSeconds].sort((a, b) => a - b);
  if (jobs.length) {
    console.log(`\njobs users waited for: ${jobs.length}, p50 ${percentile(jobs, 50).toFixed(1)} s, p95 ${percentile(jobs, 95).toFixed(1)} s, p99 ${percentile(jobs, 99).toFixed(1)} s`);
  }
  console.log(`checks: ${[...checks].map(([name, c]) => `${name} ${c.passed}/${c.passed + c.failed}`).join(', ')}`);
  // Everything shares the machine's cores: say how busy it was, load generator included.
  console.log(`load average at the end (1, 5, 15 min): ${loadavg().map((l) => l.toFixed(1)).join(', ')}`);
}

const state = mkdtempSync(join(tmpdir(), 'pp-bench-load-'));
const supervisor = new Supervisor({ quiet: true, onUnexpectedExit: (name, how) => console.error(`${name} exited (${how})`) });
try {
  const redisUrl = await startRedis(supervisor, { port: await freePort(), dir: join(state, 'redis') });
  const s3Endpoint = await startS3(supervisor, { port: await freePort(), dir: join(state, 's3') });
  // The load comes from one address: allowlisted, as the runbook asks of any load generator.
  const env = { ...serviceEnv({ redisUrl, s3Endpoint, logLevel: 'warn' }), RATE_LIMIT_ALLOWLIST: '127.0.0.1' };
  const gallery = await startService(supervisor, 'gallery', { port: await freePort(), env });
  const api = await startService(supervisor, 'gateway', { port: await freePort(), env: { ...env, GALLERY_URL: gallery } });
  await startService(supervisor, 'generation', { port: await freePort(), env });

  const client = clientFor(api);
  const prepared = await prepare(client, { requireAllowlist: true });
  if (typeof prepared === 'string') throw new Error(prepared);
  samples.clear();
  const peak = Math.max(...stages.map((s) => s.target));
  const total = stages.reduce((n, s) => n + s.seconds, 0);
  console.log(
    `profile ${options.profile}: up to ${peak} virtual users (${Object.keys(MIX).map((s) => `${s} ${usersOf(s, peak)}`).join(', ')}), ` +
      `stages ${stages.map((s) => `${s.seconds}s→${s.target}`).join(', ')}; ${cpus().length} cores, Node ${process.version}`,
  );

  const startedAt = performance.now();
  let id = 0;
  const users = Object.keys(MIX).flatMap((scenario) =>
    Array.from({ length: usersOf(scenario, peak) }, (_, slot) => virtualUser(client, prepared, scenario, slot, ++id, startedAt)),
  );
  const grace = setTimeout(() => {
    stopping = true;
    stop.abort();
  }, (total + GRACE_SECONDS) * 1000);
  await Promise.all(users);
  clearTimeout(grace);
  report((performance.now() - startedAt) / 1000);
} finally {
  stopping = true;
  stop.abort();
  await supervisor.stopAll();
  rmSync(state, { recursive: true, force: true });
}
