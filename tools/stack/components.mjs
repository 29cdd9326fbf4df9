// Starting and stopping the parts of Pixel Prompt as local processes: used by the local stack
// (stack.mjs) and the benchmarks (tools/bench), so both run the system the same way.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const HOST = '127.0.0.1';
export const BUCKET = 'pixel-prompt';
export const SERVICES = ['gateway', 'generation', 'gallery'];

/** A TCP port free on loopback right now, chosen by the kernel. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function portFree(port) {
  return new Promise((resolve) => {
    const probe = createServer().once('error', () => resolve(false));
    probe.listen(port, HOST, () => probe.close(() => resolve(true)));
  });
}

/** Whether the process `pid` itself listens on TCP `port`: its sockets, as Linux lists them in /proc. */
export function listensOn(pid, port) {
  let sockets;
  try {
    sockets = new Set(readdirSync(`/proc/${pid}/fd`).map((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`)));
  } catch {
    return false; // gone, or closing a descriptor while being read: asked again on the next poll
  }
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return ['/proc/net/tcp', '/proc/net/tcp6'].some((table) =>
    readFileSync(table, 'utf8')
      .split('\n')
      .some((line) => {
        // sl local_address rem_address st ... inode: state 0A is LISTEN.
        const fields = line.trim().split(/\s+/);
        return fields[3] === '0A' && fields[1]?.endsWith(hexPort) && sockets.has(`socket:[${fields[9]}]`);
      }),
  );
}

/**
 * Runs a server (`spawnAt(port)` starts it under the supervisor) and resolves with its port once that
 * very child listens there. Port 0 means any: a port free a moment ago, and another one should some
 * other program bind it before the child does (the child then exits without listening; its own
 * sockets tell it from the other program). A port the user asked for that is taken is an error.
 * `choosePort` is for tests of this.
 */
export async function startListening(supervisor, name, requested, spawnAt, choosePort = freePort) {
  for (let attempt = 1; ; attempt++) {
    const port = requested || (await choosePort());
    const child = spawnAt(port);
    const deadline = Date.now() + 60_000;
    while (!listensOn(child.pid, port)) {
      if (supervisor.stopping) throw new Error('stopping');
      if (child.exited) break;
      if (Date.now() > deadline) throw new Error(`${name} did not listen on port ${port} within 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (!child.exited) {
      supervisor.started(child);
      return port;
    }
    while (!child.closed) await new Promise((resolve) => setTimeout(resolve, 20));
    const taken = /EADDRINUSE|address already in use/i.test(child.tail.join('\n')) || !(await portFree(port));
    if (requested || !taken || attempt === 5) {
      throw new Error(`${name} exited before listening on port ${port}${taken ? ' (taken by another program)' : ''}:\n${child.tail.join('\n')}`);
    }
  }
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

/** Polls `probe` until it is truthy; gives up after `timeoutMs` or when `stopped()` says so. */
export async function waitUntil(what, probe, { timeoutMs = 60_000, stopped = () => false } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (stopped()) throw new Error('stopping');
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
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
 * Job state must outlive Redis: each write reaches the append-only file before Redis answers it, so
 * an accepted job survives `kill -9`; the file is fsynced every second, so a crash of the machine
 * itself may lose the last second (docs/RELIABILITY.md). RDB snapshots would add nothing.
 */
export const REDIS_PERSISTENCE = ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''];

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
