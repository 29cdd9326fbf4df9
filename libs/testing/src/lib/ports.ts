import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

/** A TCP port free on loopback right now, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Whether nothing listens on `port` on loopback. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer().once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Whether the process `pid` itself listens on TCP `port`: its sockets, as Linux lists them in /proc. */
export function listensOn(pid: number, port: number): boolean {
  let sockets: Set<string>;
  try {
    sockets = new Set(readdirSync(`/proc/${pid}/fd`).map((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`, { encoding: 'utf8' })));
  } catch {
    return false; // gone, or closing a descriptor while being read: asked again on the next poll
  }
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return ['/proc/net/tcp', '/proc/net/tcp6'].some((table) =>
    readFileSync(table, 'utf8')
      .split('\n')
      .some((line) => {
        // sl local_address rem_address st ... inode: state 0A is LISTEN.
        const fields = line.trim().split(/\s+/);
        return fields[3] === '0A' && fields[1]?.endsWith(hexPort) && sockets.has(`socket:[${fields[9]}]`);
      }),
  );
}

/**
 * What `listening` and `startOnFreePort` need of a process they watch: a ManagedProcess, or a child of
 * the local stack's supervisor (tools/stack/components.mjs).
 */
export interface ServerProcess {
  readonly pid: number | undefined;
  /** False once it has exited and its output has ended. */
  readonly running: boolean;
  /** Its output so far, to explain a failed start. */
  output(): string;
  stop(signal: NodeJS.Signals): Promise<unknown>;
}

export interface ListeningOptions {
  timeoutMs?: number;
  /** Gives up at once when this says so (the local stack is stopping). */
  stopped?: () => boolean;
}

class ExitedBeforeListening extends Error {}

/** Resolves once the process listens on `port` itself; rejects with its output if it exits first. */
export async function listening(server: ServerProcess, port: number, what: string, { timeoutMs = 30_000, stopped = () => false }: ListeningOptions = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (server.pid === undefined || !listensOn(server.pid, port)) {
    if (!server.running) throw new ExitedBeforeListening(`${what} exited before listening on port ${port}:\n${server.output()}`);
    if (stopped()) throw new Error(`stopped while ${what} was starting`);
    if (Date.now() > deadline) throw new Error(`${what} did not listen on port ${port} within ${timeoutMs} ms:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface StartOnFreePortOptions extends ListeningOptions {
  /** A fixed port the user chose: taken, it is an error, not a reason to try another. 0 (the default): any free port. */
  port?: number;
  /** For tests of the retry. */
  choosePort?: () => Promise<number>;
}

/**
 * Starts a server on a port free a moment ago and resolves once that very process listens on it.
 * Between the choice and the child's bind another program may take the port (the kernel hands the
 * same ports to outgoing connections and to other tests): the child then exits without listening
 * and is started again on another port. The child's own sockets decide, so a server that took the
 * port is never mistaken for it.
 */
export async function startOnFreePort<P extends ServerProcess>(
  what: string,
  spawnAt: (port: number) => P | Promise<P>,
  { port: requested = 0, choosePort = freePort, ...listeningOptions }: StartOnFreePortOptions = {},
): Promise<{ port: number; server: P }> {
  for (let attempt = 1; ; attempt++) {
    const port = requested || (await choosePort());
    const server = await spawnAt(port);
    try {
      await listening(server, port, what, listeningOptions);
      return { port, server };
    } catch (error) {
      await server.stop('SIGKILL');
      const taken =
        error instanceof ExitedBeforeListening &&
        (/EADDRINUSE|address already in use/i.test(server.output()) || !(await portFree(port)));
      if (requested || !taken || attempt === 5) throw taken ? new Error(`${(error as Error).message}\n(port ${port} is taken by another program)`) : error;
    }
  }
}
