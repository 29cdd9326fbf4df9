import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The workspace root (this file is apps/web-e2e/test/stack.ts). */
export const ROOT = join(__dirname, '../../..');

export interface TestModel {
  id: string;
  displayName: string;
  /**
   * `local`: a built-in procedural model; `hang`, `fail` and `fail-once`: the chaos provider
   * misbehaving on purpose (`fail-once` fails a prompt's first call and draws on the next).
   */
  kind: 'local' | 'hang' | 'fail' | 'fail-once';
  /** A local model's image size (square); 256 unless said. */
  size?: number;
}

/** Built-in procedural models at a small size: a whole generation takes well under a second. */
export const FAST_MODELS: readonly TestModel[] = [
  { id: 'aurora', displayName: 'Aurora', kind: 'local' },
  { id: 'mountains', displayName: 'Mountains', kind: 'local' },
  { id: 'bauhaus', displayName: 'Bauhaus', kind: 'local' },
];

/** The nine built-in models as the product ships them: 1024×1024 images. */
export const BUILT_IN_MODELS: readonly TestModel[] = [
  ['aurora', 'Aurora'],
  ['marble', 'Marble'],
  ['mosaic', 'Mosaic'],
  ['mountains', 'Mountains'],
  ['waves', 'Waves'],
  ['blobs', 'Blobs'],
  ['nebula', 'Nebula'],
  ['bauhaus', 'Bauhaus'],
  ['ink', 'Ink'],
].map(([id = '', displayName = '']) => ({ id, displayName, kind: 'local', size: 1024 }));

/**
 * Never answers (until its one-minute timeout) and takes one request at a time: while one generation
 * holds it, the next waits in its queue, which is what Cancel stops (a model already running finishes).
 */
export const SLOW_MODEL: TestModel = { id: 'slow', displayName: 'Slow model', kind: 'hang' };

/** Fails every request at once. */
export const BROKEN_MODEL: TestModel = { id: 'broken', displayName: 'Broken model', kind: 'fail' };

/** Fails the first request for a prompt and draws on the next: what Retry is for. */
export const FLAKY_MODEL: TestModel = { id: 'flaky', displayName: 'Flaky model', kind: 'fail-once' };

/** The model registry file (MODEL_REGISTRY_PATH, format in libs/models) holding exactly these models. */
function registryYaml(models: readonly TestModel[]): string {
  const entry = (m: TestModel) => {
    const name = `id: ${m.id}, displayName: "${m.displayName}"`;
    switch (m.kind) {
      case 'local':
        return `${name}, provider: local, providerModel: ${m.id}, options: { width: ${m.size ?? 256}, height: ${m.size ?? 256} }`;
      case 'hang':
        return `${name}, provider: chaos, providerModel: chaos, timeoutMs: 60000, concurrency: 1, options: { mode: hang }`;
      case 'fail':
      case 'fail-once':
        return `${name}, provider: chaos, providerModel: chaos, options: { mode: ${m.kind} }`;
    }
  };
  return `models:\n${models.map((m) => `  - { ${entry(m)} }`).join('\n')}\n`;
}

export interface StackOptions {
  models?: readonly TestModel[];
  /** Rate limits apply to the browser (127.0.0.1) only when false. */
  allowlisted?: boolean;
  /** Added to every service's environment. */
  env?: Record<string, string>;
}

/**
 * The whole of Pixel Prompt as `npm start` runs it (tools/stack/stack.mjs): Redis, s3rver, the three
 * built services and the production web build behind one origin that forwards /api to the gateway,
 * all on free loopback ports. The stack process stops everything it started, by PID, on SIGTERM.
 * Driving the stack from outside keeps this web-scoped project clear of the server-side libraries.
 */
export class WebStack {
  private readonly lines: string[] = [];
  /** The stack's own children (Redis, s3rver, the services), stopped here too should the stack die without stopping them. */
  private childPids: number[] = [];
  /** The web app's address, as the stack printed it. */
  url = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly stateDir: string,
  ) {
    // Only the tail is kept: it is what explains a stack that failed to start.
    const keep = (chunk: Buffer) => {
      this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      this.lines.splice(0, Math.max(0, this.lines.length - 200));
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  static async start({
    models = FAST_MODELS,
    allowlisted = true,
    env = {},
  }: StackOptions = {}): Promise<WebStack> {
    const stateDir = mkdtempSync(join(tmpdir(), 'pp-web-e2e-'));
    const registryPath = join(stateDir, 'models.yaml');
    writeFileSync(registryPath, registryYaml(models));
    const child = spawn(process.execPath, [join(ROOT, 'tools/stack/stack.mjs'), '--skip-build'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PP_STATE_DIR: stateDir,
        // Port 0: the stack takes free ports itself and prints the web app's address.
        PP_WEB_PORT: '0',
        PP_GATEWAY_PORT: '0',
        PP_GENERATION_PORT: '0',
        PP_GALLERY_PORT: '0',
        PP_S3_PORT: '0',
        PP_REDIS_PORT: '0',
        // A private Redis, never one the machine happens to run.
        REDIS_URL: '',
        LOG_LEVEL: 'warn',
        MODEL_REGISTRY_PATH: registryPath,
        RATE_LIMIT_ALLOWLIST: allowlisted ? '127.0.0.1' : '',
        // Nothing the tests leave in flight is worth draining: a hanging slow model would hold the stop for 25 s.
        SHUTDOWN_TIMEOUT_MS: '1000',
        ...env,
      },
    });
    const stack = new WebStack(child, stateDir);
    try {
      stack.url = await stack.running();
      stack.childPids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' })
        .split('\n')
        .filter((pid) => pid.trim())
        .map(Number);
    } catch (error) {
      // The error already holds the stack's output; stopping only cleans up.
      await stack.stop().catch(() => undefined);
      throw error;
    }
    return stack;
  }

  /** Resolves with the web app's address once the stack reports that everything is up; rejects with its output if it exits first. */
  private running(timeoutMs = 60_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(`did not start within ${timeoutMs / 1000} s`), timeoutMs);
      const fail = (why: string) => {
        clearTimeout(timer);
        this.child.stdout?.off('data', check);
        reject(new Error(`the stack ${why}:\n${this.lines.join('\n')}`));
      };
      const check = () => {
        const url = this.lines.map((line) => /Pixel Prompt is running: open (\S+)/.exec(line)?.[1]).find(Boolean);
        if (!url) return;
        clearTimeout(timer);
        this.child.stdout?.off('data', check);
        this.child.off('exit', exited);
        resolve(url);
      };
      const exited = (code: number | null) => fail(`exited (code ${code})`);
      this.child.stdout?.on('data', check);
      this.child.once('exit', exited);
    });
  }

  /**
   * SIGTERM to the stack process, which stops its children in reverse start order. Should the stack
   * hang (SIGKILL after 45 s) or have died by itself, its children are killed here, by PID.
   * Throws if the stack had already ended by itself: the failing tests' cause.
   */
  async stop(): Promise<void> {
    const endedEarly = this.child.exitCode !== null || this.child.signalCode !== null;
    let hung = false;
    if (!endedEarly) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => {
        hung = true;
        this.child.kill('SIGKILL');
      }, 45_000);
      await exited;
      clearTimeout(timer);
    }
    if (endedEarly || hung) {
      for (const pid of this.childPids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    rmSync(this.stateDir, { recursive: true, force: true });
    if (endedEarly)
      throw new Error(
        `the stack ended during the tests (code ${this.child.exitCode}):\n${this.lines.join('\n')}`,
      );
  }
}
