import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ManagedProcess, startOnFreePort, startProcess, stopAllProcesses } from '@pixel-prompt/testing';
import { find, render, root } from './support';

/**
 * The web container's memory, against the peak of the nginx the web image runs (docs/DEPLOYMENT.md,
 * "Web server memory"), measured here with the image's own configuration (deploy/docker/nginx.conf,
 * only its paths and port moved into a temporary folder) on the production build prepared as the
 * image's build stage prepares it (deploy/docker/web-assets.mjs: precompressed copies, the CSP
 * hashes). Ten first visits fetch every file at once, Brotli then gzip; the peak resident memory of
 * every nginx process (VmHWM in /proc, summed over the master and its workers, so shared pages count
 * more than once) must fit twice in the request and three times in the limit. Page cache is not
 * counted: the kernel reclaims it first.
 */

const NGINX = '/usr/sbin/nginx';
const browser = join(root, 'dist/apps/web/browser');
const docker = join(root, 'deploy/docker');

function mebibytes(value: string): number {
  const [size, unit] = value.trim().split(/\s+/);
  if (unit !== 'kB') throw new Error(`unexpected unit in /proc: ${value}`);
  return Number(size) / 1024;
}

/** Peak resident memory (MiB) of a process and its children. */
function peakMiB(pid: number): number {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  const own = /^VmHWM:(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '0 kB';
  return mebibytes(own) + children.reduce((sum, child) => sum + peakMiB(child), 0);
}

/** Browsers on their first visit at once: nginx's memory grows with connections, a little. */
const VISITORS = 10;

/** Every file of the build, as first visits ask for them: all at once, twice (Brotli, then gzip). */
async function firstVisits(base: string): Promise<void> {
  const files = readdirSync(browser, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(browser, f)).isFile());
  expect(files.length).toBeGreaterThan(5);
  const requests = Array.from({ length: VISITORS }, () => files).flat();
  for (const encoding of ['br, gzip', 'gzip']) {
    const answers = await Promise.all(requests.map((f) => fetch(`${base}/${f}`, { headers: { 'accept-encoding': encoding } })));
    expect(answers.map((a) => a.status)).toEqual(requests.map(() => 200));
    await Promise.all(answers.map((a) => a.arrayBuffer()));
  }
}

/** The web container's memory request or limit in MiB, as production renders it. */
function memoryMiB(which: 'requests' | 'limits'): number {
  const value = String(find(render({ files: ['values-prod.yaml'] }), 'Deployment', 'pp-web').spec.template.spec.containers[0].resources[which].memory);
  const match = /^(\d+)Mi$/.exec(value);
  if (!match) throw new Error(`web memory ${which} ${value} is not in Mi`);
  return Number(match[1]);
}

/** `text` with `from` replaced by `to`, failing when the image's configuration no longer has `from`. */
function moved(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`deploy/docker/nginx.conf no longer has "${from}": update this test`);
  return text.replaceAll(from, to);
}

afterAll(() => stopAllProcesses());

describe('the web container’s memory', () => {
  let work: string;

  beforeAll(() => {
    if (!existsSync(join(browser, 'index.html'))) throw new Error(`${browser} is missing: run nx build web first`);
    if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: install Debian's nginx-light (tools/ci/test.sh does)`);
    work = mkdtempSync(join(tmpdir(), 'pp-web-nginx-'));
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('fits the peak of the image’s nginx, with its fixed worker count, twice in the request and three times in the limit', async () => {
    const conf = readFileSync(join(docker, 'nginx.conf'), 'utf8');
    // The image loads the Brotli module by its Debian path; the same package serves it here.
    const modules = [...conf.matchAll(/^load_module (\S+);$/gm)].map((m) => String(m[1]));
    for (const module of modules) {
      if (!existsSync(module)) throw new Error(`${module} is missing: install Debian's libnginx-mod-http-brotli-static, as the web image does`);
    }
    // A fixed number: `auto` would start one worker per CPU of the node, and memory would grow with it.
    const workers = /^worker_processes (\d+);$/m.exec(conf)?.[1];
    expect({ worker_processes: workers }).toEqual({ worker_processes: expect.stringMatching(/^[1-9]\d*$/) });

    // The build as the image's build stage leaves it, under what stands for /app/browser and /etc/nginx.
    const site = join(work, 'browser');
    const etc = join(work, 'etc');
    const scratch = join(work, 'tmp');
    cpSync(browser, site, { recursive: true });
    mkdirSync(etc);
    mkdirSync(scratch);
    execFileSync(process.execPath, [join(docker, 'web-assets.mjs'), site, join(etc, 'inline-script-hashes.conf')]);
    expect(readdirSync(site).some((f) => f.endsWith('.js.br'))).toBe(true);
    copyFileSync(join(docker, 'security-headers.conf'), join(etc, 'security-headers.conf'));
    // Started as root, nginx serves from unprivileged workers (nobody): they must be able to read the files.
    for (const dir of [work, site, etc, scratch]) chmodSync(dir, 0o755);

    const spawnAt = (port: number): Promise<ManagedProcess> => {
      // /tmp first: the folders put in below are under it.
      let text = moved(conf, ' /tmp/', ` ${scratch}/`);
      text = moved(text, '/etc/nginx/security-headers.conf', join(etc, 'security-headers.conf'));
      text = moved(text, '/etc/nginx/inline-script-hashes.conf', join(etc, 'inline-script-hashes.conf'));
      text = moved(text, 'root /app/browser;', `root ${site};`);
      text = moved(text, 'listen 8080;', `listen 127.0.0.1:${port};`);
      // Every request's log line would fill this test's output.
      text = moved(text, 'access_log /dev/stdout json if=$not_a_probe;', 'access_log off;');
      const file = join(work, `nginx-${port}.conf`);
      writeFileSync(file, text);
      return startProcess(NGINX, ['-e', 'stderr', '-p', work, '-c', file]);
    };
    const { port, server: nginx } = await startOnFreePort('nginx', spawnAt);
    try {
      await firstVisits(`http://127.0.0.1:${port}`);
      const peak = peakMiB(Number(nginx.child.pid));
      process.stdout.write(`nginx peak (master and ${workers} workers, ${VISITORS} first visits at once): ${peak.toFixed(1)} MiB\n`);
      expect(peak * 2).toBeLessThanOrEqual(memoryMiB('requests'));
      expect(peak * 3).toBeLessThanOrEqual(memoryMiB('limits'));
    } finally {
      // The master stops its workers on SIGQUIT (as the image's STOPSIGNAL); SIGKILL would leave them behind.
      await nginx.stop('SIGQUIT');
    }
  });
});
