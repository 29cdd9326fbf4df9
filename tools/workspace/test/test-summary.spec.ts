import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from '@pixel-prompt/testing';

const root = workspaceRoot();

/**
 * The closing summary of `npm test` (tools/jest/summary-reporter.js, tools/jest/print-summary.js):
 * CI logs are often read from their end, so a failure has to be named there, not only in the
 * project's output far above.
 */
describe('the test run summary (tools/jest)', () => {
  it('names each failed test with the start of its message, counts every test, and exits 1', () => {
    const project = mkdtempSync(join(tmpdir(), 'pp-summary-project-'));
    const summary = mkdtempSync(join(tmpdir(), 'pp-summary-'));
    try {
      writeFileSync(
        join(project, 'sample.test.js'),
        [
          "test('adds', () => expect(1 + 1).toBe(2));",
          "test('keeps the gallery', () => expect(['a.png']).toEqual([]));",
          // A test not run: the summary counts it as skipped.
          "test.todo('waits');",
        ].join('\n'),
      );
      writeFileSync(join(project, 'broken.test.js'), 'this is not JavaScript');
      const config = { displayName: 'sample', rootDir: project, transform: {}, reporters: [join(root, 'tools/jest/summary-reporter.js')] };
      writeFileSync(join(project, 'jest.config.js'), `module.exports = ${JSON.stringify(config)};`);
      const jest = spawnSync(process.execPath, [join(root, 'node_modules/jest/bin/jest.js'), '--ci'], {
        cwd: project,
        encoding: 'utf8',
        env: { ...process.env, PP_TEST_SUMMARY_DIR: summary },
      });
      expect(jest.status).toBe(1);

      const printed = spawnSync(process.execPath, [join(root, 'tools/jest/print-summary.js'), summary], { encoding: 'utf8' });
      expect(printed.status).toBe(1);
      const lines = printed.stdout.split('\n');
      expect(lines).toContain('failed: sample sample.test.js › keeps the gallery');
      expect(lines).toContain('failed: sample broken.test.js');
      expect(printed.stdout).toContain('expect(received).toEqual(expected)');
      expect(printed.stdout).not.toContain('\u001b[');
      expect(lines).toContain('jest projects run: 1');
      expect(lines).toContain('tests: 1 passed, 2 failed, 1 skipped');
    } finally {
      rmSync(project, { recursive: true, force: true });
      rmSync(summary, { recursive: true, force: true });
    }
  });
});
