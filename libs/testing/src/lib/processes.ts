import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';

/** A child process whose output lines are kept, for assertions and for failure messages. */
export class ManagedProcess {
  readonly lines: string[] = [];
  private exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  constructor(readonly child: ChildProcess) {
    // A line may arrive split across chunks: keep each stream's unfinished tail until its newline.
    const collect = (stream: NodeJS.ReadableStream | null) => {
      let tail = '';
      stream?.on('data', (chunk: Buffer) => {
        const parts = (tail + chunk.toString('utf8')).split('\n');
        tail = parts.pop() ?? '';
        for (const line of parts) if (line.trim()) this.lines.push(line);
      });
      stream?.on('end', () => {
        if (tail.trim()) this.lines.push(tail);
      });
    };
    collect(child.stdout);
    collect(child.stderr);
    // 'close' rather than 'exit': it comes after the output streams ended, so no line is missed.
    this.exited = new Promise((resolve) => {
      child.once('close', (code) => {
        this.exitCode = code;
        resolve(this.exitCode);
      });
    });
    live.add(this);
    void this.exited.then(() => live.delete(this));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Resolves with the exit code (null when ended by a signal). */
  waitForExit(): Promise<number | null> {
    return this.exited;
  }

  /** Sends `signal` and waits for the exit; SIGKILL after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<number | null> {
    if (!this.running) return this.exitCode ?? null;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  output(): string {
    return this.lines.join('\n');
  }
}

const live = new Set<ManagedProcess>();

/** Starts `command` with piped output. */
export async function startProcess(command: string, args: string[], options: SpawnOptions = {}): Promise<ManagedProcess> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const spawned = once(child, 'spawn');
  const failed = once(child, 'error').then(([error]) => {
    throw error;
  });
  await Promise.race([spawned, failed]);
  return new ManagedProcess(child);
}

/** Kills whatever a test file left running: called from afterAll so a failed test leaks nothing. */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop('SIGKILL')));
}
