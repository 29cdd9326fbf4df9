import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type K8sObject, type Site, CRD_APIS, chart, find, minimal, ofKind, render, root, run, startSite, template, validate } from './support';

/** What makes the chart safe to install and operate: guards, strict validation, docs, rotation, helm test. */

describe('CRD guards', () => {
  it.each([
    ['metrics.serviceMonitor.enabled', { metrics: { serviceMonitor: { enabled: true } } }, 'monitoring.coreos.com/v1/ServiceMonitor'],
    ['metrics.prometheusRule.enabled', { metrics: { prometheusRule: { enabled: true } } }, 'monitoring.coreos.com/v1/PrometheusRule'],
    ['generation.autoscaling.keda.enabled', { generation: { autoscaling: { keda: { enabled: true, prometheusAddress: 'http://prometheus:9090' } } } }, 'keda.sh/v1alpha1/ScaledObject'],
  ])('%s fails the render with a clear message when the cluster lacks the CRD', (setting, values, api) => {
    const missing = template({ values: { ...minimal, ...values }, apis: CRD_APIS.filter((a) => a !== api) });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain(`${setting} needs ${api}, which this cluster does not serve`);
    expect(template({ values: { ...minimal, ...values } }).status).toBe(0);
  });

  it('refuses alert rules for a release missing one of the services they watch', () => {
    const result = template({ values: { ...minimal, gallery: { enabled: false }, metrics: { prometheusRule: { enabled: true } } } });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('but gallery.enabled is false');
  });
});

describe('strict validation of every rendered object', () => {
  const objects = render({ files: ['values-prod.yaml'] });
  const keda = render({ values: { ...minimal, generation: { autoscaling: { keda: { enabled: true, prometheusAddress: 'http://prometheus:9090' } } } } });

  /** Validates one object after `change`; returns the validator's errors. */
  function errorsAfter(object: K8sObject, change: (o: K8sObject) => void): string[] {
    const copy = structuredClone(object);
    change(copy);
    return validate(JSON.stringify(copy)).errors;
  }

  it('accepts the objects as rendered, the KEDA ScaledObject included', () => {
    expect(validate(JSON.stringify(find(objects, 'Deployment', 'pp-gateway'))).errors).toEqual([]);
    expect(validate(JSON.stringify(find(keda, 'ScaledObject', 'pp-generation')))).toEqual({ validated: ['ScaledObject/pp-generation'], errors: [] });
  });

  it.each([
    ['a misspelt maxSurge', 'Deployment', 'pp-gateway', (o: K8sObject) => (o.spec.strategy.rollingUpdate.maxSurg = 1), 'spec.strategy.rollingUpdate.maxSurg'],
    ['a misspelt limits', 'Deployment', 'pp-gateway', (o: K8sObject) => (o.spec.template.spec.containers[0].resources.limts = {}), 'spec.template.spec.containers[0].resources.limts'],
    ['a field of the wrong object', 'Service', 'pp-web', (o: K8sObject) => (o.spec.replicas = 2), 'spec.replicas'],
    ['a misspelt ServiceMonitor field', 'ServiceMonitor', 'pp-gateway', (o: K8sObject) => (o.spec.endpoints[0].intervall = '5s'), 'spec.endpoints[0].intervall'],
    ['a misspelt PrometheusRule field', 'PrometheusRule', 'pp', (o: K8sObject) => (o.spec.groups[0].rules[0].fore = '5m'), 'spec.groups[0].rules[0].fore'],
  ])('refuses %s', (_what, kind, name, change, field) => {
    expect(errorsAfter(find(objects, kind, name), change)).toEqual([`${kind}/${name}: unknown field ${field}`]);
  });

  it('refuses a misspelt ScaledObject field', () => {
    const errors = errorsAfter(find(keda, 'ScaledObject', 'pp-generation'), (o) => (o.spec.triggers[0].metdata = {}));
    expect(errors).toEqual(['ScaledObject/pp-generation: unknown field spec.triggers[0].metdata']);
  });

  it('takes any key where the kind has a map: labels, annotations, ConfigMap data', () => {
    const service = find(objects, 'Service', 'pp-gateway');
    expect(errorsAfter(service, (o) => (o.metadata.annotations = { 'any.example.com/key': 'v' }))).toEqual([]);
    expect(errorsAfter(find(objects, 'ConfigMap', 'pp-web-config'), (o) => (o.data = { 'another.json': '{}' }))).toEqual([]);
  });
});

describe('secret rotation', () => {
  it('annotates the Deployments that read an existing Secret for Stakater Reloader, and only those', () => {
    const objects = render({ files: ['values-prod.yaml'] });
    const reloads = Object.fromEntries(
      ofKind(objects, 'Deployment').map((d) => [d.metadata.name, d.metadata.annotations?.['secret.reloader.stakater.com/reload']]),
    );
    expect(reloads).toEqual({ 'pp-gateway': 'pixel-prompt-prod', 'pp-generation': 'pixel-prompt-prod', 'pp-gallery': 'pixel-prompt-prod', 'pp-web': undefined });
    // No checksum of a Secret the chart does not render: it would never change.
    for (const d of ofKind(objects, 'Deployment')) expect(d.spec.template.metadata.annotations).not.toHaveProperty('checksum/secret');
  });

  it('rolls the pods through a checksum when the chart creates the Secret', () => {
    const checksum = (redisUrl: string) =>
      find(render({ values: { s3: { bucket: 'pixel-prompt-test' }, secrets: { redisUrl } } }), 'Deployment', 'pp-gateway').spec.template.metadata.annotations['checksum/secret'];
    expect(checksum('redis://a:6379')).not.toBe(checksum('redis://b:6379'));
  });
});

describe('Prometheus selection labels', () => {
  it.each(['values-staging.yaml', 'values-prod.yaml'])('labels the ServiceMonitors and the PrometheusRule of %s for kube-prometheus-stack', (file) => {
    const objects = render({ files: [file] });
    const selected = [...ofKind(objects, 'ServiceMonitor'), ...ofKind(objects, 'PrometheusRule')];
    expect(selected).toHaveLength(4);
    for (const o of selected) expect({ name: `${o.kind}/${o.metadata.name}`, release: o.metadata.labels?.['release'] }).toEqual({ name: `${o.kind}/${o.metadata.name}`, release: 'kube-prometheus-stack' });
  });
});

describe('the chart README', () => {
  it('has the values table values.yaml describes', () => {
    const result = run(process.execPath, [join(root, 'tools/helm/values-docs.mjs'), '--check']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const readme = readFileSync(join(chart, 'README.md'), 'utf8');
    expect(readme).toContain('| `global.drain.preStopSeconds` | int | `5` | preStop sleep before SIGTERM');
    expect(readme).toContain('| `ingress.alb.sslPolicy` | string | `"ELBSecurityPolicy-TLS13-1-2-2021-06"` |');
  });

  it('is found stale when a value or its comment changes', () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'pp-chart-')), 'pixel-prompt');
    cpSync(chart, copy, { recursive: true });
    const values = join(copy, 'values.yaml');
    writeFileSync(values, readFileSync(values, 'utf8').replace('preStopSeconds: 5', 'preStopSeconds: 7'));
    const result = run(process.execPath, [join(root, 'tools/helm/values-docs.mjs'), '--check'], undefined, { CHART_DIR: copy });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('README.md is out of date with values.yaml');
  });
});

/** `helm test`: the hook Pod's own script, run against the built gateway and the web server. */
describe('helm test', () => {
  const pod = find(render({ files: ['values-prod.yaml'] }), 'Pod', 'pp-smoke-test');
  const script = pod.spec.containers[0];
  let site: Site;

  beforeAll(async () => {
    site = await startSite();
  });

  afterAll(() => site?.stop());

  /** Runs the hook's command with its URLs pointed at the local processes. */
  function smoke(): { status: number | null; stdout: string } {
    const urls = String(script.env.find((e: { name: string }) => e.name === 'SMOKE_URLS').value)
      .replace(/http:\/\/pp-gateway:\d+/, site.gateway.url)
      .replace(/http:\/\/pp-web:\d+/, site.url);
    const [command, ...args] = script.command as string[];
    return run(command === 'node' ? process.execPath : String(command), args, undefined, { SMOKE_URLS: urls });
  }

  it('is a test hook on the gateway image asking the gateway’s readiness and the web’s start page through their Services', () => {
    expect(pod.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'test' });
    expect(script.image).toBe(find(render({ files: ['values-prod.yaml'] }), 'Deployment', 'pp-gateway').spec.template.spec.containers[0].image);
    expect(script.env).toEqual([{ name: 'SMOKE_URLS', value: 'http://pp-gateway:3000/health/ready http://pp-web:8080/' }]);
  });

  it('passes when both answer 200', () => {
    const result = smoke();
    expect(result.stdout).toContain('200 ');
    expect(result.status).toBe(0);
  });

  it('fails when the gateway is not ready', async () => {
    await site.redis.stop();
    const result = smoke();
    expect(result.stdout).toContain('503 ');
    expect(result.status).toBe(1);
    await site.redis.start();
  });
});
