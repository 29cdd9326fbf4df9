// Benchmarks the generation pipeline on a private local stack (Redis, s3rver, gateway, generation
// on free loopback ports, built services from dist/):
//  1. end to end: submit → all models stored and the job `completed`, one job at a time
//     (p50 / p95 / max over --jobs, default 50), with the built-in models;
//  2. POST /generate throughput and latency at --connections (default 100) for --duration seconds
//     (default 10), with the worker stopped so the measurement is the gateway's alone.
// Usage: npx nx run-many -t build -p gateway generation && node tools/bench/pipeline.mjs [--jobs N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { load, percentile } from './measure.mjs';
import { Supervisor, serviceEnv, startRedis, startS3, startService } from '../stack/components.mjs';

const { values: options } = parseArgs({
  options: {
    jobs: { type: 'string', default: '50' },
    connections: { type: 'string', default: '100' },
    duration: { type: 'string', default: '10' },
  },
});

async function endToEnd(api, jobs) {
  const seconds = [];
  for (let i = 0; i < jobs; i++) {
    const started = performance.now();
    const submitted = await fetch(`${api}/generate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt: `benchmark prompt ${i}: a city skyline at night`, seed: i }),
    });
    if (submitted.status !== 202) throw new Error(`submit answered ${submitted.status}`);
    const { jobId } = await submitted.json();
    for (;;) {
      const status = await (await fetch(`${api}/status/${jobId}`)).json();
      if (status.status === 'completed') break;
      if (!['pending', 'in_progress'].includes(status.status)) throw new Error(`job ${jobId} ended ${status.status}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    seconds.push((performance.now() - started) / 1000);
  }
  seconds.sort((a, b) => a - b);
  return { jobs, p50: percentile(seconds, 50), p95: percentile(seconds, 95), max: seconds.at(-1) };
}

function submitThroughput(api, connections, duration, model) {
  return load({
    url: `${api}/generate`,
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ prompt: 'throughput probe: a lighthouse', models: [model] }),
    connections,
    duration,
  });
}

const state = mkdtempSync(join(tmpdir(), 'pp-bench-'));
const supervisor = new Supervisor({ quiet: true, onUnexpectedExit: (name, how) => console.error(`${name} exited (${how})`) });
try {
  const redisUrl = await startRedis(supervisor, { dir: join(state, 'redis') });
  const s3Endpoint = await startS3(supervisor, { dir: join(state, 's3') });
  // The load comes from one address: exempt it, or the per-IP limit would be what is measured.
  const env = { ...serviceEnv({ redisUrl, s3Endpoint, logLevel: 'warn' }), RATE_LIMIT_ALLOWLIST: '127.0.0.1' };
  const api = await startService(supervisor, 'gateway', { env });
  await startService(supervisor, 'generation', { env });
  const { models } = await (await fetch(`${api}/models`)).json();

  const latency = await endToEnd(api, Number(options.jobs));
  console.log(`end to end, ${models.length} models per job, ${latency.jobs} jobs one at a time:`);
  console.log(`  p50 ${latency.p50.toFixed(2)} s, p95 ${latency.p95.toFixed(2)} s, max ${latency.max.toFixed(2)} s`);

  await supervisor.stop('generation');
  const run = await submitThroughput(api, Number(options.connections), Number(options.duration), models[0].id);
  console.log(`POST /generate, ${run.connections} connections for ${run.duration} s:`);
  console.log(`  ${run.requestsPerSecond.toFixed(0)} req/s, p50 ${run.p50} ms, p99 ${run.p99} ms, ${run.ok} accepted, ${run.other} other`);
} finally {
  await supervisor.stopAll();
  rmSync(state, { recursive: true, force: true });
}
