// Runs the whole of Pixel Prompt on loopback with embedded defaults: Redis, an S3-protocol server
// (s3rver) with the bucket created, the three services and the web app. Prints the URL to open;
// Ctrl-C (or SIGTERM) stops everything it started, by PID. Options: --skip-build.
// Ports and places can be changed with environment variables (see PORTS below); a port of 0
// means any free one (tests use that): the ports in use are printed and kept in the state folder's
// stack.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  HOST,
  ROOT,
  SERVICES,
  Supervisor,
  portFree,
  redisAnswers,
  serviceEnv,
  startRedis,
  startS3,
  startService,
} from './components.mjs';
import { startWebServer } from './web-server.mjs';

const env = process.env;
const PORTS = {
  web: Number(env.PP_WEB_PORT ?? 4200),
  gateway: Number(env.PP_GATEWAY_PORT ?? 3000),
  generation: Number(env.PP_GENERATION_PORT ?? 3001),
  gallery: Number(env.PP_GALLERY_PORT ?? 3002),
  s3: Number(env.PP_S3_PORT ?? 4568),
  redis: Number(env.PP_REDIS_PORT ?? 6390),
};
const stateDir = env.PP_STATE_DIR ?? join(ROOT, '.local');
const lockFile = join(stateDir, 'stack.json');

const supervisor = new Supervisor({
  onUnexpectedExit: (name, how) => void fail(`${name} exited unexpectedly (${how}); stopping everything`),
});
let webServer;

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

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  say('stopping...');
  webServer?.close();
  // Reverse start order: the services drain before the stores they use go away.
  await supervisor.stopAll((name) => say(`${name} stopped`));
  if (existsSync(lockFile) && JSON.parse(readFileSync(lockFile, 'utf8')).pid === process.pid) rmSync(lockFile);
  process.exit(code);
}

async function main() {
  mkdirSync(stateDir, { recursive: true });
  if (existsSync(lockFile)) {
    const running = JSON.parse(readFileSync(lockFile, 'utf8'));
    if (alive(running.pid)) {
      process.stderr.write(
        `[stack] Pixel Prompt is already running (pid ${running.pid}): open ${running.url ?? 'it once it has started'}\n` +
          `[stack] Stop it with Ctrl-C in its terminal (or kill ${running.pid}) before starting another.\n`,
      );
      process.exit(1);
    }
    rmSync(lockFile);
  }

  const externalRedis = env.REDIS_URL && (await redisAnswers(env.REDIS_URL)) ? env.REDIS_URL : undefined;
  if (externalRedis) say('using the Redis at REDIS_URL');
  else if (env.REDIS_URL) say('REDIS_URL does not answer; starting a private Redis instead');

  for (const [name, port] of Object.entries(PORTS)) {
    if ((name === 'redis' && externalRedis) || port === 0) continue;
    if (!(await portFree(port))) {
      return fail(`port ${port} (${name}) is taken by another program; free it or set PP_${name.toUpperCase()}_PORT`);
    }
  }
  writeFileSync(lockFile, JSON.stringify({ pid: process.pid }));

  if (!process.argv.includes('--skip-build')) {
    say('building the services and the web app...');
    const build = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/nx/dist/bin/nx.js'), 'run-many', '-t', 'build', '-p', ...SERVICES, 'web'],
      { cwd: ROOT, stdio: 'inherit', env: { ...env, NX_DAEMON: 'false', NX_TUI: 'false' } },
    );
    if (build.status !== 0) return fail('the build failed');
  }

  let redisUrl = externalRedis;
  if (!redisUrl) {
    const ensure = spawnSync('bash', [join(ROOT, 'tools/system/ensure-packages.sh'), 'redis-server=redis-server'], {
      stdio: 'inherit',
    });
    if (ensure.status !== 0) return fail('redis-server is needed; see the message above');
    redisUrl = await startRedis(supervisor, { port: PORTS.redis, dir: join(stateDir, 'redis') });
  }
  const s3Endpoint = await startS3(supervisor, { port: PORTS.s3, dir: join(stateDir, 's3') });
  const shared = serviceEnv({ redisUrl, s3Endpoint, logLevel: env.LOG_LEVEL });
  // The gateway is given the gallery's address, so it starts once the gallery has its port.
  const [galleryUrl, generationUrl] = await Promise.all([
    startService(supervisor, 'gallery', { port: PORTS.gallery, env: shared }),
    startService(supervisor, 'generation', { port: PORTS.generation, env: shared }),
  ]);
  const gatewayUrl = await startService(supervisor, 'gateway', { port: PORTS.gateway, env: { ...shared, GALLERY_URL: galleryUrl } });

  webServer = await startWebServer({ root: join(ROOT, 'dist/apps/web/browser'), host: HOST, port: PORTS.web, apiTarget: gatewayUrl });
  const url = `http://${HOST}:${webServer.address().port}`;
  const portOf = (address) => Number(new URL(address).port);
  const ports = {
    web: portOf(url),
    gateway: portOf(gatewayUrl),
    generation: portOf(generationUrl),
    gallery: portOf(galleryUrl),
    s3: portOf(s3Endpoint),
    redis: portOf(redisUrl),
  };
  writeFileSync(lockFile, JSON.stringify({ pid: process.pid, url, ports }));

  say(`Pixel Prompt is running: open ${url}`);
  say(`API (gateway) ${gatewayUrl}, generation :${ports.generation}, gallery :${ports.gallery}, S3 :${ports.s3}, Redis :${ports.redis}`);
  say('Press Ctrl-C to stop everything.');
}

process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));
main().catch((error) => void fail(error instanceof Error ? error.message : String(error)));
