import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { workspaceRoot } from '@pixel-prompt/testing';

const root = workspaceRoot();
const INSTALL = 'tools/node/install.sh';
const STAMP = 'node_modules/.installed-from.sha256';

/** A copy of the workspace's manifest, lockfile and install script, `edit` applied to the manifest. */
function copyOfWorkspace(edit: (manifest: Record<string, Record<string, string>>) => void = () => undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'pp-install-'));
  mkdirSync(join(dir, dirname(INSTALL)), { recursive: true });
  copyFileSync(join(root, INSTALL), join(dir, INSTALL));
  copyFileSync(join(root, 'package-lock.json'), join(dir, 'package-lock.json'));
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
  edit(manifest);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

describe('the install step of npm start and npm test (tools/node/install.sh)', () => {
  it('fails, and leaves the lockfile as it is, when package.json and the lockfile disagree', () => {
    const dir = copyOfWorkspace((manifest) => {
      manifest['dependencies'] = { ...manifest['dependencies'], 'left-pad': '1.3.0' };
    });
    try {
      const install = spawnSync('bash', [INSTALL], { cwd: dir, encoding: 'utf8' });
      expect(install.status).not.toBe(0);
      expect(install.stderr).toContain('left-pad');
      expect(readFileSync(join(dir, 'package-lock.json'))).toEqual(readFileSync(join(root, 'package-lock.json')));
      expect(existsSync(join(dir, STAMP))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('installs nothing when node_modules came from these very package.json and lockfile', () => {
    const dir = copyOfWorkspace();
    try {
      // The stamp npm ci leaves, for exactly these two files.
      const hash = spawnSync('sh', ['-c', 'cat package.json package-lock.json | sha256sum | cut -d" " -f1'], { cwd: dir, encoding: 'utf8' });
      mkdirSync(join(dir, 'node_modules'));
      writeFileSync(join(dir, STAMP), hash.stdout);
      // Without npm on PATH: any attempt to install would fail.
      const install = spawnSync('bash', [INSTALL], { cwd: dir, encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
      expect({ status: install.status, stderr: install.stderr }).toEqual({ status: 0, stderr: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
