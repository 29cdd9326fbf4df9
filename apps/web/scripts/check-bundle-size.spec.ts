/**
 * @jest-environment node
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, 'check-bundle-size.mjs');
const KB = 1024;

/** A fake browser build: index.html loads main.js and preloads shared.js; lazy.js is loaded later. */
function build(sizes: { main: number; shared: number; lazy: number }): string {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-size-'));
  writeFileSync(
    join(dir, 'index.html'),
    '<html><head><link rel="modulepreload" href="shared.js"></head><body><script src="main.js" type="module"></script></body></html>',
  );
  // Random bytes do not compress: their gzipped size is about their own size.
  for (const [name, size] of Object.entries(sizes)) writeFileSync(join(dir, `${name}.js`), randomBytes(size));
  return dir;
}

function check(dir: string) {
  try {
    return spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('check-bundle-size', () => {
  it('passes a build within both limits and reports the gzipped sizes', () => {
    const result = check(build({ main: 50 * KB, shared: 20 * KB, lazy: 30 * KB }));

    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Initial JS \(.*main\.js.*\): 7\d\.\d KB gzipped/);
    expect(result.stdout).toMatch(/Lazy chunk lazy\.js: 3\d\.\d KB gzipped/);
  });

  it('fails when the initial scripts together are over 80 KB gzipped', () => {
    const result = check(build({ main: 60 * KB, shared: 25 * KB, lazy: 1 * KB }));

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/initial JS is 8\d\.\d KB gzipped, over 80\.0 KB/);
  });

  it('fails when one lazy chunk is over 40 KB gzipped', () => {
    const result = check(build({ main: 10 * KB, shared: 1 * KB, lazy: 45 * KB }));

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('lazy chunk lazy.js');
    expect(result.stderr).not.toContain('initial JS is');
  });

  it('refuses a directory that is not a browser build instead of passing it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-size-'));
    writeFileSync(join(dir, 'index.html'), '<html></html>');

    expect(check(dir).status).toBe(2);
  });
});
