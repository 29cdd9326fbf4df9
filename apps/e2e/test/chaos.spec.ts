import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess, stopAllProcesses, workspaceRoot } from '@pixel-prompt/testing';

/** The parts of tools/chaos's JSON report read here (tools/chaos/src/report.ts). */
interface ChaosReport {
  faults: { fault: string; injected: number; worstRecoverySeconds?: number; recovery: string }[];
  jobs: { submitted: number; accepted: number; lost: number };
  modelFailures: { builtIn: Record<string, number>; chaos: Record<string, number> };
  providerCalls: { most: number; allowed: number };
  checks: { name: string; ok: boolean; detail?: string }[];
  ok: boolean;
}

/**
 * The chaos suite's reduced run, as `npm test` runs it: 100 jobs over 30 s while one worker is
 * SIGKILLed, Redis is killed with kill -9 and restarted, S3 is stopped for 10 s (with a 20 s retry
 * window, in proportion to the full run's 30 s outage and 60 s window), and chaos models answer 5xx,
 * 429 with Retry-After and hang. The full run (1,000 jobs) and its numbers are in docs/RELIABILITY.md.
 */
describe('chaos suite, reduced run (tools/chaos on the built services)', () => {
  afterAll(() => stopAllProcesses());

  it('loses no accepted job, stores exactly the completed images, and recovers from each fault in time', async () => {
    const main = join(workspaceRoot(), 'dist/tools/chaos/main.js');
    expect(existsSync(main)).toBe(true);
    const reportPath = join(mkdtempSync(join(tmpdir(), 'pp-chaos-')), 'report.json');
    const args = ['--jobs', '100', '--submit-seconds', '30', '--worker-kills', '1', '--s3-outage-ms', '10000', '--storage-retry-window-ms', '20000', '--finish-timeout-ms', '60000'];
    const run = await startProcess(process.execPath, [main, ...args, '--report', reportPath], { cwd: workspaceRoot() });
    const code = await run.waitForExit();
    if (!existsSync(reportPath)) throw new Error(`the chaos run wrote no report:\n${run.output()}`);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as ChaosReport;

    expect(report.checks.filter((check) => !check.ok)).toEqual([]);
    expect(report.jobs).toMatchObject({ submitted: 100, accepted: 100, lost: 0 });
    expect(report.modelFailures.builtIn).toEqual({});
    expect(report.providerCalls.most).toBeLessThanOrEqual(report.providerCalls.allowed);
    const fault = (name: string) => report.faults.find((f) => f.fault.startsWith(name));
    expect(fault('worker SIGKILL')).toMatchObject({ injected: 1 });
    expect(fault('Redis kill -9')).toMatchObject({ injected: 1 });
    expect(fault('S3 outage')).toMatchObject({ injected: 1 });
    expect((fault('provider 5xx')?.injected ?? 0) + (fault('provider 429')?.injected ?? 0)).toBeGreaterThan(0);
    // A dead worker's running models are back in their queues within 30 s (lock 20 s + stalled check 5 s).
    expect(fault('worker SIGKILL')).toMatchObject({ recovery: 'kill → its running models back in their queues' });
    expect(fault('worker SIGKILL')?.worstRecoverySeconds ?? 0).toBeLessThanOrEqual(30);
    expect(code).toBe(0);
  }, 300_000);
});
