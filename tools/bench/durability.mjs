// What durable job state costs POST /generate, and how long an `everysec` write stays unsynced:
//  1. POST /generate at --connections (default 20) for --duration seconds (default 10) against the
//     gateway, with Redis (a) without persistence (the baseline), (b) with its append-only file
//     fsynced every second (`everysec`), (c) fsynced before every answer (`always`: the local stack
//     and the chart), (d) as (b) plus REDIS_WAIT_REPLICAS=1 against a local replica (ElastiCache);
//     the four take turns for --rounds rounds (default 3), and each reports its median round, so
//     load from elsewhere on the machine weighs on all of them alike;
//  2. the window of (b): under the same load with strace attached to Redis, the longest time from a
//     write to the append-only file until an fdatasync that began after it finished.
// Usage: npx nx build gateway && node tools/bench/durability.mjs   (needs redis-server and strace)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { load } from './measure.mjs';
import { HOST, REDIS_PERSISTENCE, Supervisor, freePort, redisAnswers, startService, waitUntil } from '../stack/components.mjs';

const { values: options } = parseArgs({
  options: {
    connections: { type: 'string', default: '20' },
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
  },
});

const NO_PERSISTENCE = ['--appendonly', 'no', '--save', ''];
const EVERYSEC = REDIS_PERSISTENCE.map((arg, i, all) => (all[i - 1] === '--appendfsync' ? 'everysec' : arg));

const state = mkdtempSync(join(tmpdir(), 'pp-bench-durability-'));
const supervisor = new Supervisor({ quiet: true, onUnexpectedExit: (name, how) => console.error(`${name} exited (${how})`) });

async function redis(name, args) {
  const port = await freePort();
  const dir = join(state, name);
  execFileSync('mkdir', ['-p', dir]);
  const child = supervisor.run(name, 'redis-server', ['--port', String(port), '--bind', HOST, '--dir', dir, ...args, '--loglevel', 'warning']);
  const url = `redis://${HOST}:${port}`;
  await waitUntil(name, () => redisAnswers(url));
  return { url, port, pid: child.pid };
}

async function gateway(redisUrl, extra = {}) {
  const env = { NODE_ENV: 'production', HOST, LOG_LEVEL: 'warn', REDIS_URL: redisUrl, RATE_LIMIT_ALLOWLIST: '127.0.0.1', ...extra };
  return startService(supervisor, 'gateway', { port: await freePort(), env });
}

function submit(api) {
  return load({
    url: `${api}/generate`,
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ prompt: 'durability probe: a lighthouse', models: ['ink', 'aurora'] }),
    connections: Number(options.connections),
    duration: Number(options.duration),
  });
}

/** The Redis process's file descriptor of its append-only file (Redis 7: appendonlydir/*.incr.aof). */
function aofDescriptor(pid) {
  const dir = `/proc/${pid}/fd`;
  const fd = readdirSync(dir).find((entry) => {
    try {
      return readlinkSync(join(dir, entry)).endsWith('.incr.aof');
    } catch {
      return false;
    }
  });
  if (!fd) throw new Error('no append-only file open in Redis');
  return fd;
}

/**
 * Longest time from a write(2) to the append-only file until an fdatasync(2) of it that started
 * after the write returned, from an `strace -f -tt` log; and how many writes it saw.
 */
function syncWindow(log, fd) {
  const time = (line) => {
    const [h, m, s] = line.split(/\s+/)[1].split(':');
    return (Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1000;
  };
  const writes = [];
  const syncs = [];
  const started = new Map();
  for (const line of log.split('\n')) {
    const pid = line.split(/\s+/)[0];
    if (line.includes(`write(${fd},`)) writes.push(time(line));
    else if (line.includes(`fdatasync(${fd}) `) && line.includes('= 0')) syncs.push({ start: time(line), end: time(line) });
    else if (line.includes(`fdatasync(${fd} <unfinished`)) started.set(pid, time(line));
    else if (line.includes('fdatasync resumed') && started.has(pid)) {
      syncs.push({ start: started.get(pid), end: time(line) });
      started.delete(pid);
    }
  }
  let worst = 0;
  for (const written of writes) {
    const sync = syncs.find((s) => s.start >= written);
    if (sync) worst = Math.max(worst, sync.end - written);
  }
  return { writes: writes.length, syncs: syncs.length, worstMs: worst };
}

try {
  const setups = [];
  const setUp = async (label, args, extra = {}, replicate = false) => {
    const primary = await redis(`redis-${setups.length}`, args);
    if (replicate) {
      const replica = await redis(`replica-${setups.length}`, [...NO_PERSISTENCE, '--replicaof', HOST, String(primary.port)]);
      await waitUntil('replica sync', async () => execFileSync('redis-cli', ['-u', replica.url, 'info', 'replication'], { encoding: 'utf8' }).includes('master_link_status:up'));
    }
    const api = await gateway(primary.url, extra);
    await submit(api); // warm-up: connections, scripts, queues
    const setup = { label, primary, api, runs: [] };
    setups.push(setup);
    return setup;
  };

  await setUp('no persistence (baseline)', NO_PERSISTENCE);
  const everysec = await setUp('append-only file, fsync every second', EVERYSEC);
  await setUp('append-only file, fsync always (local stack, chart)', REDIS_PERSISTENCE);
  await setUp('fsync every second + WAIT for 1 replica', EVERYSEC, { REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '500' }, true);
  for (let round = 0; round < Number(options.rounds); round++) {
    for (const setup of setups) setup.runs.push(await submit(setup.api));
  }

  const median = (setup) => [...setup.runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(setup.runs.length / 2)];
  const baseline = median(setups[0]);
  console.log(`POST /generate (2 models per job), ${options.connections} connections, median of ${options.rounds} rounds of ${options.duration} s:`);
  for (const setup of setups) {
    const run = median(setup);
    console.log(
      `  ${setup.label}: ${run.requestsPerSecond.toFixed(0)} req/s (${(run.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)}x), ` +
        `p50 ${run.p50} ms, p99 ${run.p99} ms (${(run.p99 / baseline.p99).toFixed(2)}x), ${run.ok} accepted, ${run.other} other`,
    );
  }

  const fd = aofDescriptor(everysec.primary.pid);
  const logFile = join(state, 'strace.log');
  const strace = spawn('strace', ['-f', '-tt', '-e', 'trace=write,fdatasync', '-o', logFile, '-p', String(everysec.primary.pid)], { stdio: 'ignore' });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const traced = await submit(everysec.api);
  strace.kill('SIGINT');
  await new Promise((resolve) => strace.once('exit', resolve));
  const window = syncWindow(readFileSync(logFile, 'utf8'), fd);
  console.log(`fsync every second, under load with strace attached (${traced.requestsPerSecond.toFixed(0)} req/s):`);
  console.log(`  ${window.writes} writes to the append-only file, ${window.syncs} fdatasyncs; longest write → synced: ${window.worstMs.toFixed(0)} ms`);
} finally {
  await supervisor.stopAll();
  rmSync(state, { recursive: true, force: true });
}
