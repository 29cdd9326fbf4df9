// The API's speed against bare Node, the services' start-up and the pipeline's latency, in one run on a
// private local stack (Redis, s3rver and the built services from dist/ on free loopback ports,
// NODE_ENV=production and LOG_LEVEL=info as deployed):
//  1. cold start: from spawning a service to its first 200 from /health/ready, the median of
//     --starts starts (default 5) of each of gateway, generation and gallery;
//  2. submit → all 9 built-in models stored and the job `completed`, --jobs jobs one at a time
//     (default 30), with the default settings (RENDER_THREADS as this machine's cores give it);
//  3. with the worker stopped (the queues only fill), --connections connections (default 100) for
//     --duration seconds (default 10) each, taking turns for --rounds rounds (default 3), each
//     reported by its median round so load from elsewhere on the machine weighs on all alike:
//     - bare Node (tools/bench/bare-node.mjs, in its own process) answering the finished job's status
//       document, to a GET and to a POST like the one below;
//     - NestJS (tools/bench/bare-nest.mjs) answering that GET with the same document: alone, the
//       framework's floor; with the per-request layers every service shares (libs/service); and
//       with those at LOG_LEVEL=warn, without the access log line;
//     - GET /status/:jobId of that finished job;
//     - POST /generate, every request with its own prompt and Idempotency-Key as the web app sends
//       them, all enabled models; the load source is allowlisted, so no rate limit is measured;
//     the gateway's rates as a ratio of bare Node's for the same request shape.
// Beside each figure, the CPU time the processes involved used for it (Linux's /proc): per job for the
// pipeline, per request for the load runs. Unlike the rates, it hardly moves with other load on the
// machine, and it says which process a goal is waiting on.
// --cpu-prof DIR instead runs each gateway workload once, against a gateway of its own started with
// node --cpu-prof, and leaves the profiles in DIR/status and DIR/generate (tools/bench/cpu-profile.mjs
// summarises them).
// Usage: npx nx run-many -t build -p gateway generation gallery && node tools/bench/speed.mjs
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { load, percentile } from './measure.mjs';
import {
  HOST, ROOT, SERVICES, Supervisor, serviceEnv, startListening, startRedis, startS3, startService,
} from '../stack/components.mjs';

const { values: options } = parseArgs({
  options: {
    starts: { type: 'string', default: '5' },
    jobs: { type: 'string', default: '30' },
    connections: { type: 'string', default: '100' },
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    'cpu-prof': { type: 'string' },
  },
});

/** Readiness is polled this often while a service starts: the resolution of the cold-start figure. */
const READY_POLL_MS = 5;

const median = (values) => percentile([...values].sort((a, b) => a - b), 50);

/** Resolves with the time from `spawnedAt` to the first 200 of `url`; undefined when `child` exits first. */
async function firstReady(url, child, spawnedAt) {
  const deadline = spawnedAt + 60_000;
  while (!child.exited) {
    const ok = await fetch(url).then((res) => res.ok, () => false);
    if (ok) return performance.now() - spawnedAt;
    if (performance.now() > deadline) throw new Error(`${url} was not ready within 60 s`);
    await delay(READY_POLL_MS);
  }
  return undefined;
}

/** Clock ticks a second in /proc/PID/stat (USER_HZ, 100 on every Linux architecture Node runs on). */
const CLOCK_TICKS = 100;

/** CPU seconds (user and system, every thread) the supervised process `name` has used so far. */
function cpuSeconds(supervisor, name) {
  const { child } = supervisor.children.find((entry) => entry.name === name);
  // The fields after the command's name: state is the first, utime the 12th, stime the 13th.
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Runs `work` and resolves with its result and the CPU seconds each of `names` used meanwhile. */
async function withCpu(supervisor, names, work) {
  const before = names.map((name) => cpuSeconds(supervisor, name));
  const result = await work();
  return { result, cpu: Object.fromEntries(names.map((name, i) => [name, cpuSeconds(supervisor, name) - before[i]])) };
}

/** "gateway 1.2 ms, redis 0.3 ms": CPU per unit of work, in `unit` ('ms' or 'µs'). */
function cpuPer(cpu, count, unit) {
  const scale = unit === 'ms' ? 1e3 : 1e6;
  return Object.entries(cpu).map(([name, seconds]) => `${name} ${((seconds * scale) / count).toFixed(0)} ${unit}`).join(', ');
}

/** Milliseconds from spawning `service` to its readiness, then stops it. */
async function coldStart(supervisor, service, env, run) {
  const name = `${service}-cold-${run}`;
  let ready;
  await startListening(supervisor, name, 0, (port) => {
    const spawnedAt = performance.now();
    const child = supervisor.run(name, process.execPath, ['--enable-source-maps', join(ROOT, 'dist/apps', service, 'main.js')], {
      ...env,
      PORT: String(port),
    });
    ready = firstReady(`http://${HOST}:${port}/health/ready`, child, spawnedAt);
    return child;
  });
  const ms = await ready;
  await supervisor.stop(name);
  return ms;
}

/** Submit → `completed`, `jobs` times one after the other; resolves with the seconds and the last job. */
async function endToEnd(api, jobs) {
  const seconds = [];
  let jobId;
  for (let i = 0; i < jobs; i++) {
    const started = performance.now();
    const submitted = await fetch(`${api}/generate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt: `benchmark prompt ${i}: a city skyline at night`, seed: i }),
    });
    if (submitted.status !== 202) throw new Error(`submit answered ${submitted.status}`);
    ({ jobId } = await submitted.json());
    for (;;) {
      const status = await (await fetch(`${api}/status/${jobId}`)).json();
      if (status.status === 'completed') break;
      if (!['pending', 'in_progress'].includes(status.status)) throw new Error(`job ${jobId} ended ${status.status}`);
      await delay(20);
    }
    seconds.push((performance.now() - started) / 1000);
  }
  seconds.sort((a, b) => a - b);
  return { jobs, p50: percentile(seconds, 50), p95: percentile(seconds, 95), max: seconds.at(-1), jobId };
}

/** A POST /generate as the web app sends it: a prompt and Idempotency-Key no request shares. */
function generateRequests() {
  const run = randomUUID().slice(0, 8);
  let n = 0;
  return [
    {
      method: 'POST',
      path: '/generate',
      setupRequest: (request) => {
        n += 1;
        return {
          ...request,
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `speed-${run}-${n}` },
          body: JSON.stringify({ prompt: `speed probe ${run} ${n}: a lighthouse on a cliff at dawn` }),
        };
      },
    },
  ];
}

const state = mkdtempSync(join(tmpdir(), 'pp-bench-speed-'));
const supervisor = new Supervisor({ quiet: true, onUnexpectedExit: (name, how) => console.error(`${name} exited (${how})`) });
const loadBefore = loadavg();
try {
  const redisUrl = await startRedis(supervisor, { dir: join(state, 'redis') });
  const s3Endpoint = await startS3(supervisor, { dir: join(state, 's3') });
  const env = {
    ...serviceEnv({ redisUrl, s3Endpoint }),
    NODE_ENV: 'production',
    // The load comes from one address: exempt it, or the per-IP limit would be what is measured.
    RATE_LIMIT_ALLOWLIST: '127.0.0.1',
  };

  if (Number(options.starts) > 0) console.log(`cold start to /health/ready, median of ${options.starts} starts:`);
  for (const service of Number(options.starts) > 0 ? SERVICES : []) {
    const ms = [];
    for (let run = 1; run <= Number(options.starts); run++) ms.push(await coldStart(supervisor, service, env, run));
    console.log(`  ${service}: ${median(ms).toFixed(0)} ms (${ms.map((m) => m.toFixed(0)).join(', ')})`);
  }

  // Their log lines go to files, as a container runtime takes them: reading them here would take
  // CPU from the load generator, and a pipe it read too slowly would hold up the service.
  const logFile = (name) => join(state, `${name}.log`);
  const api = await startService(supervisor, 'gateway', { env, logFile: logFile('gateway') });
  await startService(supervisor, 'generation', { env, logFile: logFile('generation') });
  const { models } = await (await fetch(`${api}/models`)).json();
  const { result: pipeline, cpu: pipelineCpu } = await withCpu(supervisor, ['generation', 'gateway', 's3', 'redis'], () =>
    endToEnd(api, Number(options.jobs)),
  );
  console.log(`submit → ${models.length} models stored, ${pipeline.jobs} jobs one at a time (${availableParallelism()} cores):`);
  console.log(`  p50 ${pipeline.p50.toFixed(2)} s, p95 ${pipeline.p95.toFixed(2)} s, max ${pipeline.max.toFixed(2)} s`);
  console.log(`  CPU a job: ${cpuPer(pipelineCpu, pipeline.jobs, 'ms')}`);

  await supervisor.stop('generation');
  const statusPath = `/status/${pipeline.jobId}`;
  const document = await (await fetch(`${api}${statusPath}`)).text();
  const bodyFile = join(state, 'status.json');
  writeFileSync(bodyFile, document);
  const barePort = await startListening(supervisor, 'bare-node', 0, (port) =>
    supervisor.run('bare-node', process.execPath, [join(ROOT, 'tools/bench/bare-node.mjs'), String(port), bodyFile]),
  );
  const bare = `http://${HOST}:${barePort}`;
  // NestJS answering the same GET: alone, with the layers every service shares, and with those but
  // at LOG_LEVEL=warn, which drops the access log line (the one layer a level turns off).
  const startNest = async (name, layers, levelEnv = {}) => {
    const port = await startListening(supervisor, name, 0, (at) =>
      supervisor.run(name, process.execPath, [join(ROOT, 'tools/bench/bare-nest.mjs'), String(at), bodyFile, ...layers], { ...env, ...levelEnv }, {
        logFile: logFile(name),
      }),
    );
    return `http://${HOST}:${port}`;
  };
  const bareNest = await startNest('bare-nest', []);
  const sharedNest = await startNest('shared-nest', ['shared']);
  const quietNest = await startNest('quiet-nest', ['shared'], { LOG_LEVEL: 'warn' });
  const workloads = {
    'GET /status/:jobId': { path: statusPath },
    'POST /generate': { path: '/generate', requests: generateRequests },
  };
  const drive = (base, { path, requests }) =>
    load({ url: `${base}${path}`, ...(requests && { requests: requests() }), connections: Number(options.connections), duration: Number(options.duration) });

  if (options['cpu-prof']) {
    // Each workload against a gateway of its own, so each profile holds that workload and little else.
    await supervisor.stop('gateway');
    for (const [name, workload] of Object.entries(workloads)) {
      const dir = join(resolve(options['cpu-prof']), name.split(' ')[1].split('/')[1]);
      const profiled = await startService(supervisor, 'gateway', {
        env: { ...env, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` },
        logFile: logFile('gateway-profiled'),
      });
      const run = await drive(profiled, workload);
      await supervisor.stop('gateway');
      console.log(`${name}, profiled: ${run.requestsPerSecond.toFixed(0)} req/s, p99 ${run.p99} ms; profile in ${dir}`);
    }
  } else {
    // Each with the CPU its server and Redis used, to divide by the requests it answered.
    const measured = (server, base, workload) => async () => {
      const { result, cpu } = await withCpu(supervisor, [server, 'redis'], () => drive(base, workload));
      return { ...result, cpu };
    };
    const configurations = {
      'bare Node, GET': measured('bare-node', bare, workloads['GET /status/:jobId']),
      'NestJS alone, GET': measured('bare-nest', bareNest, workloads['GET /status/:jobId']),
      'NestJS + the shared layers, GET': measured('shared-nest', sharedNest, workloads['GET /status/:jobId']),
      'NestJS + the shared layers but the access log, GET': measured('quiet-nest', quietNest, workloads['GET /status/:jobId']),
      'GET /status/:jobId': measured('gateway', api, workloads['GET /status/:jobId']),
      'bare Node, POST': measured('bare-node', bare, workloads['POST /generate']),
      'POST /generate': measured('gateway', api, workloads['POST /generate']),
    };
    // Each figure's ratio is to bare Node answering the same request shape.
    const baselineOf = {
      'NestJS alone, GET': 'bare Node, GET',
      'NestJS + the shared layers, GET': 'bare Node, GET',
      'NestJS + the shared layers but the access log, GET': 'bare Node, GET',
      'GET /status/:jobId': 'bare Node, GET',
      'POST /generate': 'bare Node, POST',
    };
    const runs = Object.fromEntries(Object.keys(configurations).map((name) => [name, []]));
    for (let round = 1; round <= Number(options.rounds); round++) {
      for (const [name, measure] of Object.entries(configurations)) runs[name].push(await measure());
    }
    const medianRun = (name) => [...runs[name]].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(runs[name].length / 2)];
    const report = (name) => {
      const run = medianRun(name);
      const baseline = baselineOf[name];
      const ratio = baseline ? `, ${(run.requestsPerSecond / medianRun(baseline).requestsPerSecond).toFixed(2)}× bare Node` : '';
      const rounds = runs[name].map((r) => r.requestsPerSecond.toFixed(0)).join(', ');
      console.log(`  ${name}: ${run.requestsPerSecond.toFixed(0)} req/s${ratio}, p50 ${run.p50} ms, p99 ${run.p99} ms, ${run.other} not 2xx (rounds: ${rounds})`);
      console.log(`    CPU a request: ${cpuPer(run.cpu, run.ok + run.other, 'µs')}`);
    };
    console.log(`${options.connections} connections, ${options.duration} s a run, median of ${options.rounds} rounds, a ${Buffer.byteLength(document)}-byte status document:`);
    for (const name of Object.keys(configurations)) report(name);
  }
} finally {
  await supervisor.stopAll();
  rmSync(state, { recursive: true, force: true });
  const loadAfter = loadavg();
  console.log(`load average (1 min) before ${loadBefore[0].toFixed(2)}, after ${loadAfter[0].toFixed(2)}`);
}
