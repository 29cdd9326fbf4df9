import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { GenerateAccepted, JobStatusResponse } from '@pixel-prompt/contracts';
import { TestRedis, TestS3, rawRequest, waitFor } from '@pixel-prompt/testing';
import { chromium } from 'playwright-core';
import { BUILD_MOUNT_TARGET, OUTPUT, ROOT, STATE, buildMounts, check, fromReferences, openFilesLimit, run } from './engine';

/**
 * Every image of the chart, built from its Dockerfile with buildah and run with podman exactly as
 * the chart runs it (read-only root, uid 1000, a tmpfs at /tmp, all capabilities dropped, no
 * privilege escalation) against a real Redis and s3rver. The Dockerfiles' base images are local
 * stand-ins (stand-ins.sh): no registry is needed. Writes an SBOM per image and a report of sizes
 * and times to dist/images, and prints the report.
 */

interface Image {
  name: 'gateway' | 'generation' | 'gallery' | 'web';
  dockerfile: string;
  buildArgs: Record<string, string>;
  /** The port the chart gives it. */
  port: number;
  readyPath: string;
}

const SERVICE = 'deploy/docker/service.Dockerfile';
const IMAGES: Image[] = [
  { name: 'gateway', dockerfile: SERVICE, buildArgs: { APP: 'gateway' }, port: 3000, readyPath: '/health/ready' },
  { name: 'generation', dockerfile: SERVICE, buildArgs: { APP: 'generation' }, port: 3001, readyPath: '/health/ready' },
  { name: 'gallery', dockerfile: SERVICE, buildArgs: { APP: 'gallery' }, port: 3002, readyPath: '/health/ready' },
  // The chart probes the web image at / (nginx has no health routes).
  { name: 'web', dockerfile: 'deploy/docker/web.Dockerfile', buildArgs: {}, port: 8080, readyPath: '/' },
];
const tagOf = (image: Image) => `localhost/pixel-prompt/${image.name}:test`;

/** How a container reaches this machine's loopback (slirp4netns with allow_host_loopback). */
const HOST_FROM_CONTAINER = '10.0.2.2';
/** The chart's pod and container security settings, as podman flags. */
const AS_THE_CHART_RUNS_IT = [
  '--read-only',
  // podman would also make /run and /var/tmp writable; the chart makes only /tmp writable.
  '--read-only-tmpfs=false',
  '--tmpfs', '/tmp:rw,size=64m',
  '--user', '1000:1000',
  '--cap-drop', 'all',
  '--security-opt', 'no-new-privileges',
];

interface Measured {
  buildSeconds?: number;
  sizeBytes?: number;
  readyMs?: number;
}
const measured = new Map<string, Measured>(IMAGES.map((image) => [image.name, {}]));
const timings: Record<string, number> = {};
const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;

interface Container {
  name: string;
  /** From this machine. */
  url: string;
  /** From another container. */
  containerUrl: string;
}
const containers = new Map<Image['name'], Container>();

async function logsOf(name: string): Promise<string> {
  const logs = await run('podman', ['logs', '--tail', '40', name]);
  return `${logs.stdout}${logs.stderr}`;
}

/**
 * Starts the image as the chart runs it, publishing its port on a loopback port podman picks, and
 * waits until it answers its readiness path. Podman picks a free port and then binds it: should
 * another program take it in between, the start fails with "address already in use" and is retried.
 */
async function start(image: Image, env: Record<string, string>, extra: string[] = []): Promise<number> {
  const name = `pp-test-${image.name}`;
  const envArgs = Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
  for (let attempt = 1; ; attempt++) {
    const startedAt = Date.now();
    const started = await run('podman', [
      'run', '--pull=never', '--detach', '--name', name,
      '--network', 'slirp4netns:allow_host_loopback=true', '--publish', `127.0.0.1::${image.port}`,
      ...AS_THE_CHART_RUNS_IT, ...envArgs, ...extra, tagOf(image),
    ]);
    if (started.code !== 0) {
      await run('podman', ['rm', '--force', name]);
      if (/address already in use/i.test(started.stderr) && attempt < 5) continue;
      throw new Error(`podman run ${image.name} failed:\n${started.stderr}`);
    }
    const published = await check('podman', ['port', name, `${image.port}/tcp`]);
    const port = Number(published.split(':').at(-1));
    const container = { name, url: `http://127.0.0.1:${port}`, containerUrl: `http://${HOST_FROM_CONTAINER}:${port}` };
    containers.set(image.name, container);
    const outcome = await waitFor(
      async () => {
        if ((await fetch(`${container.url}${image.readyPath}`).then((r) => r.status, () => 0)) === 200) return 'ready';
        const running = await check('podman', ['inspect', '--format', '{{.State.Running}}', name]);
        return running !== 'true' && 'exited';
      },
      { what: `${image.name} to answer ${image.readyPath}`, timeoutMs: 60_000, intervalMs: 100 },
    ).catch((error: Error) => error.message);
    if (outcome !== 'ready') throw new Error(`${image.name} is not ready (${outcome}):\n${await logsOf(name)}`);
    return Date.now() - startedAt;
  }
}

/** `buildah bud` of the repository with a Dockerfile, base images from local storage only. */
function build(dockerfile: string, tag: string, buildArgs: Record<string, string>, onOutput?: (chunk: string) => void) {
  const args = Object.entries(buildArgs).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]);
  return run(
    'buildah',
    [
      'bud', '--pull=never', '--isolation', 'chroot', '--layers', '--force-rm', '--ulimit', openFilesLimit(),
      // The CA bundle and the npmrc naming it reach the RUN steps only: no layer keeps them.
      '--volume', `${mounts}:${BUILD_MOUNT_TARGET}:ro`,
      '--file', dockerfile, ...args, '--tag', tag, ROOT,
    ],
    { onOutput },
  );
}

/**
 * Layers stay between runs: buildah reuses a step whose inputs did not change (the dependency layer
 * while the lockfile stays the same), so local re-runs are fast. Past STORAGE_LIMIT_GB of them,
 * everything but the base stand-ins goes.
 */
const STORAGE_LIMIT_GB = 20;
async function keepStorageBounded(standIns: string[]): Promise<void> {
  await run('podman', ['rm', '--all', '--force']);
  await run('buildah', ['rm', '--all']);
  const used = await check('du', ['-s', '--block-size=1G', join(STATE, 'storage')]);
  if (Number(used.split(/\s/)[0]) <= STORAGE_LIMIT_GB) return;
  const listed = await check('podman', ['images', '--all', '--format', '{{.ID}} {{.Names}}']);
  const stale = listed
    .split('\n')
    .filter((line) => line && !standIns.some((reference) => line.includes(`docker.io/library/${reference}`)))
    .map((line) => line.split(' ')[0] ?? '');
  if (stale.length > 0) await run('podman', ['rmi', '--force', ...stale]);
}

const standIns = [...new Set(IMAGES.flatMap((image) => fromReferences(image.dockerfile)))];
let mounts: string;
/** Files the containers are given (the web app's config.json). */
let workDir: string;
let redis: TestRedis;
let s3: TestS3;

let suiteStartedAt = 0;

beforeAll(async () => {
  suiteStartedAt = Date.now();
  if (process.getuid?.() !== 0 && (await run('true', [])).code !== 0) {
    throw new Error('buildah and podman run as root here: run npm test as root or with passwordless sudo');
  }
  const missing = [];
  for (const program of ['buildah', 'podman', 'runc', 'debootstrap', 'slirp4netns']) {
    if ((await run('sh', ['-c', `command -v ${program}`])).code !== 0) missing.push(program);
  }
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}: tools/ci/test.sh installs them`);
  mkdirSync(OUTPUT, { recursive: true });
  mounts = buildMounts();
  workDir = mkdtempSync(join(tmpdir(), 'pp-images-'));
  await keepStorageBounded(standIns);
  [redis, s3] = await Promise.all([TestRedis.start(), TestS3.start()]);
}, 120_000);

afterAll(async () => {
  await run('podman', ['rm', '--all', '--force']);
  await Promise.all([redis?.dispose(), s3?.dispose()]);
  rmSync(workDir, { recursive: true, force: true });
  timings['in all'] = seconds(suiteStartedAt);
  const rows = IMAGES.map(({ name }) => {
    const m = measured.get(name) ?? {};
    return `  ${name.padEnd(11)} ${String(m.buildSeconds ?? '-').padStart(6)} s ${String(m.sizeBytes ? Math.round(m.sizeBytes / 1e6) : '-').padStart(6)} MB ${String(m.readyMs ?? '-').padStart(6)} ms`;
  });
  const report = [
    `Container images (${Object.entries(timings).map(([step, s]) => `${step} ${s} s`).join(', ')})`,
    `  ${'image'.padEnd(11)} ${'build'.padStart(8)} ${'size'.padStart(9)} ${'start to ready'.padStart(15)}`,
    ...rows,
    `  SBOMs: ${join('dist/images', '<image>.cdx.json')}`,
  ].join('\n');
  writeFileSync(join(OUTPUT, 'report.json'), `${JSON.stringify({ timings, images: Object.fromEntries(measured) }, null, 2)}\n`);
  process.stdout.write(`\n${report}\n\n`);
}, 120_000);

describe('container images', () => {
  it('makes local stand-ins for the base images the Dockerfiles name', async () => {
    const startedAt = Date.now();
    await check('bash', [join(ROOT, 'tools/images/stand-ins.sh'), join(STATE, 'stand-ins'), ...standIns], { timeoutMs: 5 * 60_000 });
    timings['base stand-ins'] = seconds(startedAt);

    expect(standIns.sort()).toEqual(['debian:bookworm-slim', 'node:24-bookworm-slim']);
    // The official Node image's behaviour: arguments that are no command go to node; the node user is 1000.
    const node = 'docker.io/library/node:24-bookworm-slim';
    expect(await check('podman', ['run', '--pull=never', '--rm', '--network', 'none', node, '--version'])).toMatch(/^v24\./);
    expect(await check('podman', ['run', '--pull=never', '--rm', '--network', 'none', node, 'id', 'node'])).toBe('uid=1000(node) gid=1000(node) groups=1000(node)');
    expect(await check('podman', ['run', '--pull=never', '--rm', '--network', 'none', node, 'npm', '--version'])).toMatch(/^11\./);
  }, 6 * 60_000);

  it('fails the build, quickly, when a Dockerfile is broken', async () => {
    // The service Dockerfile with its dependency manifests never copied in: npm ci has nothing to install.
    const dir = mkdtempSync(join(tmpdir(), 'pp-broken-dockerfile-'));
    try {
      const broken = readFileSync(join(ROOT, SERVICE), 'utf8').replace(/^COPY package\.json package-lock\.json \.\/$/m, '');
      writeFileSync(join(dir, 'Dockerfile'), broken);
      const startedAt = Date.now();
      const result = await build(join(dir, 'Dockerfile'), 'localhost/pixel-prompt/broken:test', { APP: 'gateway' });
      expect(result.code).not.toBe(0);
      expect(result.stderr + result.stdout).toMatch(/npm ci.*package-lock\.json/s);
      expect(Date.now() - startedAt).toBeLessThan(60_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 2 * 60_000);

  it('builds every image from its Dockerfile, running npm ci once for all of them', async () => {
    const startedAt = Date.now();
    for (const image of IMAGES) {
      const imageStartedAt = Date.now();
      const output: string[] = [];
      // The log marks when each step began, for finding what a slow build spent its time on.
      const log: string[] = [];
      const result = await build(join(ROOT, image.dockerfile), tagOf(image), image.buildArgs, (chunk) => {
        output.push(chunk);
        log.push(chunk.replace(/^(?=(\[\d+\/\d+\] )?STEP )/gm, `[${seconds(imageStartedAt)} s] `));
      });
      writeFileSync(join(OUTPUT, `${image.name}.build.log`), log.join(''));
      if (result.code !== 0) throw new Error(`building ${image.name} failed (dist/images/${image.name}.build.log):\n${output.join('').slice(-4000)}`);
      const m = measured.get(image.name) ?? {};
      m.buildSeconds = seconds(imageStartedAt);
      m.sizeBytes = Number(await check('podman', ['image', 'inspect', '--format', '{{.Size}}', tagOf(image)]));
      // The dependency layer is made once (by the first image, or by an earlier run) and shared.
      const npmCi = /STEP \d+\/\d+: RUN [^\n]*npm ci --no-audit --no-fund\n(--> Using cache)?/.exec(output.join(''));
      if (image !== IMAGES[0]) expect({ image: image.name, npmCi: npmCi?.[1] }).toEqual({ image: image.name, npmCi: '--> Using cache' });
    }
    timings['builds'] = seconds(startedAt);
  }, 15 * 60_000);

  it('makes images that run as the chart user, with only production npm packages in the services', async () => {
    for (const image of IMAGES) {
      const user = await check('podman', ['image', 'inspect', '--format', '{{.Config.User}}', tagOf(image)]);
      expect({ image: image.name, user }).toEqual({ image: image.name, user: '1000:1000' });
    }
    for (const image of IMAGES.filter((i) => i.name !== 'web')) {
      const installed = (await check('podman', ['run', '--pull=never', '--rm', '--network', 'none', '--entrypoint', 'ls', tagOf(image), '/app/node_modules'])).split('\n');
      const devTools = ['nx', 'jest', 'typescript', 'webpack'].filter((name) => installed.includes(name));
      expect({ image: image.name, express: installed.includes('express'), devTools }).toEqual({ image: image.name, express: true, devTools: [] });
    }
  });

  it('keeps local state and host builds out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', 'dist', '.cache', '.local', '.git', '.env']) expect(ignored).toContain(entry);
  });

  it('leaves neither the CA bundle nor the npmrc used by the builds in any image', async () => {
    for (const image of IMAGES) {
      const listed = await check('podman', ['run', '--pull=never', '--rm', '--network', 'none', '--entrypoint', 'ls', tagOf(image), '-A', BUILD_MOUNT_TARGET]);
      expect({ image: image.name, listed }).toEqual({ image: image.name, listed: '' });
    }
  });

  it('runs every image as the chart runs it, each ready against the real Redis and S3', async () => {
    const redisUrl = `redis://${HOST_FROM_CONTAINER}:${redis.port}`;
    const storage = { ...s3.env(), S3_ENDPOINT: `http://${HOST_FROM_CONTAINER}:${s3.port}` };
    const [gateway, generation, gallery, web] = IMAGES as [Image, Image, Image, Image];
    const service = (image: Image) => ({ PORT: String(image.port), LOG_LEVEL: 'info' });

    const config = join(workDir, 'config.json');
    writeFileSync(config, JSON.stringify({ apiBaseUrl: '/api', cdnOrigin: 'https://images.example.com' }));
    chmodSync(config, 0o644);

    // In this order: the gateway is given the gallery's address.
    const readyMs = {
      gallery: await start(gallery, { ...service(gallery), ...storage }),
      generation: await start(generation, { ...service(generation), REDIS_URL: redisUrl, ...storage }),
      // The chart mounts the deployment's config.json over the image's.
      web: await start(web, {}, ['--volume', `${config}:/app/browser/config.json:ro`]),
      gateway: await start(gateway, { ...service(gateway), REDIS_URL: redisUrl, GALLERY_URL: containers.get('gallery')?.containerUrl ?? '' }),
    };
    for (const [name, ms] of Object.entries(readyMs)) Object.assign(measured.get(name) ?? {}, { readyMs: ms });

    for (const image of IMAGES) {
      const answer = await fetch(`${containers.get(image.name)?.url}${image.readyPath}`);
      expect({ image: image.name, status: answer.status }).toEqual({ image: image.name, status: 200 });
    }
  }, 5 * 60_000);

  it('generates an image through the gateway, generation and gallery images', async () => {
    const gateway = containers.get('gateway')?.url;
    const submitted = await fetch(`${gateway}/generate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt: 'a lighthouse on a cliff', seed: 3 }),
    });
    expect(submitted.status).toBe(202);
    const { jobId } = (await submitted.json()) as GenerateAccepted;
    const done = await waitFor(
      async () => {
        const status = (await (await fetch(`${gateway}/status/${jobId}`)).json()) as JobStatusResponse;
        return status.endedModels === status.totalModels && status;
      },
      { what: `job ${jobId} to end`, timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(done.status).toBe('completed');
    // Rendered with sharp in the generation image, stored in s3rver, served through the gallery image.
    const first = done.results[0];
    const image = await fetch(`${gateway}${first?.imageUrl}`);
    expect(image.status).toBe(200);
    expect((await image.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
  }, 3 * 60_000);

  describe('web (nginx)', () => {
    const url = () => containers.get('web')?.url ?? '';

    it('serves index.html Brotli-compressed, never cached without revalidation, and 304 on a matching ETag', async () => {
      const page = await rawRequest(url(), '/', { 'Accept-Encoding': 'br, gzip' });
      expect(page.status).toBe(200);
      expect(page.headers).toMatchObject({
        'content-type': 'text/html; charset=utf-8',
        'content-encoding': 'br',
        'cache-control': 'no-cache',
        vary: 'Accept-Encoding',
        etag: expect.any(String),
      });
      expect(brotliDecompressSync(page.body).toString()).toContain('<pp-root>');
      const again = await rawRequest(url(), '/', { 'Accept-Encoding': 'br, gzip', 'If-None-Match': String(page.headers.etag) });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
    });

    it('serves the mounted config.json itself, uncached, with ETag and 304', async () => {
      const config = await rawRequest(url(), '/config.json', { 'Accept-Encoding': 'br, gzip' });
      expect(config.status).toBe(200);
      expect(JSON.parse(config.body.toString())).toEqual({ apiBaseUrl: '/api', cdnOrigin: 'https://images.example.com' });
      expect(config.headers).toMatchObject({ 'cache-control': 'no-cache', etag: expect.any(String) });
      expect(config.headers['content-encoding']).toBeUndefined();
      expect((await rawRequest(url(), '/config.json', { 'If-None-Match': String(config.headers.etag) })).status).toBe(304);
    });

    it('serves hashed assets for a year, precompressed as Brotli and gzip, plain to clients accepting neither', async () => {
      const index = brotliDecompressSync((await rawRequest(url(), '/index.html', { 'Accept-Encoding': 'br' })).body).toString();
      const main = /src="(main-[A-Za-z0-9_-]{8}\.js)"/.exec(index)?.[1];
      expect(main).toBeDefined();
      const plain = await rawRequest(url(), `/${main}`);
      const br = await rawRequest(url(), `/${main}`, { 'Accept-Encoding': 'br' });
      const gzip = await rawRequest(url(), `/${main}`, { 'Accept-Encoding': 'gzip' });
      for (const answer of [plain, br, gzip]) {
        expect(answer.status).toBe(200);
        expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        expect(answer.headers['content-type']).toBe('application/javascript; charset=utf-8');
      }
      expect([plain.headers['content-encoding'], br.headers['content-encoding'], gzip.headers['content-encoding']]).toEqual([undefined, 'br', 'gzip']);
      expect(brotliDecompressSync(br.body)).toEqual(plain.body);
      expect(gunzipSync(gzip.body)).toEqual(plain.body);
      expect(br.body.length).toBeLessThan(plain.body.length / 2);
    });

    it("answers the app's routes with the app, and a missing file with 404", async () => {
      for (const route of ['/gallery', '/gallery/0b7c2a6e-5c1f-4e9a-9d8e-1f2a3b4c5d6e']) {
        const page = await rawRequest(url(), route);
        expect({ route, status: page.status, type: page.headers['content-type'], cache: page.headers['cache-control'] }).toEqual({
          route,
          status: 200,
          type: 'text/html; charset=utf-8',
          cache: 'no-cache',
        });
      }
      expect((await rawRequest(url(), '/main-00000000.js')).status).toBe(404);
      expect((await rawRequest(url(), '/missing.png')).status).toBe(404);
      const icon = await rawRequest(url(), '/favicon.svg');
      expect([icon.status, icon.headers['cache-control']]).toEqual([200, 'public, max-age=3600']);
    });

    it('serves nothing outside /app/browser, whatever the path', async () => {
      for (const path of ['/../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd', '/gallery/..%2f..%2f..%2f..%2fetc/passwd', '/%00/etc/passwd']) {
        const answer = await rawRequest(url(), path);
        expect({ path, status: answer.status < 500, leaked: answer.body.toString().includes('root:') }).toEqual({ path, status: true, leaked: false });
      }
      expect((await rawRequest(url(), '/', {}, 'POST')).status).toBe(405);
    });

    it('sends the security headers on every answer and names no server version', async () => {
      const index = await rawRequest(url(), '/');
      const inlineScripts = [...index.body.toString().matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)];
      expect(inlineScripts.length).toBeGreaterThan(0);
      for (const answer of [index, await rawRequest(url(), '/missing.js'), await rawRequest(url(), '/../x')]) {
        const csp = String(answer.headers['content-security-policy']);
        for (const [, script] of inlineScripts) expect(csp).toContain(`'sha256-${createHash('sha256').update(String(script)).digest('base64')}'`);
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).toContain("object-src 'none'");
        expect(answer.headers).toMatchObject({
          server: 'nginx',
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'DENY',
          'referrer-policy': 'same-origin',
          'permissions-policy': expect.stringContaining('camera=()'),
        });
        expect(answer.headers['x-powered-by']).toBeUndefined();
      }
    });

    it('starts the app in Chromium without a Content Security Policy violation', async () => {
      const browser = await chromium.launch({ executablePath: (await check('sh', ['-c', 'command -v chromium'])) || undefined, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
      try {
        const page = await browser.newPage();
        const refused: string[] = [];
        page.on('console', (message) => {
          if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
        });
        await page.addInitScript(() => {
          document.addEventListener('securitypolicyviolation', (event) => console.error(`Content Security Policy: ${event.violatedDirective} ${event.blockedURI}`));
        });
        await page.goto(`${url()}/gallery`, { waitUntil: 'networkidle' });
        // Angular ran (the bundle is allowed) and both inline scripts ran (allowed by hash).
        await page.waitForSelector('pp-root[ng-version]');
        expect(await page.evaluate(() => document.getElementById('start-intro'))).toBeNull();
        expect(await page.evaluate(() => (document.querySelector('link[rel="stylesheet"]') as HTMLLinkElement | null)?.media)).toBe('all');
        expect(refused).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  });

  it('writes a CycloneDX SBOM of the npm packages in every image', async () => {
    for (const image of IMAGES.filter((i) => i.name !== 'web')) {
      // The service images hold their production dependencies under /app; npm reads them offline.
      const sbom = await check('podman', [
        'run', '--pull=never', '--rm', '--network', 'none', ...AS_THE_CHART_RUNS_IT, '--env', 'HOME=/tmp',
        '--entrypoint', 'npm', tagOf(image), 'sbom', '--sbom-format', 'cyclonedx', '--omit', 'dev',
      ]);
      writeFileSync(join(OUTPUT, `${image.name}.cdx.json`), `${sbom}\n`);
      const bom = JSON.parse(sbom) as Bom;
      expect(bom.bomFormat).toBe('CycloneDX');
      expect(bom.components.map(fullName)).toContain('@nestjs/core');
    }
    // The web image's npm packages are those bundled into the app, as its build listed them.
    const web = IMAGES.find((i) => i.name === 'web') as Image;
    const notices = await check('podman', ['run', '--pull=never', '--rm', '--network', 'none', '--entrypoint', 'cat', tagOf(web), '/app/3rdpartylicenses.txt']);
    const bundled = new Set([...notices.matchAll(/^Package: (\S+)$/gm)].map(([, name]) => String(name)));
    expect(bundled).toContain('@angular/core');
    const bom = webSbom(bundled);
    writeFileSync(join(OUTPUT, 'web.cdx.json'), `${JSON.stringify(bom, null, 2)}\n`);
    expect(bom.bomFormat).toBe('CycloneDX');
    for (const name of bundled) expect(bom.components.map(fullName)).toContain(name);
  });

  it('stops every container cleanly on its stop signal, as Kubernetes stops a pod', async () => {
    for (const [image, container] of containers) {
      // SIGTERM for the services (they drain), SIGQUIT for nginx (it finishes what is in flight): the image says which.
      await check('podman', ['stop', '--time', '30', container.name]);
      const exitCode = await check('podman', ['inspect', '--format', '{{.State.ExitCode}}', container.name]);
      expect({ image, exitCode }).toEqual({ image, exitCode: '0' });
    }
  });
});

interface Component {
  group?: string;
  name: string;
}
interface Bom {
  bomFormat: string;
  components: Component[];
}
const fullName = (c: Component) => (c.group ? `${c.group}/${c.name}` : c.name);

/**
 * npm's SBOM of the packages the web build bundled, at the versions the workspace's lockfile holds:
 * npm sbom run on a lockfile holding only them and what they depend on. (npm sbom --omit dev on
 * the whole workspace leaves out production packages that dev tools also depend on.)
 */
function webSbom(bundled: Set<string>): Bom {
  interface Locked {
    version: string;
    dependencies?: Record<string, string>;
  }
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Locked> };
  const kept: Record<string, Locked> = {};
  // npm's resolution: a dependency of the package at `from` is the nearest node_modules/<name> above it.
  const locate = (name: string, from: string): string => {
    for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
      const location = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (lock.packages[location]) return location;
      if (!dir) throw new Error(`${name} (needed by ${from || 'the workspace'}) is not in package-lock.json`);
    }
  };
  const keep = (location: string) => {
    const entry = lock.packages[location];
    if (kept[location] || !entry) return;
    kept[location] = entry;
    for (const name of Object.keys(entry.dependencies ?? {})) keep(locate(name, location));
  };
  const dependencies = Object.fromEntries(
    [...bundled].map((name) => {
      keep(locate(name, ''));
      return [name, kept[`node_modules/${name}`]?.version ?? ''];
    }),
  );
  const dir = mkdtempSync(join(tmpdir(), 'pp-web-sbom-'));
  try {
    const manifest = { name: 'pixel-prompt-web', version: '0.0.0', private: true, dependencies };
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
    writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ ...manifest, lockfileVersion: 3, packages: { '': manifest, ...kept } }));
    const text = execFileSync('npm', ['sbom', '--sbom-format', 'cyclonedx', '--package-lock-only'], { cwd: dir, encoding: 'utf8' });
    return JSON.parse(text) as Bom;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
