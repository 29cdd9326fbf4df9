import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startOnFreePort } from './ports';
import { type ManagedProcess, startProcess } from './processes';
import { waitFor } from './wait-for';
import { workspaceRoot } from './workspace';

export type ServiceName = 'gateway' | 'generation' | 'gallery';

/** Path of a service's production build; the apps' test targets depend on their build. */
export function serviceMain(name: ServiceName): string {
  const main = join(workspaceRoot(), 'dist/apps', name, 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`nx build ${name}\` first`);
  return main;
}

/** Starts a built service as its own process, exactly as it runs in production. */
export async function spawnService(name: ServiceName, env: Record<string, string>): Promise<ManagedProcess> {
  return startProcess(process.execPath, [serviceMain(name)], {
    cwd: workspaceRoot(),
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'test', HOST: '127.0.0.1', LOG_LEVEL: 'debug', ...env },
  });
}

export interface RunningService {
  url: string;
  port: number;
  process: ManagedProcess;
  /** The JSON log lines written so far. */
  logs(): Record<string, unknown>[];
}

/**
 * Spawns a service on a free port (another one should the port be taken first) and waits until it
 * answers /health/live, or /health/ready with `until: 'ready'` (at most `bootTimeoutMs`). Live is
 * enough for tests of a service whose dependencies are down; a test whose first request needs Redis
 * waits for ready, or on a busy machine that request can come before the connection and get a 503.
 */
export async function startService(
  name: ServiceName,
  env: Record<string, string>,
  { bootTimeoutMs = 15_000, until = 'live' as 'live' | 'ready' } = {},
): Promise<RunningService> {
  const { port, server } = await startOnFreePort(name, (port) => spawnService(name, { PORT: String(port), ...env }));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () =>
      (await fetch(`${url}/health/${until}`).then((r) => r.ok, () => false)) ||
      (!server.running && Promise.reject(new Error(`${name} exited:\n${server.output()}`))),
    { what: `${name} to answer /health/${until}`, timeoutMs: bootTimeoutMs },
  );
  return { url, port, process: server, logs: () => parseLogLines(server.lines) };
}

export function parseLogLines(lines: string[]): Record<string, unknown>[] {
  return lines.map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`log line is not JSON: ${line}`);
    }
  });
}
