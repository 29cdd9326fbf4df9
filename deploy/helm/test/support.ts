import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { type ManagedProcess, type RunningService, TestRedis, freePort, crdApiVersions, startProcess, startService, waitFor, workspaceRoot } from '@pixel-prompt/testing';
import { parseAllDocuments, stringify } from 'yaml';

export const root = workspaceRoot();
export const chart = join(root, 'deploy/helm/pixel-prompt');
export const valuesFiles = ['values.yaml', 'values-dev.yaml', 'values-staging.yaml', 'values-prod.yaml'] as const;
export const services = ['gateway', 'generation', 'gallery'] as const;
export type Service = (typeof services)[number];

/** A rendered Kubernetes object; only the fields the tests read are typed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  data?: Record<string, string>;
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

// helm.sh runs `node`; the one running the tests is the workspace's Node 24.
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}` };

export function run(command: string, args: string[], input?: string, extraEnv: Record<string, string> = {}): Run {
  const result = spawnSync(command, args, { cwd: root, env: { ...env, ...extraEnv }, input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function helm(...args: string[]): Run {
  return run('bash', [join(root, 'tools/helm/helm.sh'), ...args]);
}

/** Writes values to a temporary file for `-f`, so tests can describe overrides as objects. */
export function valuesFile(values: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pp-helm-')), 'values.yaml');
  writeFileSync(file, stringify(values));
  return file;
}

export interface RenderOptions {
  files?: string[];
  values?: unknown;
  release?: string;
  /** API versions the pretended cluster serves besides the built-in ones; the CRDs the chart can use by default. */
  apis?: string[];
}

/** The custom resources the chart renders when asked: a cluster with the Prometheus Operator, KEDA and the k6-operator. */
export const CRD_APIS = crdApiVersions();

/** Arguments selecting the chart's values: its own files by name, then ad-hoc overrides. */
function valueArgs({ files = [], values }: RenderOptions): string[] {
  const args = files.filter((f) => f !== 'values.yaml').flatMap((f) => ['-f', join(chart, f)]);
  return values === undefined ? args : [...args, '-f', valuesFile(values)];
}

export function template(options: RenderOptions = {}): Run {
  const apis = (options.apis ?? CRD_APIS).flatMap((api) => ['--api-versions', api]);
  return helm('template', options.release ?? 'pp', chart, '--namespace', 'pixel', ...apis, ...valueArgs(options));
}

export function lint(options: RenderOptions = {}): Run {
  return helm('lint', '--strict', chart, ...valueArgs(options));
}

export function parse(yaml: string): K8sObject[] {
  return parseAllDocuments(yaml, { uniqueKeys: true })
    .map((doc) => {
      if (doc.errors.length) throw new Error(doc.errors.map((e) => e.message).join('; '));
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

/** Renders and parses; a failed render fails the test with helm's own message. */
export function render(options: RenderOptions = {}): K8sObject[] {
  const result = template(options);
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parse(result.stdout);
}

export interface Validation {
  validated: string[];
  errors: string[];
}

/** Validates manifests against the Kubernetes schemas, unknown fields included (kubernetes-models is ESM, so in its own process). */
export function validate(yaml: string): Validation {
  const result = run(process.execPath, [join(root, 'tools/helm/validate-manifests.mjs')], yaml);
  if (!result.stdout) throw new Error(`validate-manifests failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Validation;
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

export function readSource(path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

/** Values the chart needs to render at all with its defaults (a bucket; a Redis). */
export const minimal = { s3: { bucket: 'pixel-prompt-test' }, redis: { enabled: true } };

/** The rendered objects of a kind. */
export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** The first container of a component's Deployment (release "pp"). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function container(objects: K8sObject[], component: string): any {
  return find(objects, 'Deployment', `pp-${component}`).spec.template.spec.containers[0];
}

/** Literal env values of a container; secret references are returned as `secret:<name>/<key>`. */
export function envOf(objects: K8sObject[], component: string): Record<string, string> {
  const env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[] = container(objects, component).env ?? [];
  const names = env.map((e) => e.name);
  if (names.length !== new Set(names).size) throw new Error(`${component} sets a variable twice: ${names.join(', ')}`);
  return Object.fromEntries(
    env.map((e) => [e.name, e.value ?? `secret:${e.valueFrom?.secretKeyRef.name}/${e.valueFrom?.secretKeyRef.key}`]),
  );
}

/** A public URL in small: the built gateway (ready, on a real Redis) behind the local stack's web server. */
export interface Site {
  redis: TestRedis;
  gateway: RunningService;
  web: ManagedProcess;
  /** The web server: a tiny site, and /api forwarded to the gateway as the Ingress does. */
  url: string;
  stop(): Promise<void>;
}

export async function startSite(): Promise<Site> {
  const redis = await TestRedis.start();
  const gateway = await startService('gateway', { REDIS_URL: redis.url });
  await waitFor(async () => (await fetch(`${gateway.url}/health/ready`)).status === 200, { what: 'the gateway to be ready' });
  const site = mkdtempSync(join(tmpdir(), 'pp-site-'));
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>pp</title>');
  writeFileSync(join(site, 'config.json'), '{"apiBaseUrl":"/api"}');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const options = JSON.stringify({ root: site, host: '127.0.0.1', port, apiTarget: gateway.url });
  const web = await startProcess(process.execPath, ['--input-type=module', '-e', `import('${join(root, 'tools/stack/web-server.mjs')}').then((m) => m.startWebServer(${options}))`]);
  await waitFor(async () => (await fetch(url).catch(() => undefined))?.status === 200, { what: 'the web server' });
  return {
    redis,
    gateway,
    web,
    url,
    async stop() {
      await web.stop();
      await gateway.process.stop();
      await redis.dispose();
    },
  };
}
