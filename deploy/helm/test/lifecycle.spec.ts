import { setTimeout as delay } from 'node:timers/promises';
import { type RunningService, TestRedis, startService, stopAllProcesses, waitFor } from '@pixel-prompt/testing';
import { parse as parseYaml } from 'yaml';
import { type K8sObject, container, envOf, find, readSource, render } from './support';

/**
 * How pods meet the ALB on EKS: target health checks, the drain on the way out (docs/DEPLOYMENT.md,
 * "Draining a pod") and the readiness policy ("Readiness").
 */

/** Seconds the AWS Load Balancer Controller and the ALB take to stop sending new requests to a pod that leaves its endpoints. */
const DEREGISTRATION_SECONDS = 10;
/** A dependency blip (an ElastiCache failover, a network hiccup) that must take no pod out of its Service. */
const TOLERATED_BLIP_SECONDS = 30;
/** The ALB's idle timeout when the Ingress does not set one. */
const ALB_DEFAULT_IDLE_TIMEOUT_SECONDS = 60;

const albEnvironments = ['values-prod.yaml', 'values-staging.yaml'];
const albBacked = ['gateway', 'web'];

function annotationsOf(objects: K8sObject[], kind: string, name: string): Record<string, string> {
  return find(objects, kind, name).metadata.annotations ?? {};
}

/** The rendered shutdown of a component, in seconds: what the pod spec and its environment say. */
function shutdownOf(objects: K8sObject[], component: string) {
  const pod = find(objects, 'Deployment', `pp-${component}`).spec.template.spec;
  const env = component === 'web' ? {} : envOf(objects, component);
  return {
    preStop: Number(container(objects, component).lifecycle?.preStop?.sleep?.seconds ?? 0),
    delay: Number(env['SHUTDOWN_DRAIN_DELAY_MS'] ?? 0) / 1000,
    timeout: Math.ceil(Number(env['SHUTDOWN_TIMEOUT_MS'] ?? 0) / 1000),
    grace: Number(pod.terminationGracePeriodSeconds),
    keepAlive: Number(env['HTTP_KEEP_ALIVE_TIMEOUT_MS']) / 1000,
  };
}

describe.each(albEnvironments)('behind the ALB with %s', (file) => {
  const objects = render({ files: [file] });
  const ingress = find(objects, 'Ingress', 'pp');

  it.each(albBacked)('health-checks %s’s targets on its readiness path, answered with 200', (component) => {
    const annotations = annotationsOf(objects, 'Service', `pp-${component}`);
    const ready = container(objects, component).readinessProbe.httpGet.path;
    expect(annotations).toMatchObject({
      'alb.ingress.kubernetes.io/healthcheck-path': ready,
      'alb.ingress.kubernetes.io/success-codes': '200',
    });
  });

  it.each(albBacked)('drains %s: the ALB stops sending before the pod stops serving, and SIGKILL comes after everything', (component) => {
    const { preStop, delay: drainDelay, timeout, grace } = shutdownOf(objects, component);
    // Kubernetes' own sleep action: no sleep binary needed in the image, and allowed by the chart's kubeVersion.
    expect(container(objects, component).lifecycle.preStop).toEqual({ sleep: { seconds: preStop } });
    expect(preStop + drainDelay).toBeGreaterThanOrEqual(DEREGISTRATION_SECONDS);
    expect(grace).toBeGreaterThan(preStop + drainDelay + timeout);
    const attributes = annotationsOf(objects, 'Service', `pp-${component}`)['alb.ingress.kubernetes.io/target-group-attributes'] ?? '';
    const deregistration = Number(/deregistration_delay\.timeout_seconds=(\d+)/.exec(attributes)?.[1]);
    // The ALB keeps in-flight requests as long as the pod may answer them, and gives up before the pod is killed.
    expect(deregistration).toBeGreaterThanOrEqual(preStop + drainDelay + timeout);
    expect(deregistration).toBeLessThan(grace);
  });

  it.each(['gateway', 'gallery', 'generation'])('keeps %s’s idle connections open longer than the ALB does', (component) => {
    const attributes = annotationsOf(objects, 'Ingress', 'pp')['alb.ingress.kubernetes.io/load-balancer-attributes'] ?? '';
    const idle = Number(/idle_timeout\.timeout_seconds=(\d+)/.exec(attributes)?.[1] ?? ALB_DEFAULT_IDLE_TIMEOUT_SECONDS);
    expect(shutdownOf(objects, component).keepAlive).toBeGreaterThan(idle);
  });

  it('pins the HTTPS listener’s TLS policy to TLS 1.3 and 1.2 only', () => {
    expect(ingress.metadata.annotations?.['alb.ingress.kubernetes.io/ssl-policy']).toBe('ELBSecurityPolicy-TLS13-1-2-2021-06');
  });

  it('keeps the ALB from marking a target unhealthy sooner than Kubernetes takes it out of the Service', () => {
    for (const component of albBacked) {
      const annotations = annotationsOf(objects, 'Service', `pp-${component}`);
      const probe = container(objects, component).readinessProbe;
      const albSeconds = Number(annotations['alb.ingress.kubernetes.io/healthcheck-interval-seconds']) * Number(annotations['alb.ingress.kubernetes.io/unhealthy-threshold-count']);
      expect({ component, albSeconds }).toEqual({ component, albSeconds: expect.any(Number) });
      expect(albSeconds).toBeGreaterThanOrEqual(probe.periodSeconds * probe.failureThreshold);
    }
  });
});

describe.each(['values.yaml', ...albEnvironments])('drains and readiness with %s', (file) => {
  const objects = render(file === 'values.yaml' ? { values: { s3: { bucket: 'pixel-prompt-test' }, redis: { enabled: true } } } : { files: [file] });

  it.each(['gateway', 'gallery', 'generation'])('gives %s a grace period covering preStop, drain delay, drain deadline and a margin', (component) => {
    const { preStop, delay: drainDelay, timeout, grace } = shutdownOf(objects, component);
    expect(timeout).toBeGreaterThan(0);
    expect(grace).toBeGreaterThan(preStop + drainDelay + timeout);
  });

  it('stops generation at once: it serves no traffic through a load balancer (its HTTP is probes and scrapes)', () => {
    const { preStop, delay: drainDelay } = shutdownOf(objects, 'generation');
    expect({ preStop, drainDelay }).toEqual({ preStop: 0, drainDelay: 0 });
    expect(container(objects, 'generation').lifecycle).toBeUndefined();
    expect(envOf(objects, 'generation')['SHUTDOWN_DRAIN_DELAY_MS']).toBe('0');
  });

  it.each(['gateway', 'gallery'])(`lets %s ride out a ${TOLERATED_BLIP_SECONDS} s dependency blip without leaving its Service`, (component) => {
    const probe = container(objects, component).readinessProbe;
    expect(probe.periodSeconds * probe.failureThreshold).toBeGreaterThanOrEqual(TOLERATED_BLIP_SECONDS);
    // A probe answers within its own timeout: the readiness checks give up after 2 s (libs/service).
    expect(probe.timeoutSeconds).toBeGreaterThan(2);
    expect(container(objects, component).livenessProbe.httpGet.path).toBe('/health/live');
  });
});

it('takes per-Service annotations over the chart’s own, for any component', () => {
  const objects = render({
    files: ['values-prod.yaml'],
    values: {
      gateway: { service: { annotations: { 'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '15' } } },
      gallery: { service: { annotations: { 'example.com/owner': 'images' } } },
    },
  });
  expect(annotationsOf(objects, 'Service', 'pp-gateway')).toMatchObject({
    'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '15',
    'alb.ingress.kubernetes.io/healthcheck-path': '/health/ready',
  });
  expect(annotationsOf(objects, 'Service', 'pp-gallery')).toEqual({ 'example.com/owner': 'images' });
});

it('runs on Kubernetes versions with the preStop sleep action (on by default since 1.30), as the docs require', () => {
  const { kubeVersion } = parseYaml(readSource('deploy/helm/pixel-prompt/Chart.yaml')) as { kubeVersion: string };
  expect(kubeVersion).toBe('>=1.30.0-0');
  expect(readSource('docs/DEPLOYMENT.md')).toContain('Kubernetes ≥ 1.30');
});

/**
 * The readiness policy on the built gateway with a real Redis: a kubelet probing on the chart's
 * schedule sees a Redis blip, and the pod stays in its Service because the endpoint answers 200
 * again as soon as Redis does.
 */
describe('a Redis blip on the built gateway, probed as the kubelet does', () => {
  const prod = render({ files: ['values-prod.yaml'] });
  const probe = container(prod, 'gateway').readinessProbe;
  let redis: TestRedis;
  let gateway: RunningService;

  beforeAll(async () => {
    redis = await TestRedis.start();
    gateway = await startService('gateway', { REDIS_URL: redis.url });
  });

  /** Whether readiness answers 200 within the probe's timeout. */
  const ready = async () =>
    (await fetch(`${gateway.url}${probe.httpGet.path}`, { signal: AbortSignal.timeout(probe.timeoutSeconds * 1000) }).catch(() => undefined))?.status === 200;

  afterAll(async () => {
    await stopAllProcesses();
    await redis.dispose();
  });

  it('answers the ALB’s health check path with 200 once it is connected', async () => {
    const path = annotationsOf(prod, 'Service', 'pp-gateway')['alb.ingress.kubernetes.io/healthcheck-path'];
    expect(path).toBe(probe.httpGet.path);
    await waitFor(ready, { what: 'the gateway to be ready' });
    expect((await fetch(`${gateway.url}${path}`)).status).toBe(200);
  });

  it(`keeps the pod ready through a blip of two probe periods (${probe.periodSeconds * 2} s)`, async () => {
    await waitFor(ready, { what: 'the gateway to be ready' });
    let failuresInARow = 0;
    let mostInARow = 0;
    let failed = 0;
    await redis.stop();
    // The kubelet's schedule: one probe every periodSeconds. Redis comes back after the second failed probe.
    for (let tick = 0; tick < 12; tick++) {
      if (await ready()) {
        failuresInARow = 0;
        if (failed >= 2) break;
      } else {
        failuresInARow += 1;
        failed += 1;
        if (failed === 2) await redis.start();
      }
      mostInARow = Math.max(mostInARow, failuresInARow);
      await delay(probe.periodSeconds * 1000);
    }
    expect(failed).toBeGreaterThanOrEqual(2);
    expect(failuresInARow).toBe(0);
    expect(mostInARow).toBeLessThan(probe.failureThreshold);
  }, 120_000);
});
