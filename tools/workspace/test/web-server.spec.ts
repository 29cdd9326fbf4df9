import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { type ManagedProcess, rawRequest, startProcess, stopAllProcesses, waitFor, workspaceRoot } from '@pixel-prompt/testing';

const root = workspaceRoot();

/** A GET (or HEAD) with the given Accept-Encoding. */
const get = (port: number, path: string, acceptEncoding: string, method = 'GET') =>
  rawRequest(`http://127.0.0.1:${port}`, `/${path}`, { 'accept-encoding': acceptEncoding }, method);

afterAll(() => stopAllProcesses());

describe("the local stack's web server (tools/stack/web-server.mjs)", () => {
  let dir: string;
  let server: ManagedProcess;
  let port: number;
  /** Stands in for the gateway: answers with the method and path it was asked for. */
  let api: Server;

  beforeAll(async () => {
    api = createServer((req, res) => res.end(JSON.stringify({ method: req.method, path: req.url })));
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const apiTarget = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'pp-web-server-'));
    mkdirSync(join(dir, 'browser'));
    writeFileSync(join(dir, 'browser/index.html'), '<!doctype html><title>pp</title>');
    writeFileSync(join(dir, 'browser/config.json'), '{"apiBaseUrl":"/api"}');
    writeFileSync(join(dir, 'browser/main-3HQ7XK2P.js'), 'console.log("a compressible script");\n'.repeat(200));
    writeFileSync(join(dir, 'browser/favicon.png'), Buffer.from('89504e470d0a1a0a', 'hex'));
    // On port 0: the kernel picks the port as the server binds it, and the server says which.
    const script = `
      import { startWebServer } from './tools/stack/web-server.mjs';
      const server = await startWebServer({ root: ${JSON.stringify(join(dir, 'browser'))}, host: '127.0.0.1', port: 0, apiTarget: ${JSON.stringify(apiTarget)} });
      console.log('port ' + server.address().port);
    `;
    server = await startProcess(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
    port = await waitFor(() => Number(server.lines.find((line) => line.startsWith('port '))?.slice(5)) || false, { what: 'the web server to listen' });
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    api.closeAllConnections();
    await new Promise((resolve) => api.close(resolve));
  });

  it('forwards /api and everything under it to the gateway with the path unchanged, as the Ingress does', async () => {
    const forwarded = async (path: string, method = 'GET') => (await (await fetch(`http://127.0.0.1:${port}${path}`, { method })).json()) as unknown;
    // The gateway serves its OpenAPI document only under /api: a proxy taking the prefix off would lose it.
    expect(await forwarded('/api/docs-json')).toEqual({ method: 'GET', path: '/api/docs-json' });
    expect(await forwarded('/api/generate', 'POST')).toEqual({ method: 'POST', path: '/api/generate' });
    expect(await forwarded('/api?probe=1')).toEqual({ method: 'GET', path: '/api?probe=1' });
    expect(await forwarded('/api')).toEqual({ method: 'GET', path: '/api' });
    // Only the prefix itself: a page whose name merely starts with "api" is the app's.
    expect(await (await fetch(`http://127.0.0.1:${port}/apis`)).text()).toContain('<title>pp</title>');
  });

  it('serves the app, config.json uncached and hashed assets for a year', async () => {
    expect(await (await fetch(`http://127.0.0.1:${port}/gallery`)).text()).toContain('<title>pp</title>');
    const config = await fetch(`http://127.0.0.1:${port}/config.json`);
    expect(await config.json()).toEqual({ apiBaseUrl: '/api' });
    expect(config.headers.get('cache-control')).toBe('no-cache');
    const asset = await fetch(`http://127.0.0.1:${port}/main-3HQ7XK2P.js`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`http://127.0.0.1:${port}/missing.js`)).status).toBe(404);
  });

  it('sends text compressed as the client accepts it: Brotli first, else gzip, else as it is', async () => {
    const script = 'main-3HQ7XK2P.js';
    const source = readFileSync(join(dir, 'browser', script));
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
  });
});

describe("the Angular dev server's proxy (apps/web/proxy.conf.json)", () => {
  it('sends /api to the gateway on its default port with the path unchanged, as the Ingress does', () => {
    const config = JSON.parse(readFileSync(join(root, 'apps/web/proxy.conf.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    const gatewayPort = /PORT: portSchema\.default\((\d+)\)/.exec(readFileSync(join(root, 'apps/gateway/src/config.ts'), 'utf8'))?.[1];
    expect(Object.keys(config)).toEqual(['/api']);
    expect(config['/api']).toEqual({ target: `http://127.0.0.1:${gatewayPort}`, secure: false, changeOrigin: false });
  });
});
