import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { freePort, startProcess, stopAllProcesses, waitFor } from '@pixel-prompt/testing';
import { find, render, root } from './support';

/**
 * The web container's memory, against the peak of the nginx its image runs, measured here on the
 * real production build (docs/DEPLOYMENT.md, "Web server memory"): a first visit fetches every file
 * at once, Brotli then gzip, and the peak resident memory of every server process (VmHWM in /proc,
 * summed over nginx's master and workers, so shared pages count more than once) must stay under
 * half the request. Page cache is not counted: the kernel reclaims it first.
 */

const NGINX = '/usr/sbin/nginx';
/** nginx workers: a fixed number, as the image must set (worker_processes auto would start one per node CPU). */
const NGINX_WORKERS = 2;
const browser = join(root, 'dist/apps/web/browser');

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

/** Every file of the build, as a browser's first visit asks for them: all at once, twice (Brotli, then gzip). */
async function firstVisits(base: string): Promise<void> {
  const files = readdirSync(browser, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(browser, f)).isFile() && !/\.(br|gz)$/.test(f));
  expect(files.length).toBeGreaterThan(5);
  for (const encoding of ['br, gzip', 'gzip']) {
    const answers = await Promise.all(files.map((f) => fetch(`${base}/${f}`, { headers: { 'accept-encoding': encoding } })));
    expect(answers.map((a) => a.status)).toEqual(files.map(() => 200));
    await Promise.all(answers.map((a) => a.arrayBuffer()));
  }
}

/** The web container's memory request in MiB. */
function memoryRequestMiB(): number {
  const value = String(find(render({ files: ['values-prod.yaml'] }), 'Deployment', 'pp-web').spec.template.spec.containers[0].resources.requests.memory);
  const match = /^(\d+)Mi$/.exec(value);
  if (!match) throw new Error(`web memory request ${value} is not in Mi`);
  return Number(match[1]);
}

afterAll(() => stopAllProcesses());

describe('the web container’s memory limit', () => {
  beforeAll(() => {
    if (!existsSync(join(browser, 'index.html'))) throw new Error(`${browser} is missing: run nx build web first`);
  });

  it(`requests at least twice the peak of nginx (${NGINX_WORKERS} workers) serving precompressed files`, async () => {
    if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: install Debian's nginx-light (tools/ci/test.sh does)`);
    // The build with its .br and .gz next to each text file, as an image serving precompressed files ships it.
    const site = mkdtempSync(join(tmpdir(), 'pp-web-nginx-'));
    // nginx started as root serves from unprivileged workers (nobody): they must be able to read the files.
    chmodSync(site, 0o755);
    for (const f of readdirSync(browser, { recursive: true, encoding: 'utf8' })) {
      const source = join(browser, f);
      if (!statSync(source).isFile()) continue;
      const bytes = readFileSync(source);
      writeFileSync(join(site, f), bytes);
      if (/\.(html|js|css|json|svg|txt)$/.test(f)) {
        writeFileSync(join(site, `${f}.br`), brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(join(site, `${f}.gz`), gzipSync(bytes, { level: 9 }));
      }
    }
    const port = await freePort();
    const brotli = '/usr/lib/nginx/modules/ngx_http_brotli_static_module.so';
    const conf = join(site, 'nginx.conf');
    writeFileSync(
      conf,
      [
        ...(existsSync(brotli) ? [`load_module ${brotli};`] : []),
        `worker_processes ${NGINX_WORKERS};`,
        'daemon off;',
        `pid ${join(site, 'nginx.pid')};`,
        'error_log stderr warn;',
        'events { worker_connections 1024; }',
        'http {',
        '  include /etc/nginx/mime.types;',
        '  access_log off;',
        `  client_body_temp_path ${site}/body; proxy_temp_path ${site}/proxy; fastcgi_temp_path ${site}/fastcgi; uwsgi_temp_path ${site}/uwsgi; scgi_temp_path ${site}/scgi;`,
        '  gzip_static on;',
        ...(existsSync(brotli) ? ['  brotli_static on;'] : []),
        `  server { listen 127.0.0.1:${port}; root ${site}; location / { try_files $uri /index.html; } }`,
        '}',
      ].join('\n'),
    );
    const nginx = await startProcess(NGINX, ['-c', conf, '-p', site]);
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined))?.status === 200, { what: `nginx: ${nginx.output()}` });
      await firstVisits(`http://127.0.0.1:${port}`);
      const peak = peakMiB(Number(nginx.child.pid));
      process.stdout.write(`nginx peak (master and ${NGINX_WORKERS} workers): ${peak.toFixed(1)} MiB\n`);
      expect(peak * 2).toBeLessThanOrEqual(memoryRequestMiB());
    } finally {
      // The master stops its workers on SIGTERM; SIGKILL (stopAllProcesses) would leave them behind.
      await nginx.stop('SIGTERM');
    }
  });
});
