// Starting and stopping the parts of Pixel Prompt as local processes: used by the local stack
// (stack.mjs) and the benchmarks (tools/bench), so both run the system the same way.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

// Ports are found and servers started the way the tests do it (libs/testing), from its TypeScript
// source: only the modules that need no other library, so the stack starts without loading them all.
const require = createRequire(import.meta.url);
require(join(ROOT, 'tools/node/register-ts.cjs'))(join(ROOT, 'libs/testing/tsconfig.json'));
const { freePort, portFree, startOnFreePort } = require(join(ROOT, 'libs/testing/src/lib/ports.ts'));
const { waitFor } = require(join(ROOT, 'libs/testing/src/lib/wait-for.ts'));
export { freePort, portFree };
export const HOST = '127.0.0.1';
export const BUCKET = 'pixel-prompt';
export const SERVICES = ['gateway', 'generation', 'gallery'];

/**
 * Runs a server (`spawnAt(port)` starts it under the supervisor) and resolves with its port once that
 * very child listens there: libs/testing's `startOnFreePort`, which the tests use too. Port 0 means
 * any free port (another one should some other program bind it first); a port the user asked for
 * that is taken is an error. `choosePort` is for tests of this.
 */
export async function startListening(supervisor, name, requested, spawnAt, choosePort = freePort) {
  const { port, server } = await startOnFreePort(name, (at) => asServerProcess(spawnAt(at)), {
    port: requested,
    choosePort,
    timeoutMs: 60_000,
    stopped: () => supervisor.stopping,
  });
  supervisor.started(server.child);
  return port;
}

/** A supervised child as startOnFreePort watches it (libs/testing `ServerProcess`). */
function asServerProcess(child) {
  return {
    child,
    get pid() {
      return child.pid;
    },
    // 'close' comes after the last output: the tail is complete then.
    get running() {
      return !child.closed;
    },
    output: () => child.tail.join('\n'),
    async stop(signal) {
      if (child.closed) return;
      const closed = new Promise((resolve) => child.once('close', resolve));
      child.kill(signal);
      await closed;
    },
  };
}

export function redisAnswers(url) {
  return new Promise((resolve) => {
    let parsed;
    try {
      parsed = new URL(url);
    } catch {
      return resolve(false);
    }
    const socket = createConnection({ host: parsed.hostname, port: Number(parsed.port || 6379) });
    socket.setTimeout(1000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      // An instance with a password answers NOAUTH: reachable, and the services will authenticate.
      resolve(/^(\+PONG|-NOAUTH)/.test(data.toString()));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function httpOk(url) {
  return (await fetch(url)).ok;
}

/** Polls `probe` until it is truthy (libs/testing's `waitFor`); gives up after `timeoutMs` or when `stopped()` says so. */
export function waitUntil(what, probe, { timeoutMs = 60_000, stopped = () => false } = {}) {
  return waitFor(probe, { what, timeoutMs, intervalMs: 200, stopped });
}

/**
 * Owns child processes: prefixes their output with their name (or drops it when quiet; the last
 * lines are kept either way, to explain a failed start), reports one that dies after it started,
 * and stops them all in reverse start order, by PID.
 */
export class Supervisor {
  children = [];
  stopping = false;

  constructor({ quiet = false, onUnexpectedExit = () => undefined } = {}) {
    this.quiet = quiet;
    this.onUnexpectedExit = onUnexpectedExit;
  }

  /**
   * Starts `command`. With `logFile`, its output goes to that file instead (read back only for the
   * tail): a benchmark's load generator then does not pay for reading a busy service's log lines,
   * and the service never waits for a full pipe, as it would not in production either.
   */
  run(name, command, args, env = {}, { logFile } = {}) {
    const output = logFile ? openSync(logFile, 'a') : 'pipe';
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', output, output] });
    child.tail = [];
    if (logFile) {
      closeSync(output);
      child.once('exit', () => child.tail.push(...readFileSync(logFile, 'utf8').split('\n').slice(-21, -1)));
    }
    for (const [stream, target] of logFile ? [] : [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
      let rest = '';
      stream.on('data', (chunk) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop();
        child.tail.push(...lines);
        child.tail.splice(0, child.tail.length - 20);
        if (!this.quiet) for (const line of lines) target.write(`[${name}] ${line}\n`);
      });
    }
    // 'close' comes after the last output: the tail is complete then.
    child.once('close', () => (child.closed = true));
    child.once('exit', (code, signal) => {
      child.exited = true;
      // Before it has started, its starter reports the exit (startListening) and may start another.
      if (!child.started) this.children = this.children.filter((entry) => entry.child !== child);
      else if (!this.stopping && !child.stopping) this.onUnexpectedExit(name, signal ?? `code ${code}`);
    });
    this.children.push({ name, child });
    return child;
  }

  /** From now on an exit of `child` is unexpected. */
  started(child) {
    child.started = true;
  }

  async stop(name) {
    const entry = this.children.find((c) => c.name === name);
    if (entry) await this.terminate(entry);
  }

  async stopAll(onStopped = () => undefined) {
    this.stopping = true;
    for (const entry of [...this.children].reverse()) {
      await this.terminate(entry);
      onStopped(entry.name);
    }
  }

  async terminate({ child }) {
    if (child.exited) return;
    child.stopping = true;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * Job state must outlive Redis: the append-only file is written and fsynced before Redis answers, so
 * an accepted job survives `kill -9` and a crash of the machine. `everysec` would not do for the
 * first: while a background fsync runs, Redis holds writes back for up to 2 s and answers anyway
 * (docs/RELIABILITY.md). RDB snapshots would add nothing.
 */
export const REDIS_PERSISTENCE = ['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''];

/** Starts Redis (durably, as above) on `port` (0: any free port) and resolves with its URL once it answers. */
export async function startRedis(supervisor, { port = 0, dir }) {
  mkdirSync(dir, { recursive: true });
  const bound = await startListening(supervisor, 'redis', port, (at) =>
    supervisor.run('redis', 'redis-server', [
      '--port', String(at), '--bind', HOST, '--dir', dir, ...REDIS_PERSISTENCE, '--loglevel', 'warning',
    ]),
  );
  const url = `redis://${HOST}:${bound}`;
  await waitUntil('redis', () => redisAnswers(url), { stopped: () => supervisor.stopping });
  return url;
}

/** Starts s3rver on `port` (0: any free port) with the bucket made, and resolves with its endpoint. */
export async function startS3(supervisor, { port = 0, dir }) {
  mkdirSync(dir, { recursive: true });
  // s3rver's request signing code needs OpenSSL's legacy provider on current Node releases.
  const bound = await startListening(supervisor, 's3', port, (at) =>
    supervisor.run('s3', process.execPath, [
      '--openssl-legacy-provider', join(ROOT, 'node_modules/s3rver/bin/s3rver.js'),
      '--directory', dir, '--address', HOST, '--port', String(at), '--configure-bucket', BUCKET, '--silent',
    ]),
  );
  const endpoint = `http://${HOST}:${bound}`;
  await waitUntil('s3rver', () => httpOk(`${endpoint}/${BUCKET}?list-type=2&max-keys=1`), { stopped: () => supervisor.stopping });
  return endpoint;
}

/** Environment of the services on the embedded defaults. */
export function serviceEnv({ redisUrl, s3Endpoint, logLevel = 'info' }) {
  return {
    NODE_ENV: 'development',
    HOST,
    LOG_LEVEL: logLevel,
    REDIS_URL: redisUrl,
    S3_BUCKET: BUCKET,
    S3_ENDPOINT: s3Endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    S3_REGION: 'us-east-1',
    // s3rver's fixed development credentials, not secrets: it accepts nothing else.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  };
}

/** Starts a built service on `port` (0: any free port) and resolves with its URL once it is ready. */
export async function startService(supervisor, name, { port = 0, env, logFile }) {
  const bound = await startListening(supervisor, name, port, (at) =>
    supervisor.run(name, process.execPath, ['--enable-source-maps', join(ROOT, 'dist/apps', name, 'main.js')], {
      ...env,
      PORT: String(at),
    }, { logFile }),
  );
  const url = `http://${HOST}:${bound}`;
  await waitUntil(name, () => httpOk(`${url}/health/ready`), { stopped: () => supervisor.stopping });
  return url;
}
