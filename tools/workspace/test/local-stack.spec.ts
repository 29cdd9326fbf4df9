import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, waitFor, workspaceRoot } from '@pixel-prompt/testing';

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
    const ports = {
      web: await freePort(),
      gateway: await freePort(),
      generation: await freePort(),
      gallery: await freePort(),
      s3: await freePort(),
      redis: await freePort(),
    };
    const stateDir = mkdtempSync(join(tmpdir(), 'pp-stack-'));
    const env = {
      ...process.env,
      PP_STATE_DIR: stateDir,
      PP_WEB_PORT: String(ports.web),
      PP_GATEWAY_PORT: String(ports.gateway),
      PP_GENERATION_PORT: String(ports.generation),
      PP_GALLERY_PORT: String(ports.gallery),
      PP_S3_PORT: String(ports.s3),
      PP_REDIS_PORT: String(ports.redis),
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
      expect(stack.output()).toContain(`open http://127.0.0.1:${ports.web}`);

      for (const service of ['gateway', 'generation', 'gallery'] as const) {
        const res = await fetch(`http://127.0.0.1:${ports[service]}/health/ready`);
        expect({ service, status: res.status }).toEqual({ service, status: 200 });
      }
      const page = await fetch(`http://127.0.0.1:${ports.web}/gallery`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('cache-control')).toBe('no-cache');
      expect(await (await fetch(`http://127.0.0.1:${ports.web}/config.json`)).json()).toEqual({ apiBaseUrl: '/api' });
      const viaProxy = await fetch(`http://127.0.0.1:${ports.web}/api/health/ready`, { headers: { 'X-Correlation-ID': 'stack-1' } });
      expect(viaProxy.status).toBe(200);
      expect(viaProxy.headers.get('x-correlation-id')).toBe('stack-1');
      expect(await viaProxy.json()).toEqual({ status: 'ok', checks: { redis: { status: 'up' } } });

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
});
