// Runs the whole of Pixel Prompt on loopback with embedded defaults: Redis, an S3-protocol server
// (s3rver) with the bucket created, the three services and the web app. Prints the URL to open;
// Ctrl-C (or SIGTERM) stops everything it started, by PID. Options: --skip-build.
// Ports and places can be changed with environment variables (see DEFAULTS below).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWebServer } from './web-server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const env = process.env;
const HOST = '127.0.0.1';
const DEFAULTS = {
  web: Number(env.PP_WEB_PORT ?? 4200),
  gateway: Number(env.PP_GATEWAY_PORT ?? 3000),
  generation: Number(env.PP_GENERATION_PORT ?? 3001),
  gallery: Number(env.PP_GALLERY_PORT ?? 3002),
  s3: Number(env.PP_S3_PORT ?? 4568),
  redis: Number(env.PP_REDIS_PORT ?? 6390),
};
const stateDir = env.PP_STATE_DIR ?? join(root, '.local');
const lockFile = join(stateDir, 'stack.json');
const BUCKET = 'pixel-prompt';
const SERVICES = ['gateway', 'generation', 'gallery'];

const children = [];
let webServer;
let stopping = false;

function say(message) {
  process.stdout.write(`[stack] ${message}\n`);
}

function fail(message) {
  process.stderr.write(`[stack] ${message}\n`);
  return stop(1);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portFree(port) {
  return new Promise((resolve) => {
    const probe = createServer().once('error', () => resolve(false));
    probe.listen(port, HOST, () => probe.close(() => resolve(true)));
  });
}

function redisAnswers(url) {
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

async function waitUntil(what, probe, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (stopping) throw new Error('stopping');
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function httpOk(url) {
  return (await fetch(url)).ok;
}

/** Starts a child whose output lines are shown prefixed with its name; the stack ends if it dies. */
function run(name, command, args, extraEnv = {}) {
  const child = spawn(command, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (stream, target) => {
    let rest = '';
    stream.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      for (const line of lines) target.write(`[${name}] ${line}\n`);
    });
  };
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  child.once('exit', (code, signal) => {
    child.exited = true;
    if (!stopping) void fail(`${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping everything`);
  });
  children.push({ name, child });
  return child;
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  say('stopping...');
  // Reverse start order: web and services drain before the stores they use go away.
  webServer?.close();
  for (const { name, child } of [...children].reverse()) {
    if (child.exited) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    say(`${name} stopped`);
  }
  if (existsSync(lockFile) && JSON.parse(readFileSync(lockFile, 'utf8')).pid === process.pid) rmSync(lockFile);
  process.exit(code);
}

async function main() {
  mkdirSync(stateDir, { recursive: true });
  if (existsSync(lockFile)) {
    const running = JSON.parse(readFileSync(lockFile, 'utf8'));
    if (alive(running.pid)) {
      process.stderr.write(
        `[stack] Pixel Prompt is already running (pid ${running.pid}): open ${running.url}\n` +
          `[stack] Stop it with Ctrl-C in its terminal (or kill ${running.pid}) before starting another.\n`,
      );
      process.exit(1);
    }
    rmSync(lockFile);
  }

  let redisUrl = env.REDIS_URL;
  if (redisUrl && (await redisAnswers(redisUrl))) {
    say(`using the Redis at REDIS_URL`);
  } else {
    if (redisUrl) say('REDIS_URL does not answer; starting a private Redis instead');
    redisUrl = `redis://${HOST}:${DEFAULTS.redis}`;
  }
  const privateRedis = redisUrl === `redis://${HOST}:${DEFAULTS.redis}`;

  const ports = Object.entries(DEFAULTS).filter(([name]) => name !== 'redis' || privateRedis);
  for (const [name, port] of ports) {
    if (!(await portFree(port))) {
      return fail(`port ${port} (${name}) is taken by another program; free it or set PP_${name.toUpperCase()}_PORT`);
    }
  }
  writeFileSync(lockFile, JSON.stringify({ pid: process.pid, url: `http://${HOST}:${DEFAULTS.web}` }));

  if (!process.argv.includes('--skip-build')) {
    say('building the services and the web app...');
    const build = spawnSync(
      process.execPath,
      [join(root, 'node_modules/nx/dist/bin/nx.js'), 'run-many', '-t', 'build', '-p', ...SERVICES, 'web'],
      { cwd: root, stdio: 'inherit', env: { ...env, NX_DAEMON: 'false', NX_TUI: 'false' } },
    );
    if (build.status !== 0) return fail('the build failed');
  }

  if (privateRedis) {
    const ensure = spawnSync('bash', [join(root, 'tools/system/ensure-packages.sh'), 'redis-server=redis-server'], {
      stdio: 'inherit',
    });
    if (ensure.status !== 0) return fail('redis-server is needed; see the message above');
    mkdirSync(join(stateDir, 'redis'), { recursive: true });
    run('redis', 'redis-server', [
      '--port', String(DEFAULTS.redis), '--bind', HOST, '--dir', join(stateDir, 'redis'),
      '--save', '60', '1', '--appendonly', 'no', '--loglevel', 'warning',
    ]);
    await waitUntil('redis', () => redisAnswers(redisUrl));
  }

  mkdirSync(join(stateDir, 's3'), { recursive: true });
  // s3rver's request signing code needs OpenSSL's legacy provider on current Node releases.
  run('s3', process.execPath, [
    '--openssl-legacy-provider', join(root, 'node_modules/s3rver/bin/s3rver.js'),
    '--directory', join(stateDir, 's3'), '--address', HOST, '--port', String(DEFAULTS.s3),
    '--configure-bucket', BUCKET, '--silent',
  ]);
  const s3Endpoint = `http://${HOST}:${DEFAULTS.s3}`;
  await waitUntil('s3rver', () => httpOk(`${s3Endpoint}/${BUCKET}?list-type=2&max-keys=1`));

  const serviceEnv = {
    NODE_ENV: 'development',
    HOST,
    LOG_LEVEL: env.LOG_LEVEL ?? 'info',
    REDIS_URL: redisUrl,
    S3_BUCKET: BUCKET,
    S3_ENDPOINT: s3Endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    S3_REGION: 'us-east-1',
    // s3rver's fixed development credentials, not secrets: it accepts nothing else.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  };
  for (const service of SERVICES) {
    run(service, process.execPath, ['--enable-source-maps', join(root, 'dist/apps', service, 'main.js')], {
      ...serviceEnv,
      PORT: String(DEFAULTS[service]),
    });
  }
  for (const service of SERVICES) {
    await waitUntil(service, () => httpOk(`http://${HOST}:${DEFAULTS[service]}/health/ready`));
  }

  webServer = await startWebServer({
    root: join(root, 'dist/apps/web/browser'),
    host: HOST,
    port: DEFAULTS.web,
    apiTarget: `http://${HOST}:${DEFAULTS.gateway}`,
  });

  say(`Pixel Prompt is running: open http://${HOST}:${DEFAULTS.web}`);
  say(`API (gateway) http://${HOST}:${DEFAULTS.gateway}, generation :${DEFAULTS.generation}, gallery :${DEFAULTS.gallery}`);
  say('Press Ctrl-C to stop everything.');
}

process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));
main().catch((error) => void fail(error instanceof Error ? error.message : String(error)));
