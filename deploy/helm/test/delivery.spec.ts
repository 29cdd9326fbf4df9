import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type IncomingHttpHeaders, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { freePort, startProcess, stopAllProcesses, waitFor } from '@pixel-prompt/testing';
import { parse as parseYaml, stringify } from 'yaml';
import { type Site, readSource, root, run, startSite, valuesFile } from './support';

const deploy = (...args: string[]) => run('bash', [join(root, 'tools/deploy/deploy.sh'), ...args]);
const deployWith = (kubeconfig: string, ...args: string[]) => run('bash', [join(root, 'tools/deploy/deploy.sh'), ...args], undefined, { KUBECONFIG: kubeconfig });

const environments = parseYaml(readSource('deploy/helm/environments.yaml')) as Record<string, { kubeContext: string; namespace: string; url: string }>;

/**
 * A real kubeconfig: one cluster per environment context (and a stranger's), all on a loopback port
 * nothing listens on, so a command that gets past the guard fails at its first request.
 */
async function kubeconfig(currentContext: string | null): Promise<string> {
  const server = `https://127.0.0.1:${await freePort()}`;
  const names = [...Object.values(environments).map((e) => e.kubeContext), 'someone-elses-cluster'];
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: names.map((name, i) => ({ name: `cluster-${i}`, cluster: { server, 'insecure-skip-tls-verify': true } })),
    users: [{ name: 'deployer', user: {} }],
    contexts: names.map((name, i) => ({ name, context: { cluster: `cluster-${i}`, user: 'deployer' } })),
    ...(currentContext === null ? {} : { 'current-context': currentContext }),
  };
  const file = join(mkdtempSync(join(tmpdir(), 'pp-kubeconfig-')), 'config');
  writeFileSync(file, stringify(config));
  return file;
}

/** A GET (or HEAD) with the given Accept-Encoding, the body left as it travelled (fetch would decode it). */
function get(port: number, path: string, acceptEncoding: string, method = 'GET'): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: `/${path}`, method, headers: { 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

afterAll(() => stopAllProcesses());

describe('tools/deploy/deploy.sh --dry-run', () => {
  it.each(['dev', 'staging', 'prod'])('lints, renders and validates %s without a cluster', (env) => {
    const result = deploy(env, '--dry-run');
    expect(result.stderr).toContain('0 chart(s) failed');
    expect(result.stderr).toContain(`renders valid objects; nothing was applied`);
    expect(result.status).toBe(0);
  });

  it('stops before applying when the values are invalid', () => {
    const result = deploy('prod', '--dry-run', '-f', valuesFile({ gateway: { port: 'http' } }));
    expect(result.status).not.toBe(0);
    expect(result.stderr).not.toContain('nothing was applied');
  });

  it('refuses an unknown environment', () => {
    const result = deploy('qa', '--dry-run');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown environment: qa');
  });

  it('needs no kube context at all', async () => {
    const result = deployWith(await kubeconfig(null), 'prod', '--dry-run');
    expect(result.status).toBe(0);
  });
});

describe('tools/deploy/deploy.sh against a cluster (a real kubeconfig, no API server)', () => {
  it.each([[[]], [['--server-dry-run']], [['--diff']]])('refuses another environment’s kube context before doing anything %j', async (mode: string[]) => {
    const result = deployWith(await kubeconfig(environments['staging']?.kubeContext ?? ''), 'prod', ...mode);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`refusing to deploy prod: the current kube context is '${environments['staging']?.kubeContext}', not '${environments['prod']?.kubeContext}'`);
    expect(result.stderr).not.toContain('== helm lint');
  });

  it('refuses when no kube context is set', async () => {
    const result = deployWith(await kubeconfig(null), 'staging');
    expect(result.status).toBe(3);
    expect(result.stderr).toContain("the current kube context is 'none'");
  });

  it('with the right context, checks the chart, then upgrades in that context and namespace', async () => {
    const result = deployWith(await kubeconfig(environments['prod']?.kubeContext ?? ''), 'prod');
    expect(result.stderr).toContain('0 chart(s) failed');
    expect(result.stderr).toContain(`== helm upgrade --install pixel-prompt (${environments['prod']?.kubeContext}, pixel-prompt-prod)`);
    // No API server listens: the upgrade's first request fails, and nothing runs after it.
    expect(result.stderr).toMatch(/connection refused/);
    expect(result.stderr).not.toContain('== rollout status');
    expect(result.status).not.toBe(0);
  });

  it.each([
    ['--server-dry-run', '== server dry run in'],
    ['--diff', '== diff of pixel-prompt in'],
  ])('%s asks the cluster, and fails when it cannot be reached', async (mode, heading) => {
    const result = deployWith(await kubeconfig(environments['staging']?.kubeContext ?? ''), 'staging', mode);
    expect(result.stderr).toContain(heading);
    expect(result.stderr).toMatch(/connection refused/);
    expect(result.stderr).not.toContain('nothing was applied');
    expect(result.stderr).not.toContain('no release pixel-prompt yet');
    expect(result.status).not.toBe(0);
  });

  it.each([
    [['--dry-run', '--diff'], 'choose one of --dry-run, --server-dry-run and --diff'],
    [['--dryrun'], 'unknown option: --dryrun'],
  ])('refuses the arguments %s', (args, message) => {
    const result = deploy('prod', ...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('checks the release after an upgrade: rollouts first, in the environment’s context', async () => {
    const config = await kubeconfig(environments['prod']?.kubeContext ?? '');
    const check = run('bash', [join(root, 'tools/deploy/check-release.sh'), '--context', environments['prod']?.kubeContext ?? '', '--namespace', 'pixel-prompt-prod', '--release', 'pixel-prompt', '--url', environments['prod']?.url ?? ''], undefined, { KUBECONFIG: config });
    expect(check.stderr).toContain('== rollout status of every Deployment of pixel-prompt');
    // The cluster cannot be asked: no smoke request is made on a release nobody has seen roll out.
    expect(check.stderr).not.toContain('== smoke requests');
    expect(check.status).not.toBe(0);
  });
});

describe('tools/deploy/smoke.mjs, the post-deploy smoke request', () => {
  let site: Site;

  beforeAll(async () => {
    site = await startSite();
  });

  afterAll(() => site?.stop());

  const smoke = () => run(process.execPath, [join(root, 'tools/deploy/smoke.mjs'), site.url]);

  it('passes when the web app and the API answer through the public URL', () => {
    const result = smoke();
    expect(result.stderr).toContain(`200 ${site.url}/api/models`);
    expect(result.status).toBe(0);
  });

  it('fails when the API behind it is down', async () => {
    await site.gateway.process.stop();
    const result = smoke();
    expect(result.stderr).toContain(`200 ${site.url}/config.json`);
    expect(result.stderr).not.toContain(`200 ${site.url}/api/models`);
    expect(result.status).toBe(1);
  });
});

describe('container images', () => {
  const values = parseYaml(readSource('deploy/helm/pixel-prompt/values.yaml'));

  it.each(['service', 'web'])('%s.Dockerfile builds on Node 24 in stages and runs as the chart user', (name) => {
    const dockerfile = readSource(`deploy/docker/${name}.Dockerfile`);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-/m);
    const stages = [...dockerfile.matchAll(/^FROM (\S+) AS (\w+)$/gm)].map((m) => m[2]);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toContain(`USER ${values.global.podSecurityContext.runAsUser}:${values.global.podSecurityContext.runAsGroup}`);
    // The runtime stage installs nothing itself: dev dependencies and build tools stay behind.
    expect(runtime).not.toMatch(/^RUN /m);
  });

  it('installs only production dependencies for the services', () => {
    expect(readSource('deploy/docker/service.Dockerfile')).toContain('npm ci --omit=dev');
  });

  it('keeps local state and host builds out of the build context', () => {
    const ignored = readSource('.dockerignore').split('\n');
    for (const entry of ['**/node_modules', 'dist', '.cache', '.local', '.git', '.env']) expect(ignored).toContain(entry);
  });

  it('serves the web build and config.json on PORT, then exits 0 on SIGTERM', async () => {
    // The image's layout: main.mjs next to web-server.mjs, the build in browser/.
    const app = mkdtempSync(join(tmpdir(), 'pp-web-image-'));
    copyFileSync(join(root, 'deploy/docker/web-main.mjs'), join(app, 'main.mjs'));
    copyFileSync(join(root, 'tools/stack/web-server.mjs'), join(app, 'web-server.mjs'));
    mkdirSync(join(app, 'browser'));
    writeFileSync(join(app, 'browser/index.html'), '<!doctype html><title>pp</title>');
    writeFileSync(join(app, 'browser/config.json'), '{"apiBaseUrl":"/"}');
    writeFileSync(join(app, 'browser/main-3HQ7XK2P.js'), 'console.log("a compressible script");\n'.repeat(200));
    writeFileSync(join(app, 'browser/favicon.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
    const port = await freePort();
    const web = await startProcess(process.execPath, [join(app, 'main.mjs')], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    });
    const index = await waitFor(async () => {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      return response.status === 200 ? response.text() : undefined;
    }, { what: `web on ${port}: ${web.output()}` });
    expect(index).toContain('<title>pp</title>');
    const config = await fetch(`http://127.0.0.1:${port}/config.json`);
    expect(await config.json()).toEqual({ apiBaseUrl: '/' });
    // One build serves every environment: what changes per deploy is never cached, hashed assets for good.
    expect(config.headers.get('cache-control')).toBe('no-cache');
    const asset = await fetch(`http://127.0.0.1:${port}/main-3HQ7XK2P.js`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    // Text goes out compressed as the client accepts it: Brotli first, else gzip, else as it is.
    const script = 'main-3HQ7XK2P.js';
    const source = readFileSync(join(app, 'browser', script));
    const br = await get(port, script, 'gzip, deflate, br');
    expect(br.headers).toMatchObject({ 'content-encoding': 'br', vary: 'Accept-Encoding', 'content-length': String(br.body.length) });
    expect(brotliDecompressSync(br.body)).toEqual(source);
    const gzip = await get(port, script, 'br;q=0, gzip');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body)).toEqual(source);
    const plain = await get(port, script, 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toEqual(source);
    const head = await get(port, script, 'br', 'HEAD');
    expect({ length: head.headers['content-length'], body: head.body.length }).toEqual({ length: String(br.body.length), body: 0 });
    // Images are compressed already: sent as they are, whatever the client accepts.
    const image = await get(port, 'favicon.png', 'br, gzip');
    expect(image.headers['content-encoding']).toBeUndefined();
    expect(image.headers['vary']).toBeUndefined();

    expect(await web.stop('SIGTERM')).toBe(0);
  });
});
