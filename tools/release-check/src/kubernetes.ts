import {
  ApiException,
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubeConfig,
  PolicyV1Api,
  type EventsV1Event,
  type V1Container,
  type V1Deployment,
  type V1Pod,
  type V1PodDisruptionBudget,
  type V2HorizontalPodAutoscaler,
  type V2MetricSpec,
  type V2MetricStatus,
} from '@kubernetes/client-node';
import { parseModelRegistry } from '@pixel-prompt/models';
import { parse as parseYaml } from 'yaml';
import { type Findings, reason } from './findings';
import { type HelmRelease, type ManifestObject, decodeReleaseSecret } from './helm-release';

/** The kubeconfig in `path`, or the default one: $KUBECONFIG, ~/.kube/config, else the pod's service account. */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  // With none of those, the client falls back to an unauthenticated http://localhost:8080: never what is meant.
  if (!path && kc.getCurrentContext() === 'loaded-context' && kc.getCurrentCluster()?.server === 'http://localhost:8080') {
    throw new Error('none found: set KUBECONFIG or --kubeconfig, write ~/.kube/config, or run in a pod with a service account');
  }
  return kc;
}

/**
 * Refuses a cluster other than the one an environment is deployed to: the guard that keeps a
 * `deploy.sh prod` from reaching the staging cluster (or the reverse) because of a stale context.
 */
export function contextMismatch(kc: KubeConfig, expected: string): string | undefined {
  const current = kc.getCurrentContext();
  if (current === expected) return undefined;
  return `the kubeconfig's current context is "${current || '(none)'}", not "${expected}", the context configured for this environment`;
}

/** Container states that mean a pod will not become ready by itself. */
const STUCK_REASONS = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError']);

const INSTANCE_LABEL = 'app.kubernetes.io/instance';
const COMPONENT_LABEL = 'app.kubernetes.io/component';

interface Cluster {
  release: HelmRelease;
  deployments: V1Deployment[];
  pods: V1Pod[];
  autoscalers: V2HorizontalPodAutoscaler[];
  budgets: V1PodDisruptionBudget[];
  warnings: EventsV1Event[];
}

/**
 * Verifies the release as it runs: every Deployment Helm applied rolled out with the images the
 * release asked for, its pods are ready and have not restarted since, autoscalers read their
 * metrics, disruption budgets allow an eviction, the Prometheus Operator objects exist, and the
 * model registry is one the services will accept. Everything is read, nothing is changed.
 */
export async function checkKubernetes(kc: KubeConfig, releaseName: string, namespace: string, findings: Findings): Promise<void> {
  findings.fact('deployment', 'Kube context', kc.getCurrentContext() || '(in-cluster)');
  const core = kc.makeApiClient(CoreV1Api);
  const release = await currentRelease(core, releaseName, namespace);
  if (typeof release === 'string') {
    findings.fail('deployment', 'Helm release', release);
    return;
  }
  describeRelease(release, findings);

  const instance = `${INSTANCE_LABEL}=${releaseName}`;
  const [deployments, pods, autoscalers, budgets, events] = await Promise.all([
    kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace, labelSelector: instance }),
    core.listNamespacedPod({ namespace, labelSelector: instance }),
    // KEDA's HPA carries KEDA's labels, not the release's: all are listed and matched by name.
    kc.makeApiClient(AutoscalingV2Api).listNamespacedHorizontalPodAutoscaler({ namespace }),
    kc.makeApiClient(PolicyV1Api).listNamespacedPodDisruptionBudget({ namespace, labelSelector: instance }),
    kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace, fieldSelector: 'type=Warning' }),
  ]);
  const cluster: Cluster = {
    release,
    deployments: deployments.items,
    pods: pods.items.filter((p) => !p.metadata?.deletionTimestamp),
    autoscalers: autoscalers.items,
    budgets: budgets.items,
    warnings: events.items,
  };

  for (const wanted of ofKind(release, 'Deployment')) checkDeployment(wanted, cluster, findings);
  for (const wanted of ofKind(release, 'HorizontalPodAutoscaler')) checkAutoscaler(wanted.metadata.name, component(wanted), cluster, findings);
  // KEDA renders a ScaledObject and makes the HPA itself, named keda-hpa-<ScaledObject>.
  for (const wanted of ofKind(release, 'ScaledObject')) checkAutoscaler(`keda-hpa-${wanted.metadata.name}`, component(wanted), cluster, findings);
  for (const wanted of ofKind(release, 'PodDisruptionBudget')) checkBudget(wanted, cluster, findings);
  await checkMonitoring(kc.makeApiClient(CustomObjectsApi), release, namespace, findings);
  await checkModelRegistry(core, release, namespace, findings);
  checkWarningEvents(cluster, findings);
}

async function currentRelease(core: CoreV1Api, name: string, namespace: string): Promise<HelmRelease | string> {
  const secrets = await core.listNamespacedSecret({ namespace, labelSelector: `owner=helm,name=${name}` });
  const latest = secrets.items
    .filter((s) => s.type === 'helm.sh/release.v1' && s.data?.['release'])
    .sort((a, b) => Number(b.metadata?.labels?.['version']) - Number(a.metadata?.labels?.['version']))[0];
  if (!latest) return `no Helm release "${name}" in namespace "${namespace}" (no Secret labelled owner=helm,name=${name})`;
  return decodeReleaseSecret(latest.data?.['release'] ?? '');
}

function describeRelease(release: HelmRelease, findings: Findings): void {
  findings.fact('deployment', 'Release', `${release.name} in namespace ${release.namespace}`);
  findings.fact('deployment', 'Revision', `${release.revision} (${release.status}: ${release.description || 'no description'})`);
  findings.fact('deployment', 'Chart', `${release.chart}, app version ${release.appVersion}`);
  findings.fact('deployment', 'Deployed at', release.deployedAt.toISOString());
  if (release.status === 'deployed') findings.pass('deployment', 'Helm release', `revision ${release.revision} is deployed`);
  else findings.fail('deployment', 'Helm release', `revision ${release.revision} is ${release.status}: ${release.description}`);
}

function ofKind(release: HelmRelease, kind: string): ManifestObject[] {
  return release.objects.filter((o) => o.kind === kind);
}

function component(object: { metadata?: { name?: string; labels?: Record<string, string> } }): string {
  return object.metadata?.labels?.[COMPONENT_LABEL] ?? object.metadata?.name ?? '?';
}

function containersOf(object: ManifestObject | V1Deployment): V1Container[] {
  const spec = object.spec as { template?: { spec?: { containers?: V1Container[] } } } | undefined;
  return spec?.template?.spec?.containers ?? [];
}

function imagesOf(containers: { name: string; image?: string }[]): Map<string, string> {
  return new Map(containers.map((c) => [c.name, c.image ?? '']));
}

/** Image differences, each as `<container> runs X, the release asked for Y`. */
function imageMismatches(running: Map<string, string>, wanted: Map<string, string>): string[] {
  return [...wanted].filter(([name, image]) => running.get(name) !== image).map(([name, image]) => `${name} runs ${running.get(name) ?? 'nothing'}, the release asked for ${image}`);
}

function matchesSelector(labels: Record<string, string> | undefined, selector: Record<string, string> | undefined): boolean {
  return Object.entries(selector ?? {}).every(([key, value]) => labels?.[key] === value);
}

function checkDeployment(wanted: ManifestObject, cluster: Cluster, findings: Findings): void {
  const name = wanted.metadata.name;
  const label = component(wanted);
  const live = cluster.deployments.find((d) => d.metadata?.name === name);
  if (!live) {
    findings.fail('deployment', `${label}: rollout`, `Deployment ${name} of the release is missing from the namespace`);
    return;
  }
  const wantedImages = imagesOf(containersOf(wanted));
  findings.fact('deployment', `${label}: image`, [...wantedImages.values()].join(', '));

  // As `kubectl rollout status` decides: the controller saw this generation, every replica is
  // updated, no old ones are left, and all updated ones are available.
  const desired = live.spec?.replicas ?? 1;
  const status = live.status ?? {};
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const total = status.replicas ?? 0;
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  const problems: string[] = [];
  if ((status.observedGeneration ?? 0) < (live.metadata?.generation ?? 0)) problems.push(`generation ${live.metadata?.generation} not yet observed by the controller`);
  if (progressing?.reason === 'ProgressDeadlineExceeded') problems.push(`ProgressDeadlineExceeded: ${progressing.message ?? ''}`.trim());
  if (updated < desired) problems.push(`${updated} of ${desired} replicas updated`);
  if (total > updated) problems.push(`${total - updated} old replicas still running`);
  if (available < updated) problems.push(`${available} of ${updated} updated replicas available`);
  findings.fact('deployment', `${label}: replicas`, `${available} available of ${desired} desired`);
  findings.passUnless('deployment', `${label}: rollout`, problems.map((p) => `rollout of ${name} not complete: ${p}`), `${updated}/${desired} replicas updated and available`);

  findings.passUnless('deployment', `${label}: images`, imageMismatches(imagesOf(containersOf(live)), wantedImages).map((m) => `Deployment ${name}: ${m}`), 'as the release asked for');

  const pods = cluster.pods.filter((p) => matchesSelector(p.metadata?.labels, live.spec?.selector.matchLabels));
  checkPods(label, pods, desired, wantedImages, cluster.release.deployedAt, findings);
  checkPodSecurity(label, live, findings);
}

function checkPods(label: string, pods: V1Pod[], desired: number, wantedImages: Map<string, string>, since: Date, findings: Findings): void {
  const problems: string[] = [];
  let restarts = 0;
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '?';
    const statuses = pod.status?.containerStatuses ?? [];
    for (const container of statuses) {
      const waiting = container.state?.waiting;
      if (waiting?.reason && STUCK_REASONS.has(waiting.reason)) {
        problems.push(`pod ${name}: container ${container.name} is in ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`);
      }
      // A restart since the rollout leaves its termination in lastState (or state, while it restarts).
      const ended = container.lastState?.terminated ?? container.state?.terminated;
      if (ended && container.restartCount > 0 && new Date(ended.finishedAt ?? 0) >= since) {
        restarts += container.restartCount;
        problems.push(`pod ${name}: container ${container.name} restarted ${container.restartCount}× since the rollout, last ${ended.reason ?? 'terminated'} (exit code ${ended.exitCode})`);
      }
    }
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready?.status !== 'True') problems.push(`pod ${name} is not ready (${pod.status?.phase ?? 'unknown phase'}${ready?.reason ? `, ${ready.reason}` : ''})`);
    for (const mismatch of imageMismatches(imagesOf(pod.spec?.containers ?? []), wantedImages)) problems.push(`pod ${name}: ${mismatch}`);
  }
  if (pods.length === 0 && desired > 0) problems.push(`no pods of the ${desired} desired`);
  findings.passUnless('deployment', `${label}: pods`, problems, `${pods.length} ready, ${restarts} restarts since the rollout`);
}

/** The restricted Pod Security Standard's container settings, as the running Deployment has them. */
function checkPodSecurity(label: string, live: V1Deployment, findings: Findings): void {
  const pod = live.spec?.template.spec;
  const problems: string[] = [];
  if (pod?.securityContext?.runAsNonRoot !== true) problems.push('runAsNonRoot is not set');
  if (pod?.automountServiceAccountToken !== false) problems.push('the service account token is mounted');
  for (const c of pod?.containers ?? []) {
    const sc = c.securityContext;
    if (sc?.allowPrivilegeEscalation !== false) problems.push(`${c.name}: privilege escalation allowed`);
    if (sc?.readOnlyRootFilesystem !== true) problems.push(`${c.name}: writable root filesystem`);
    if (!sc?.capabilities?.drop?.includes('ALL')) problems.push(`${c.name}: capabilities not all dropped`);
  }
  findings.passUnless('security', `${label}: pod security`, problems, 'non-root, read-only root filesystem, no privilege escalation, no capabilities, no API token');
}

/** `name` of a metric spec or status, whatever its type. */
function metricName(metric: V2MetricSpec | V2MetricStatus): string {
  const selector = metric.external?.metric.selector?.matchLabels;
  const labels = selector ? `{${Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',')}}` : '';
  return (metric.resource?.name ?? metric.containerResource?.name ?? metric.external?.metric.name ?? metric.pods?.metric.name ?? metric.object?.metric.name ?? '?') + labels;
}

function currentValue(metric: V2MetricStatus): string | undefined {
  const current = (metric.resource ?? metric.containerResource ?? metric.external ?? metric.pods ?? metric.object)?.current;
  if (current?.averageUtilization !== undefined) return `${current.averageUtilization}%`;
  return current?.averageValue ?? current?.value;
}

function targetValue(metric: V2MetricSpec): string {
  const target = (metric.resource ?? metric.containerResource ?? metric.external ?? metric.pods ?? metric.object)?.target;
  if (target?.averageUtilization !== undefined) return `${target.averageUtilization}%`;
  return `${target?.averageValue ?? target?.value ?? '?'}${target?.type === 'AverageValue' ? ' per replica' : ''}`;
}

function checkAutoscaler(name: string, label: string, cluster: Cluster, findings: Findings): void {
  const hpa = cluster.autoscalers.find((h) => h.metadata?.name === name);
  if (!hpa) {
    findings.fail('deployment', `${label}: autoscaler`, `HorizontalPodAutoscaler ${name} is missing`);
    return;
  }
  const conditions = hpa.status?.conditions ?? [];
  const problems: string[] = [];
  for (const type of ['AbleToScale', 'ScalingActive']) {
    const condition = conditions.find((c) => c.type === type);
    if (condition?.status !== 'True') problems.push(`${type}=${condition?.status ?? 'absent'}${condition ? ` (${condition.reason}: ${condition.message ?? ''})` : ''}`);
  }
  // The generation worker scales on its queue through an External metric: it must be readable too.
  const readings = (hpa.spec?.metrics ?? []).map((spec) => {
    const status = hpa.status?.currentMetrics?.find((m) => m.type === spec.type && metricName(m) === metricName(spec));
    const value = status && currentValue(status);
    if (value === undefined) problems.push(`${spec.type} metric ${metricName(spec)} has no current value`);
    return `${metricName(spec)} ${value ?? 'unknown'} (target ${targetValue(spec)})`;
  });
  const replicas = `replicas ${hpa.status?.currentReplicas ?? '?'} (min ${hpa.spec?.minReplicas ?? 1}, max ${hpa.spec?.maxReplicas})`;
  findings.fact('performance', `${label}: autoscaler`, `${replicas}; ${readings.join('; ')}`);
  if (problems.length > 0) {
    findings.fail('deployment', `${label}: autoscaler`, `HPA ${name}: ${problems.join('; ')}`);
    return;
  }
  const limited = conditions.find((c) => c.type === 'ScalingLimited' && c.status === 'True' && c.reason === 'TooManyReplicas');
  if (limited) findings.warn('deployment', `${label}: autoscaler`, `HPA ${name} runs at its maximum: ${limited.message ?? ''}`);
  else findings.pass('deployment', `${label}: autoscaler`, `ScalingActive, ${readings.length} metric(s) read`);
}

function checkBudget(wanted: ManifestObject, cluster: Cluster, findings: Findings): void {
  const name = wanted.metadata.name;
  const label = component(wanted);
  const pdb = cluster.budgets.find((b) => b.metadata?.name === name);
  const status = pdb?.status;
  if (!pdb) findings.fail('deployment', `${label}: disruption budget`, `PodDisruptionBudget ${name} is missing`);
  else if ((status?.disruptionsAllowed ?? 0) < 1) {
    findings.fail(
      'deployment',
      `${label}: disruption budget`,
      `PodDisruptionBudget ${name} allows 0 disruptions (${status?.currentHealthy ?? 0} healthy, ${status?.desiredHealthy ?? '?'} required of ${status?.expectedPods ?? '?'}): a node drain would hang`,
    );
  } else findings.pass('deployment', `${label}: disruption budget`, `allows ${status?.disruptionsAllowed} disruption(s)`);
}

const MONITORING_KINDS: Record<string, string> = { ServiceMonitor: 'servicemonitors', PrometheusRule: 'prometheusrules' };

async function checkMonitoring(custom: CustomObjectsApi, release: HelmRelease, namespace: string, findings: Findings): Promise<void> {
  for (const [kind, plural] of Object.entries(MONITORING_KINDS)) {
    const wanted = ofKind(release, kind);
    if (wanted.length === 0) continue;
    const missing: string[] = [];
    for (const object of wanted) {
      const name = object.metadata.name;
      try {
        await custom.getNamespacedCustomObject({ group: 'monitoring.coreos.com', version: 'v1', namespace, plural, name });
      } catch (error) {
        if (!(error instanceof ApiException) || error.code !== 404) throw error;
        missing.push(`${kind} ${name} is enabled in the release but missing from the cluster`);
      }
    }
    findings.passUnless('deployment', `${kind}s`, missing, `${wanted.length} present: ${wanted.map((o) => o.metadata.name).join(', ')}`);
  }
}

/** The registry ConfigMap as the services will read it, against the schema they validate it with. */
async function checkModelRegistry(core: CoreV1Api, release: HelmRelease, namespace: string, findings: Findings): Promise<void> {
  const wanted = ofKind(release, 'ConfigMap').find((c) => c.data?.['models.yaml'] !== undefined);
  if (!wanted) {
    findings.pass('deployment', 'Model registry', 'not configured: the services use the built-in models');
    return;
  }
  const name = wanted.metadata.name;
  try {
    const live = await core.readNamespacedConfigMap({ name, namespace });
    const registry = parseModelRegistry(parseYaml(live.data?.['models.yaml'] ?? ''), `ConfigMap ${name}`);
    findings.pass('deployment', 'Model registry', `ConfigMap ${name}: ${registry.enabled.length} of ${registry.models.length} models enabled (${registry.enabled.map((m) => m.id).join(', ')})`);
  } catch (error) {
    const missing = error instanceof ApiException && error.code === 404;
    findings.fail('deployment', 'Model registry', missing ? `ConfigMap ${name} is missing` : reason(error));
  }
}

function eventTime(event: EventsV1Event): Date {
  return new Date(event.series?.lastObservedTime ?? event.eventTime ?? event.deprecatedLastTimestamp ?? event.metadata?.creationTimestamp ?? 0);
}

/** Warnings about the release's objects or their pods since the rollout: reported, not failing on their own. */
function checkWarningEvents(cluster: Cluster, findings: Findings): void {
  const names = cluster.release.objects.map((o) => o.metadata.name);
  const ours = (object?: string) => !!object && names.some((name) => object === name || object.startsWith(`${name}-`));
  const since = cluster.release.deployedAt;
  const grouped = new Map<string, { count: number; note: string }>();
  for (const event of cluster.warnings) {
    if (!ours(event.regarding?.name) || eventTime(event) < since) continue;
    const key = `${event.regarding?.kind ?? ''} ${event.regarding?.name ?? ''}: ${event.reason ?? ''}`;
    const seen = grouped.get(key) ?? { count: 0, note: '' };
    grouped.set(key, { count: seen.count + (event.series?.count ?? event.deprecatedCount ?? 1), note: event.note ?? seen.note });
  }
  if (grouped.size === 0) {
    findings.pass('deployment', 'Warning events', `none since the rollout at ${since.toISOString()}`);
    return;
  }
  const listed = [...grouped].map(([key, { count, note }]) => `${key} ×${count} (${note})`);
  findings.warn('deployment', 'Warning events', `${listed.length} kinds since the rollout: ${listed.join('; ')}`);
}
