import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ManagedProcess, startProcess } from './processes';
import { waitFor } from './wait-for';
import { workspaceRoot } from './workspace';

/** The local stack's parts, each on the port it took (the stack writes them to `stack.json`). */
export type LocalStackPorts = Record<'web' | 'gateway' | 'generation' | 'gallery' | 's3' | 'redis', number>;

export interface LocalStack {
  /** The stack process: SIGINT or SIGTERM stops everything it started, by PID. */
  process: ManagedProcess;
  /** The web app's address. */
  url: string;
  ports: LocalStackPorts;
}

/**
 * Starts the local stack as `npm start` runs it (tools/stack/stack.mjs) without its build step (test
 * targets build the apps first), with a private Redis, its data in `stateDir`, and every part on a
 * port the stack takes itself (port 0), so no port is chosen here and bound later. `env` is added to
 * every part's environment. Resolves once the stack says it is running; rejects with its output if it
 * exits first (a second stack on the same `stateDir` does) or does not start within `timeoutMs`.
 */
export async function startLocalStack(stateDir: string, env: Record<string, string> = {}, { timeoutMs = 90_000 } = {}): Promise<LocalStack> {
  const stack = await startProcess(process.execPath, [join(workspaceRoot(), 'tools/stack/stack.mjs'), '--skip-build'], {
    cwd: workspaceRoot(),
    env: {
      ...process.env,
      PP_STATE_DIR: stateDir,
      PP_WEB_PORT: '0',
      PP_GATEWAY_PORT: '0',
      PP_GENERATION_PORT: '0',
      PP_GALLERY_PORT: '0',
      PP_S3_PORT: '0',
      PP_REDIS_PORT: '0',
      // A private Redis, never one the machine happens to run.
      REDIS_URL: '',
      ...env,
    },
  });
  await waitFor(() => !stack.running || stack.lines.some((line) => line.includes('Pixel Prompt is running')), {
    what: 'the local stack to start',
    timeoutMs,
    intervalMs: 100,
  }).catch(async (error: Error) => {
    await stack.stop('SIGTERM', 45_000);
    throw new Error(`${error.message}:\n${stack.output()}`);
  });
  if (!stack.running) throw new Error(`the local stack exited (code ${await stack.waitForExit()}):\n${stack.output()}`);
  const { url, ports } = JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as { url: string; ports: LocalStackPorts };
  return { process: stack, url, ports };
}
