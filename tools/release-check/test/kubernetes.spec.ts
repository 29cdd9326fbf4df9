import { gunzipSync, gzipSync } from 'node:zlib';
import type { Check, Fact } from '../src/findings';
import { FakeKubernetesApi, type KubeObject } from './fake-kubernetes-api';
import { DEPLOYED_AT, NAMESPACE, RELEASE, find, healthyCluster, renderStaging, runCli, writeKubeconfig } from './cluster';

const TOKEN = 'sa-token-for-tests-0123456789';

interface JsonReport {
  verdict: string;
  facts: Fact[];
  checks: Check[];
}

const after = (seconds: number) => new Date(DEPLOYED_AT.getTime() + seconds * 1000).toISOString();

/** The first pod of a Deployment, as healthyCluster names them. */
function firstPod(objects: KubeObject[], deployment: string) {
  const pod = objects.find((o) => o.kind === 'Pod' && o.metadata.name.startsWith(`${RELEASE}-${deployment}-`));
  if (!pod) throw new Error(`no pod of ${deployment}`);
  return pod as KubeObject & { status: { conditions: { type: string; status: string }[]; containerStatuses: Record<string, unknown>[] } };
}

function notReady(pod: ReturnType<typeof firstPod>, container: Record<string, unknown>): void {
  pod.status.conditions = [{ type: 'Ready', status: 'False' }];
  Object.assign(pod.status.containerStatuses[0] ?? {}, { ready: false, ...container });
}

/**
 * Each way a release can be broken, applied to the healthy cluster, with the check that must fail
 * and the reason it must give.
 */
const BROKEN: [string, (objects: KubeObject[]) => void, string | string[], RegExp][] = [
  [
    'a rollout stuck past its progress deadline',
    (objects) => {
      const gateway = find(objects, 'Deployment', `${RELEASE}-gateway`);
      gateway['metadata'].generation = 3;
      gateway['status'] = {
        ...gateway['status'],
        observedGeneration: 3,
        replicas: 3,
        updatedReplicas: 1,
        availableReplicas: 2,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${RELEASE}-gateway-5f6d8" has timed out progressing.` }],
      };
    },
    'gateway: rollout',
    /ProgressDeadlineExceeded: ReplicaSet ".*" has timed out progressing\..*1 of 2 replicas updated.*2 old replicas still running/,
  ],
  [
    'a pod in CrashLoopBackOff',
    (objects) =>
      notReady(firstPod(objects, 'generation'), {
        restartCount: 6,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: after(120) } },
      }),
    'generation: pods',
    /pod pixel-prompt-generation-\S+: container generation is in CrashLoopBackOff \(back-off 5m0s restarting failed container\).*restarted 6× since the rollout, last Error \(exit code 1\).*is not ready/,
  ],
  [
    'a pod that cannot pull its image',
    (objects) => notReady(firstPod(objects, 'gallery'), { state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } } }),
    'gallery: pods',
    /pod pixel-prompt-gallery-\S+: container gallery is in ImagePullBackOff/,
  ],
  [
    'a container killed for memory since the rollout',
    (objects) =>
      Object.assign(firstPod(objects, 'generation').status.containerStatuses[0] ?? {}, {
        restartCount: 2,
        lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: after(300) } },
      }),
    'generation: pods',
    /container generation restarted 2× since the rollout, last OOMKilled \(exit code 137\)/,
  ],
  [
    'an autoscaler that cannot read its queue metric',
    (objects) => {
      const hpa = find(objects, 'HorizontalPodAutoscaler', `${RELEASE}-generation`);
      hpa['status'].currentMetrics = [];
      hpa['status'].conditions[1] = {
        type: 'ScalingActive',
        status: 'False',
        reason: 'FailedGetExternalMetric',
        message: 'the HPA was unable to compute the replica count: unable to get external metric: no metrics returned from external metrics API',
      };
    },
    'generation: autoscaler',
    /ScalingActive=False \(FailedGetExternalMetric: the HPA was unable to compute the replica count.*External metric \S+ has no current value/,
  ],
  [
    'a disruption budget allowing no eviction',
    (objects) => Object.assign(find(objects, 'PodDisruptionBudget', `${RELEASE}-gallery`)['status'], { disruptionsAllowed: 0, currentHealthy: 1 }),
    'gallery: disruption budget',
    /PodDisruptionBudget pixel-prompt-gallery allows 0 disruptions \(1 healthy, 1 required of 2\): a node drain would hang/,
  ],
  [
    'a missing ServiceMonitor',
    (objects) => objects.splice(objects.indexOf(find(objects, 'ServiceMonitor', `${RELEASE}-gallery`) as KubeObject), 1),
    'ServiceMonitors',
    /ServiceMonitor pixel-prompt-gallery is enabled in the release but missing from the cluster/,
  ],
  [
    'a Deployment changed by hand to another image (kubectl set image), its pods rolled with it',
    (objects) => {
      const image = 'example.com/pixel-prompt/web:0.0.9';
      find(objects, 'Deployment', `${RELEASE}-web`)['spec'].template.spec.containers[0].image = image;
      for (const pod of objects.filter((o) => o.kind === 'Pod' && o.metadata.name.startsWith(`${RELEASE}-web-`))) {
        Object.assign((pod['spec'] as { containers: object[] }).containers[0] ?? {}, { image });
      }
    },
    ['web: images', 'web: pods'],
    /Deployment pixel-prompt-web: web runs example.com\/pixel-prompt\/web:0\.0\.9, the release asked for \S+\/pixel-prompt\/web:/,
  ],
  [
    'a model registry the services would refuse',
    (objects) => {
      find(objects, 'ConfigMap', `${RELEASE}-models`)['data'] = { 'models.yaml': 'models:\n  - { id: Aurora, displayName: Aurora, provider: local, providerModel: aurora }\n' };
    },
    'Model registry',
    /Invalid model registry ConfigMap pixel-prompt-models: models\[0\]\.id must be 1-40 lowercase letters, digits or dashes/,
  ],
  [
    'a release whose last upgrade failed',
    (objects) => {
      const current = find(objects, 'Secret', `sh.helm.release.v1.${RELEASE}.v3`);
      const release = JSON.parse(gunzipSync(Buffer.from(Buffer.from(current['data'].release, 'base64').toString(), 'base64')).toString());
      release.info = { ...release.info, status: 'failed', description: 'Upgrade "pixel-prompt" failed: context deadline exceeded' };
      current['data'].release = Buffer.from(gzipSync(JSON.stringify(release)).toString('base64')).toString('base64');
    },
    'Helm release',
    /revision 3 is failed: Upgrade "pixel-prompt" failed: context deadline exceeded/,
  ],
];

describe('release-check verify: Kubernetes checks against a fake API server holding the rendered chart', () => {
  let api: FakeKubernetesApi;
  let kubeconfig: string;
  let rendered: KubeObject[];

  beforeAll(async () => {
    rendered = renderStaging();
    api = await FakeKubernetesApi.start(TOKEN);
    kubeconfig = writeKubeconfig(api, TOKEN);
  });
  afterAll(() => api.close());

  async function verify(objects: KubeObject[], ...extra: string[]) {
    api.serve(objects);
    const run = await runCli(['verify', '--release', RELEASE, '--namespace', NAMESPACE, '--json', ...extra], { KUBECONFIG: kubeconfig });
    return { ...run, report: run.stdout ? (JSON.parse(run.stdout) as JsonReport) : undefined };
  }

  it('passes the healthy release, checking every Deployment, autoscaler and budget Helm applied', async () => {
    const run = await verify(healthyCluster(rendered));
    expect({ status: run.status, failed: run.report?.checks.filter((c) => c.status !== 'pass') }).toEqual({ status: 0, failed: [] });
    expect(run.report?.verdict).toBe('pass');

    const names = run.report?.checks.map((c) => c.name) ?? [];
    for (const kind of ['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) {
      const components = rendered.filter((o) => o.kind === kind).map((o) => o.metadata.labels?.['app.kubernetes.io/component']);
      expect(components.length).toBeGreaterThan(0);
      const check = { Deployment: 'rollout', HorizontalPodAutoscaler: 'autoscaler', PodDisruptionBudget: 'disruption budget' }[kind];
      for (const component of components) expect(names).toContain(`${component}: ${check}`);
    }
    expect(names).toEqual(expect.arrayContaining(['Helm release', 'ServiceMonitors', 'PrometheusRules', 'Model registry', 'Warning events', 'gateway: pods', 'web: pod security']));
    const facts = Object.fromEntries((run.report?.facts ?? []).map((f) => [f.name, f.value]));
    expect(facts).toMatchObject({ Revision: '3 (deployed: Upgrade complete)', 'Kube context': 'staging' });
    expect(facts['generation: autoscaler']).toMatch(/^replicas 1 \(min 1, max 6\); \S+ 2 \(target \d+ per replica\)/);
    // Read-only, and the release's objects found by its instance label.
    expect(api.requests.every((r) => r.method === 'GET')).toBe(true);
    expect(api.requests.map((r) => r.path)).toContain(`/apis/apps/v1/namespaces/${NAMESPACE}/deployments?labelSelector=app.kubernetes.io%2Finstance%3D${RELEASE}`);
  });

  it('reports Warning events since the rollout without failing on them', async () => {
    const objects = healthyCluster(rendered);
    const pod = firstPod(objects, 'gateway').metadata.name;
    const warning = (name: string, at: string) => ({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace: NAMESPACE },
      eventTime: at,
      type: 'Warning',
      reason: 'Unhealthy',
      note: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
      regarding: { kind: 'Pod', name: pod, namespace: NAMESPACE },
      series: { count: 3, lastObservedTime: at },
    });
    objects.push(warning('recent', after(60)), warning('before-the-rollout', new Date(DEPLOYED_AT.getTime() - 3_600_000).toISOString()));
    const run = await verify(objects);
    expect(run.status).toBe(0);
    expect(run.report?.checks.find((c) => c.name === 'Warning events')).toEqual({
      section: 'deployment',
      name: 'Warning events',
      status: 'warn',
      detail: `1 kinds since the rollout: Pod ${pod}: Unhealthy ×3 (Readiness probe failed: HTTP probe failed with statuscode: 503)`,
    });
  });

  it.each(BROKEN)('fails on %s, naming it', async (_scenario, breakIt, checkNames, detail) => {
    const objects = healthyCluster(rendered);
    breakIt(objects);
    const run = await verify(objects);
    expect(run.status).toBe(1);
    expect(run.report?.verdict).toBe('fail');
    const failed = run.report?.checks.filter((c) => c.status === 'fail') ?? [];
    const names = [checkNames].flat();
    expect(failed.map((c) => c.name)).toEqual(names);
    expect(failed[0]?.detail).toMatch(detail);
    for (const name of names) expect(run.stderr).toContain(`  ${name}: `);
  });

  it('fails naming the release when Helm has no record of it', async () => {
    const run = await verify(healthyCluster(rendered).filter((o) => o.kind !== 'Secret'));
    expect(run.status).toBe(1);
    expect(run.report?.checks).toEqual([
      { section: 'deployment', name: 'Helm release', status: 'fail', detail: `no Helm release "${RELEASE}" in namespace "${NAMESPACE}" (no Secret labelled owner=helm,name=${RELEASE})` },
    ]);
  });
});

describe('release-check: the kube context guard', () => {
  let api: FakeKubernetesApi;
  let kubeconfig: string;

  beforeAll(async () => {
    api = await FakeKubernetesApi.start(TOKEN);
    kubeconfig = writeKubeconfig(api, TOKEN, 'staging-eks');
  });
  afterAll(() => api.close());

  it('accepts the context configured for the environment', async () => {
    const run = await runCli(['context', 'staging-eks'], { KUBECONFIG: kubeconfig });
    expect(run).toEqual({ status: 0, stdout: '', stderr: 'release-check: kube context is staging-eks\n' });
  });

  it('refuses another context before any request reaches the cluster', async () => {
    api.serve([]);
    const guard = await runCli(['context', 'prod-eks'], { KUBECONFIG: kubeconfig });
    expect(guard).toEqual({
      status: 1,
      stdout: '',
      stderr: 'release-check: refusing: the kubeconfig\'s current context is "staging-eks", not "prod-eks", the context configured for this environment\n',
    });
    const verify = await runCli(['verify', '--release', RELEASE, '--namespace', NAMESPACE, '--expect-context', 'prod-eks'], { KUBECONFIG: kubeconfig });
    expect(verify.status).toBe(1);
    expect(verify.stdout).toBe('');
    expect(verify.stderr).toContain('refusing: the kubeconfig\'s current context is "staging-eks", not "prod-eks"');
    expect(api.requests).toEqual([]);
  });

  it('refuses when there is no kubeconfig at all, rather than trying localhost', async () => {
    const run = await runCli(['context', 'staging-eks']);
    expect(run).toEqual({
      status: 1,
      stdout: '',
      stderr: 'release-check: cannot read the kubeconfig: none found: set KUBECONFIG or --kubeconfig, write ~/.kube/config, or run in a pod with a service account\n',
    });
  });

  it.each([
    [['verify', '--namespace', NAMESPACE], '--release and --namespace are required'],
    [['verify', '--release', RELEASE, '--namespace', NAMESPACE, '--no-kubernetes'], 'nothing to check: give --url or --prometheus, or leave out --no-kubernetes'],
    [['verify', '--release', RELEASE, '--namespace', NAMESPACE, '--url', 'staging.example.com'], '--url must be an http(s) URL'],
    [['deploy'], 'unknown command deploy'],
  ])('exits 2 on bad usage (%j), saying what is wrong', async (args, message) => {
    const run = await runCli(args, { KUBECONFIG: kubeconfig });
    expect(run.status).toBe(2);
    expect(run.stderr.split('\n\n')[0]).toBe(`release-check: ${message}`);
    expect(run.stderr).toContain('Verifies a live Pixel Prompt release');
  });
});
