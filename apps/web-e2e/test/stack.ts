import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ManagedProcess, startLocalStack } from '@pixel-prompt/testing';

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
 * The whole of Pixel Prompt as `npm start` runs it (libs/testing `startLocalStack`): Redis, s3rver,
 * the three built services and the production web build behind one origin that forwards /api to the
 * gateway, all on free loopback ports. The stack process stops everything it started, by PID, on SIGTERM.
 * Driving the stack from outside keeps these tests to what a browser sees.
 */
export class WebStack {
  /** The stack's own children (Redis, s3rver, the services), stopped here too should the stack die without stopping them. */
  private childPids: number[] = [];
  /** The web app's address, as the stack reports it. */
  url = '';

  private constructor(
    private readonly stack: ManagedProcess,
    private readonly stateDir: string,
  ) {}

  static async start({
    models = FAST_MODELS,
    allowlisted = true,
    env = {},
  }: StackOptions = {}): Promise<WebStack> {
    const stateDir = mkdtempSync(join(tmpdir(), 'pp-web-e2e-'));
    const registryPath = join(stateDir, 'models.yaml');
    writeFileSync(registryPath, registryYaml(models));
    const started = await startLocalStack(
      stateDir,
      {
        LOG_LEVEL: 'warn',
        MODEL_REGISTRY_PATH: registryPath,
        RATE_LIMIT_ALLOWLIST: allowlisted ? '127.0.0.1' : '',
        // Nothing the tests leave in flight is worth draining: a hanging slow model would hold the stop for 25 s.
        SHUTDOWN_TIMEOUT_MS: '1000',
        ...env,
      },
      { timeoutMs: 60_000 },
    ).catch((error: unknown) => {
      rmSync(stateDir, { recursive: true, force: true });
      throw error;
    });
    const stack = new WebStack(started.process, stateDir);
    stack.url = started.url;
    try {
      stack.childPids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(started.process.pid)], { encoding: 'utf8' })
        .split('\n')
        .filter((pid) => pid.trim())
        .map(Number);
    } catch (error) {
      await stack.stop().catch(() => undefined);
      throw error;
    }
    return stack;
  }

  /**
   * SIGTERM to the stack process, which stops its children in reverse start order. Should the stack
   * hang (SIGKILL after 45 s) or have died by itself, its children are killed here, by PID.
   * Throws if the stack had already ended by itself: the failing tests' cause.
   */
  async stop(): Promise<void> {
    const endedEarly = !this.stack.running;
    await this.stack.stop('SIGTERM', 45_000);
    if (endedEarly || this.stack.child.signalCode === 'SIGKILL') {
      for (const pid of this.childPids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    rmSync(this.stateDir, { recursive: true, force: true });
    if (endedEarly) throw new Error(`the stack ended during the tests (code ${this.stack.child.exitCode}):\n${this.stack.output()}`);
  }
}
