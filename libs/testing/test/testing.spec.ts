import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { ManagedProcess, freePort, listensOn, startOnFreePort, startProcess, stopAllProcesses, waitFor } from '../src';

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

  it('gives up long before the deadline once stopped() says so', async () => {
    let calls = 0;
    const stopped = () => calls >= 2;
    await expect(waitFor(() => (calls++, false), { timeoutMs: 60_000, intervalMs: 1, what: 'the tide', stopped })).rejects.toThrow(
      'stopped while waiting for the tide',
    );
    expect(calls).toBe(2);
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

describe('startOnFreePort', () => {
  /** A small HTTP server listening on the port it is given. */
  const httpServerAt = (port: number) =>
    startProcess(process.execPath, ['-e', `require('node:http').createServer((q, s) => s.end('mine')).listen(${port}, '127.0.0.1')`]);

  it('starts the server again on another port when the chosen one is taken before it binds, never taking the taker for it', async () => {
    // Another program binds the chosen port first, and answers any request: a readiness probe alone would be fooled.
    const taker = createHttpServer((_, res) => res.end('not mine'));
    await new Promise<void>((resolve) => taker.listen(0, '127.0.0.1', resolve));
    const taken = (taker.address() as { port: number }).port;
    const chosen: number[] = [];
    try {
      const { port, server } = await startOnFreePort('the test server', httpServerAt, {
        choosePort: async () => {
          chosen.push(chosen.length === 0 ? taken : await freePort());
          return chosen.at(-1) ?? 0;
        },
      });
      expect(chosen).toHaveLength(2);
      expect(chosen[0]).toBe(taken);
      expect(port).toBe(chosen[1]);
      expect(listensOn(server.child.pid ?? 0, port)).toBe(true);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('mine');
      await server.stop();
    } finally {
      await new Promise((resolve) => taker.close(resolve));
    }
  });

  it('fails at once, with its output, when the server exits for another reason', async () => {
    let attempts = 0;
    const failing = () => {
      attempts++;
      return startProcess(process.execPath, ['-e', 'console.error("no configuration"); process.exit(2)']);
    };
    await expect(startOnFreePort('the broken server', failing)).rejects.toThrow(/the broken server exited before listening on port \d+:\nno configuration/);
    expect(attempts).toBe(1);
  });

  it('tries a fixed port once, saying it is taken, rather than moving to another', async () => {
    const taker = createHttpServer((_, res) => res.end('not mine'));
    await new Promise<void>((resolve) => taker.listen(0, '127.0.0.1', resolve));
    const taken = (taker.address() as { port: number }).port;
    let attempts = 0;
    try {
      const at = (port: number) => (attempts++, httpServerAt(port));
      await expect(startOnFreePort('the test server', at, { port: taken })).rejects.toThrow(`(port ${taken} is taken by another program)`);
      expect(attempts).toBe(1);
    } finally {
      await new Promise((resolve) => taker.close(resolve));
    }
  });
});

describe('listensOn', () => {
  it('is true for the process listening on the port and false for any other', async () => {
    const port = await freePort();
    const server = await startProcess(process.execPath, ['-e', `require('node:net').createServer().listen(${port}, '127.0.0.1', () => console.log('up'))`]);
    await waitFor(() => server.lines.includes('up'), { what: 'the server to listen' });
    expect(listensOn(server.child.pid ?? 0, port)).toBe(true);
    expect(listensOn(process.pid, port)).toBe(false);
    expect(listensOn(server.child.pid ?? 0, port === 65535 ? 1 : port + 1)).toBe(false);
    await server.stop();
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
