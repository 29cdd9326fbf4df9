import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type IncomingHttpHeaders, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { freePort, startProcess, stopAllProcesses, waitFor } from '@pixel-prompt/testing';
import { parse as parseYaml } from 'yaml';
import { readSource, root, run, valuesFile } from './support';

const deploy = (...args: string[]) => run('bash', [join(root, 'tools/deploy/deploy.sh'), ...args]);

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
