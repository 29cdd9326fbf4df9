import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '@pixel-prompt/testing';

export const ROOT = workspaceRoot();
/** Git-ignored: the engine's configuration and image storage (the base stand-ins stay between runs). */
export const STATE = join(ROOT, '.cache/images');
/** Git-ignored: one CycloneDX SBOM per image and the report of sizes and times. */
export const OUTPUT = join(ROOT, 'dist/images');

/** The system's CA bundle: npm inside a build reaches the registry trusting what this machine trusts. */
const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/**
 * Where builds see the CA bundle and an npmrc naming it. A directory every Debian-based image has,
 * empty, and npm's global configuration directory in the Node images: mounting over a directory
 * that exists leaves no trace in any layer (a file mounted where none exists leaves an empty one).
 */
export const BUILD_MOUNT_TARGET = '/usr/local/etc';

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The engine's configuration, for this tool alone (nothing in /etc changes): runc and cgroupfs
 * (crun and the systemd cgroup manager fail on these hosts), no default ulimits or pids limit (the
 * defaults fail there too), native overlay storage (vfs copies the whole image for every
 * container), and short names resolving to Docker Hub's, as `docker build` does.
 */
function writeEngineConfig(): Record<string, string> {
  const dir = join(STATE, 'config');
  mkdirSync(dir, { recursive: true });
  const files = {
    CONTAINERS_CONF: [
      '[containers]',
      'default_ulimits = []',
      'pids_limit = 0',
      '[engine]',
      'runtime = "runc"',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "none"',
      `tmp_dir = "${join(STATE, 'run/libpod')}"`,
    ],
    CONTAINERS_STORAGE_CONF: [
      '[storage]',
      'driver = "overlay"',
      `graphroot = "${join(STATE, 'storage')}"`,
      `runroot = "${join(STATE, 'run/storage')}"`,
    ],
    CONTAINERS_REGISTRIES_CONF: ['unqualified-search-registries = ["docker.io"]', 'short-name-mode = "permissive"'],
  };
  // buildah's temporary files and its RUN --mount=type=cache directories (npm's download cache).
  const tmp = join(STATE, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const env: Record<string, string> = { TMPDIR: tmp };
  for (const [variable, lines] of Object.entries(files)) {
    env[variable] = join(dir, `${variable.toLowerCase()}.conf`);
    writeFileSync(env[variable], `# Written by tools/images; read by podman and buildah through ${variable}.\n${lines.join('\n')}\n`);
  }
  return env;
}

export const ENGINE_ENV = writeEngineConfig();

/** The directory mounted at BUILD_MOUNT_TARGET during builds: a copy of the CA bundle and the npmrc naming it. */
export function buildMounts(): string {
  const dir = join(STATE, 'build-mounts');
  mkdirSync(dir, { recursive: true });
  copyFileSync(HOST_CA_BUNDLE, join(dir, 'build-ca.crt'));
  writeFileSync(join(dir, 'npmrc'), `cafile=${BUILD_MOUNT_TARGET}/build-ca.crt\n`);
  return dir;
}

/**
 * buildah's RUN steps: as many open files as this process may have. Without it they get 1024 (too
 * few for npm ci), and the engines' default (1048576) is above what these hosts allow.
 */
export function openFilesLimit(): string {
  const hard = /^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? '1024';
  return `nofile=${hard}:${hard}`;
}

/** The engines need root; a user with passwordless sudo runs them through it (keeping PATH: Node 24 first). */
function asRoot(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() === 0) return [command, args];
  const env = Object.entries({ ...ENGINE_ENV, PATH: process.env['PATH'] ?? '' }).map(([name, value]) => `${name}=${value}`);
  return ['sudo', ['-n', 'env', ...env, command, ...args]];
}

/** Runs a program as root with the engine's configuration; never throws for a non-zero exit. */
export function run(
  command: string,
  args: string[],
  { timeoutMs = 10 * 60_000, onOutput }: { timeoutMs?: number; onOutput?: (chunk: string) => void } = {},
): Promise<Result> {
  const [program, argv] = asRoot(command, args);
  const child = spawn(program, argv, { cwd: ROOT, env: { ...process.env, ...ENGINE_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    onOutput?.(chunk.toString());
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    onOutput?.(chunk.toString());
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like run, but a non-zero exit is an error carrying the program's output. */
export async function check(command: string, args: string[], options?: Parameters<typeof run>[2]): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.code}:\n${result.stdout}\n${result.stderr}`.trim());
  }
  return result.stdout.trim();
}

/** The images a Dockerfile starts FROM, with its ARG defaults applied (`FROM ${NODE_IMAGE} AS build`). */
export function fromReferences(dockerfile: string): string[] {
  const text = readFileSync(join(ROOT, dockerfile), 'utf8');
  const defaults = new Map([...text.matchAll(/^ARG (\w+)=(\S+)$/gm)].map(([, name, value]) => [name, value]));
  const stages = new Set<string>();
  const references = new Set<string>();
  for (const [, from, stage] of text.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gim)) {
    const reference = String(from).replace(/\$\{(\w+)\}/g, (_, name: string) => defaults.get(name) ?? '');
    // FROM an earlier stage is no base image.
    if (!stages.has(reference)) references.add(reference);
    if (stage) stages.add(stage);
  }
  return [...references];
}
