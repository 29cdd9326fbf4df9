import { createServer } from 'node:net';
import { ManagedProcess, freePort, startProcess, stopAllProcesses, waitFor } from '../src';

afterAll(() => stopAllProcesses());

describe('waitFor', () => {
  it('returns the first value the probe gives that is not false or undefined', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `after ${calls}` : false), { intervalMs: 1 });
    expect(value).toBe('after 3');
  });

  it('fails after the deadline, naming what it waited for and the last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('still down');
        },
        { timeoutMs: 50, intervalMs: 5, what: 'the moon' },
      ),
    ).rejects.toThrow('timed out after 50 ms waiting for the moon: still down');
  });
});

describe('freePort', () => {
  it('returns a port that can be listened on', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
    expect(port).toBeGreaterThan(0);
  });
});

describe('ManagedProcess', () => {
  it('keeps output lines and reports the exit code', async () => {
    const child = await startProcess(process.execPath, ['-e', 'console.log("one"); console.error("two"); process.exit(3)']);
    expect(await child.waitForExit()).toBe(3);
    expect(child.lines.sort()).toEqual(['one', 'two']);
    expect(child.running).toBe(false);
  });

  it('escalates to SIGKILL when a process ignores SIGTERM past the grace period', async () => {
    const child: ManagedProcess = await startProcess(process.execPath, [
      '-e',
      'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000);',
    ]);
    await waitFor(() => child.lines.includes('ready'), { what: 'the child to install its handler' });
    expect(await child.stop('SIGTERM', 200)).toBeNull();
    expect(child.running).toBe(false);
  });

  it('rejects when the program does not exist', async () => {
    await expect(startProcess('/nonexistent/program', [])).rejects.toThrow('ENOENT');
  });
});
