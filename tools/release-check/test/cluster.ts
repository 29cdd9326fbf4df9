import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { crdApiVersions, workspaceRoot } from '@pixel-prompt/testing';
import { parse as parseYaml, parseAllDocuments, stringify } from 'yaml';
import { FakeKubernetesApi, type KubeObject } from './fake-kubernetes-api';

export const root = workspaceRoot();
const chart = join(root, 'deploy/helm/pixel-prompt');

/** Staging as deploy.sh installs it (deploy/helm/environments.yaml), and the time Helm recorded for its last upgrade. */
const staging = (parseYaml(readFileSync(join(root, 'deploy/helm/environments.yaml'), 'utf8')) as Record<string, { release: string; namespace: string }>)['staging'];
export const RELEASE = staging?.release ?? '';
export const NAMESPACE = staging?.namespace ?? '';
export const REVISION = 3;
export const DEPLOYED_AT = new Date(Date.now() - 10 * 60_000);
const POD_TEMPLATE_HASH = '7d9c5b6f4';

/** The chart rendered by the real helm for staging, hooks left out as Helm stores them apart from the manifest. */
export function renderStaging(): KubeObject[] {
  // helm.sh runs `node`: the test's own Node 24 first on PATH.
  const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}` };
  const apis = crdApiVersions().flatMap((api) => ['--api-versions', api]);
  const helm = spawnSync('bash', [join(root, 'tools/helm/helm.sh'), 'template', RELEASE, chart, '--namespace', NAMESPACE, ...apis, '-f', join(chart, 'values-staging.yaml')], {
    cwd: root,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (helm.status !== 0) throw new Error(`helm template failed: ${helm.stderr}`);
  return parseAllDocuments(helm.stdout)
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null && !o.metadata.annotations?.['helm.sh/hook'])
    .map((o) => ({ ...o, metadata: { ...o.metadata, namespace: NAMESPACE } }));
}

type Spec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function autoscalerOf(rendered: KubeObject[], deployment: string): Spec | undefined {
  return rendered.find((o) => o.kind === 'HorizontalPodAutoscaler' && (o['spec'] as Spec)['scaleTargetRef'].name === deployment)?.['spec'] as Spec | undefined;
}

/** Helm's record of a revision, as its Secret storage encodes it. */
function releaseSecret(rendered: KubeObject[], revision: number, status: string): KubeObject {
  const chartYaml = parseYaml(readFileSync(join(chart, 'Chart.yaml'), 'utf8')) as { name: string; version: string; appVersion: string };
  const release = {
    name: RELEASE,
    namespace: NAMESPACE,
    version: revision,
    info: { first_deployed: '2026-01-05T10:00:00Z', last_deployed: DEPLOYED_AT.toISOString(), status, description: 'Upgrade complete' },
    chart: { metadata: { name: chartYaml.name, version: chartYaml.version, appVersion: chartYaml.appVersion } },
    config: {},
    manifest: rendered.map((o) => `---\n${stringify(o)}`).join(''),
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `sh.helm.release.v1.${RELEASE}.v${revision}`, namespace: NAMESPACE, labels: { name: RELEASE, owner: 'helm', status, version: String(revision) } },
    type: 'helm.sh/release.v1',
    // Secret data is base64 on the wire; Helm's own value inside is base64 of the gzipped JSON.
    data: { release: Buffer.from(gzipSync(JSON.stringify(release)).toString('base64')).toString('base64') },
  };
}

function podsOf(deployment: KubeObject, replicas: number): KubeObject[] {
  const template = (deployment['spec'] as Spec)['template'] as Spec;
  const started = new Date(DEPLOYED_AT.getTime() + 30_000).toISOString();
  return Array.from({ length: replicas }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${deployment.metadata.name}-${POD_TEMPLATE_HASH}-${i}x${i}`,
      namespace: NAMESPACE,
      labels: { ...template['metadata'].labels, 'pod-template-hash': POD_TEMPLATE_HASH },
      creationTimestamp: started,
    },
    spec: structuredClone(template['spec']),
    status: {
      phase: 'Running',
      conditions: [
        { type: 'Ready', status: 'True' },
        { type: 'ContainersReady', status: 'True' },
      ],
      containerStatuses: (template['spec'].containers as Spec[]).map((c) => ({
        name: c['name'],
        image: c['image'],
        imageID: `${c['image']}@sha256:${'ab'.repeat(32)}`,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: started } },
      })),
    },
  }));
}

/** A metric spec's status twin: the same source with a current value in place of the target. */
function currentMetric(metric: Spec): Spec {
  const key = metric['type'].charAt(0).toLowerCase() + metric['type'].slice(1);
  const { target, ...source } = metric[key] as Spec;
  const current = target.type === 'Utilization' ? { averageUtilization: 35 } : target.type === 'AverageValue' ? { averageValue: '2' } : { value: '2' };
  return { type: metric['type'], [key]: { ...source, current } };
}

/**
 * The rendered release running as it should: Helm's revision Secrets (the current one deployed, the
 * one before superseded), every Deployment rolled out with its pods ready, autoscalers reading all
 * their metrics, disruption budgets allowing one eviction, and a Normal event.
 */
export function healthyCluster(rendered: KubeObject[]): KubeObject[] {
  const live: KubeObject[] = [releaseSecret(rendered, REVISION - 1, 'superseded'), releaseSecret(rendered, REVISION, 'deployed')];
  // A copy: scenarios change the objects they get, and each starts from the same rendering.
  for (const object of structuredClone(rendered)) {
    const spec = object['spec'] as Spec | undefined;
    switch (object.kind) {
      case 'Deployment': {
        // With an HPA the chart sets no replicas: the autoscaler keeps the minimum at least.
        const replicas = spec?.['replicas'] ?? autoscalerOf(rendered, object.metadata.name)?.['minReplicas'] ?? 1;
        live.push({
          ...object,
          metadata: { ...object.metadata, generation: 2 },
          spec: { ...spec, replicas },
          status: {
            observedGeneration: 2,
            replicas,
            updatedReplicas: replicas,
            readyReplicas: replicas,
            availableReplicas: replicas,
            conditions: [
              { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
              { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
            ],
          },
        });
        live.push(...podsOf(object, replicas));
        break;
      }
      case 'HorizontalPodAutoscaler':
        live.push({
          ...object,
          status: {
            currentReplicas: spec?.['minReplicas'],
            desiredReplicas: spec?.['minReplicas'],
            currentMetrics: (spec?.['metrics'] as Spec[]).map(currentMetric),
            conditions: [
              { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale' },
              { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound' },
              { type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange' },
            ],
          },
        });
        break;
      case 'PodDisruptionBudget':
        live.push({ ...object, status: { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 } });
        break;
      default:
        // Kinds the release check never reads (and the fake has no path for) stay out of the cluster.
        if (FakeKubernetesApi.serves(object)) live.push(object);
    }
  }
  live.push({
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: `${RELEASE}-gateway.scheduled`, namespace: NAMESPACE },
    eventTime: new Date(DEPLOYED_AT.getTime() + 1000).toISOString(),
    type: 'Normal',
    reason: 'ScalingReplicaSet',
    note: `Scaled up replica set ${RELEASE}-gateway-${POD_TEMPLATE_HASH} to 2`,
    regarding: { kind: 'Deployment', name: `${RELEASE}-gateway`, namespace: NAMESPACE },
    reportingController: 'deployment-controller',
    action: 'ScaleUp',
  });
  return live;
}

/** The object of `kind` named `name`, for a scenario to change. */
export function find(objects: KubeObject[], kind: string, name: string): Spec {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found as Spec;
}

/** A kubeconfig whose current context `context` talks to the fake over TLS with a bearer token. */
export function writeKubeconfig(api: { url: string; ca: string }, token: string, context = 'staging'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pp-kubeconfig-')), 'config');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake-cluster', cluster: { server: api.url, 'certificate-authority-data': Buffer.from(api.ca).toString('base64') } }],
    users: [{ name: 'release-checker', user: { token } }],
    contexts: [{ name: context, context: { cluster: 'fake-cluster', user: 'release-checker', namespace: NAMESPACE } }],
    'current-context': context,
  };
  writeFileSync(file, stringify(config));
  return file;
}

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (the test target builds it first) as deploy.sh would, without blocking the fakes in this process. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'dist/tools/release-check/main.js'), ...args],
      // A home of its own: no ~/.kube/config of the machine running the tests is ever read.
      { cwd: root, env: { PATH: process.env['PATH'] ?? '', HOME: mkdtempSync(join(tmpdir(), 'pp-home-')), ...env }, maxBuffer: 16 * 1024 * 1024, timeout: 300_000 },
      (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
