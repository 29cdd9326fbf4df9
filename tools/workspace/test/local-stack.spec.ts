import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess, waitFor, workspaceRoot } from '@pixel-prompt/testing';

const root = workspaceRoot();

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('local stack (npm start)', () => {
  it('brings everything up ready, refuses a second run, and Ctrl-C stops all it started', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'pp-stack-'));
    // Port 0: the stack takes free ports itself and says which (no port is chosen here and bound later).
    const env = {
      ...process.env,
      PP_STATE_DIR: stateDir,
      PP_WEB_PORT: '0',
      PP_GATEWAY_PORT: '0',
      PP_GENERATION_PORT: '0',
      PP_GALLERY_PORT: '0',
      PP_S3_PORT: '0',
      PP_REDIS_PORT: '0',
      REDIS_URL: '',
    };
    // The test target builds the apps first; the stack's own build step is what `npm start` adds.
    const args = [join(root, 'tools/stack/stack.mjs'), '--skip-build'];
    const stack = await startProcess(process.execPath, args, { cwd: root, env });
    try {
      await waitFor(() => stack.lines.some((l) => l.includes('Pixel Prompt is running')) || (!stack.running && Promise.reject(new Error(stack.output()))), {
        what: 'the stack to report it is running',
        timeoutMs: 90_000,
      });
      const { url, ports } = JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as { url: string; ports: Record<string, number> };
      expect(url).toBe(`http://127.0.0.1:${ports['web']}`);
      expect(stack.output()).toContain(`open ${url}`);
      expect(new Set(Object.values(ports)).size).toBe(6);

      for (const service of ['gateway', 'generation', 'gallery'] as const) {
        const res = await fetch(`http://127.0.0.1:${ports[service] ?? 0}/health/ready`);
        expect({ service, status: res.status }).toEqual({ service, status: 200 });
      }
      const page = await fetch(`${url}/gallery`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('cache-control')).toBe('no-cache');
      expect(await (await fetch(`${url}/config.json`)).json()).toEqual({ apiBaseUrl: '/api' });
      // The path reaches the gateway unchanged, as through the Ingress: its routes and its OpenAPI
      // document answer under /api, and so does readiness (the web app's API indicator asks it).
      const viaProxy = await fetch(`${url}/api/models`, { headers: { 'X-Correlation-ID': 'stack-1' } });
      expect(viaProxy.status).toBe(200);
      expect(viaProxy.headers.get('x-correlation-id')).toBe('stack-1');
      expect(((await viaProxy.json()) as { models: unknown[] }).models.length).toBeGreaterThan(0);
      expect((await fetch(`${url}/api/health/ready`)).status).toBe(200);
      const openapi = await fetch(`${url}/api/docs-json`);
      expect(openapi.status).toBe(200);
      expect(await openapi.json()).toMatchObject({ openapi: expect.stringMatching(/^3\./) });

      const second = await startProcess(process.execPath, args, { cwd: root, env });
      expect(await second.waitForExit()).toBe(1);
      expect(second.output()).toContain('Pixel Prompt is already running');

      expect(await stack.stop('SIGINT', 60_000)).toBe(0);
      for (const [name, port] of Object.entries(ports)) {
        expect({ name, answers: await portAnswers(port) }).toEqual({ name, answers: false });
      }
    } finally {
      await stack.stop('SIGINT', 60_000);
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('starts a component again on another port when the one chosen for it is taken before it binds', async () => {
    // Run as the stack runs it (ESM): a program answering any request takes the chosen port first.
    const script = `
      import { createServer } from 'node:http';
      import { Supervisor, freePort, startListening } from './tools/stack/components.mjs';
      const taker = createServer((_, res) => res.end('not mine'));
      await new Promise((resolve) => taker.listen(0, '127.0.0.1', resolve));
      const taken = taker.address().port;
      const chosen = [];
      const supervisor = new Supervisor({ quiet: true, onUnexpectedExit: (name) => console.log('unexpected exit of ' + name) });
      const port = await startListening(supervisor, 'echo', 0,
        (at) => supervisor.run('echo', process.execPath, ['-e', "require('node:http').createServer((q, s) => s.end('mine')).listen(" + at + ", '127.0.0.1')"]),
        async () => (chosen.push(chosen.length === 0 ? taken : await freePort()), chosen.at(-1)));
      const body = await (await fetch('http://127.0.0.1:' + port + '/')).text();
      await supervisor.stopAll();
      taker.close();
      console.log(JSON.stringify({ taken, chosen, port, body }));
    `;
    const run = await startProcess(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
    expect(await run.waitForExit()).toBe(0);
    const result = JSON.parse(run.lines.at(-1) ?? '{}') as { taken: number; chosen: number[]; port: number; body: string };
    expect(run.output()).not.toContain('unexpected exit');
    expect(result.chosen).toEqual([result.taken, result.port]);
    expect(result.port).not.toBe(result.taken);
    expect(result.body).toBe('mine');
  });
});
