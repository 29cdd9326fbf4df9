import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROFILES } from '../pixel-prompt/files/load-test/scenarios';
import { type K8sObject, type RenderOptions, chart, find, helm, minimal, parse, render, root, run, validate, valuesFile } from './support';

const K6_OPERATOR = ['--api-versions', 'k6.io/v1alpha1/TestRun'];
const BASE_URL = 'https://staging.pixel-prompt.example.com';
const copies = join(chart, 'files/load-test');

/** Renders with `loadTest` values on top of the minimal ones, as a cluster with (or without) the k6-operator would. */
function renderLoadTest(loadTest: object, apiVersions = K6_OPERATOR) {
  return helm('template', 'pp', chart, '--namespace', 'pixel', '-f', valuesFile({ ...minimal, loadTest }), ...apiVersions);
}

describe('load test in the cluster (k6-operator TestRun)', () => {
  it.each<[string, RenderOptions]>([
    ['values.yaml', { values: minimal }],
    ['values-dev.yaml', { files: ['values-dev.yaml'] }],
    ['values-staging.yaml', { files: ['values-staging.yaml'] }],
    ['values-prod.yaml', { files: ['values-prod.yaml'] }],
  ])('is off with %s', (_file, options) => {
    expect(render(options).filter((o) => o.metadata.name.endsWith('load-test'))).toEqual([]);
  });

  describe('switched on where the k6-operator serves TestRun', () => {
    let objects: K8sObject[];
    let rendered: string;

    beforeAll(() => {
      const result = renderLoadTest({ enabled: true, baseUrl: BASE_URL, profile: 'spike', parallelism: 2, arguments: '--out experimental-prometheus-rw', extraEnv: [{ name: 'K6_PROMETHEUS_RW_SERVER_URL', value: 'http://prometheus.monitoring:9090/api/v1/write' }] });
      expect(result.stderr).toBe('');
      rendered = result.stdout;
      objects = parse(rendered);
    });

    it('runs the script from the ConfigMap holding the chart\'s copies of tools/load', () => {
      const testRun = find(objects, 'TestRun', 'pp-load-test');
      const configMap = find(objects, 'ConfigMap', 'pp-load-test');
      expect(testRun.apiVersion).toBe('k6.io/v1alpha1');
      expect(testRun.spec.script).toEqual({ configMap: { name: 'pp-load-test', file: 'pixel-prompt.ts' } });
      expect(Object.keys(configMap.data ?? {}).sort()).toEqual(readdirSync(copies).sort());
      for (const [file, content] of Object.entries(configMap.data ?? {})) expect({ file, content }).toEqual({ file, content: readFileSync(join(copies, file), 'utf8') });
      expect(Object.keys(configMap.data ?? {})).toContain(testRun.spec.script.configMap.file);
    });

    it('passes the script what it reads from its environment, with the chosen profile, runners and arguments', () => {
      const { spec } = find(objects, 'TestRun', 'pp-load-test');
      expect(spec.parallelism).toBe(2);
      expect(spec.arguments).toBe('--tag testid=pp-r1 --out experimental-prometheus-rw');
      expect(spec.runner.image).toMatch(/^grafana\/k6:\d+\.\d+\.\d+$/);
      expect(spec.runner.env).toEqual([
        { name: 'BASE_URL', value: BASE_URL },
        { name: 'PROFILE', value: 'spike' },
        { name: 'K6_PROMETHEUS_RW_SERVER_URL', value: 'http://prometheus.monitoring:9090/api/v1/write' },
      ]);
      const script = readFileSync(join(copies, 'pixel-prompt.ts'), 'utf8');
      for (const { name } of spec.runner.env.slice(0, 2)) expect(script).toContain(`__ENV['${name}']`);
    });

    it('runs k6 under the restricted Pod Security profile', () => {
      const { runner } = find(objects, 'TestRun', 'pp-load-test').spec;
      expect(runner.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 12345, runAsGroup: 12345, seccompProfile: { type: 'RuntimeDefault' } });
      expect(runner.containerSecurityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    });

    it('renders the TestRun and its ConfigMap valid, strictly, against their schemas', () => {
      expect(validate(rendered)).toEqual({ validated: expect.arrayContaining(['ConfigMap/pp-load-test', 'TestRun/pp-load-test']), errors: [] });
    });

    it.each<[string, (spec: K8sObject['spec']) => void, string]>([
      ['a misspelt field', (spec) => (spec.runner.securityContext.runAsUsr = 1), 'unknown field spec.runner.securityContext.runAsUsr'],
      ['a field of the wrong type', (spec) => (spec.parallelism = '2'), 'TestRun.spec.parallelism must be a 32-bit integer'],
      ['a missing script', (spec) => delete spec.script, 'TestRun.spec.script is required'],
      ['a Kubernetes type inside it that is wrong', (spec) => (spec.runner.env[0].value = 1), 'TestRun.spec.runner.env[0]: data/value must be string'],
    ])('refuses a TestRun with %s', (_what, change, error) => {
      const testRun = structuredClone(find(objects, 'TestRun', 'pp-load-test'));
      change(testRun.spec);
      expect(validate(JSON.stringify(testRun)).errors).toEqual([`TestRun/pp-load-test: ${error}`]);
    });
  });

  it('refuses to render without the k6-operator, saying what to install', () => {
    const result = renderLoadTest({ enabled: true, baseUrl: BASE_URL }, []);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('loadTest.enabled needs the k6-operator: this cluster serves no k6.io/v1alpha1 TestRun');
  });

  it('refuses to render without the public URL to load', () => {
    const result = renderLoadTest({ enabled: true });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('loadTest.baseUrl must be the public URL the load goes through');
  });

  it('offers exactly the profiles the script knows', () => {
    const schema = JSON.parse(readFileSync(join(chart, 'values.schema.json'), 'utf8')) as { properties: { loadTest: { properties: { profile: { enum: string[] } } } } };
    expect(schema.properties.loadTest.properties.profile.enum).toEqual(Object.keys(PROFILES));
    const refused = renderLoadTest({ enabled: true, baseUrl: BASE_URL, profile: 'stress' });
    expect(refused.stderr).toContain('/loadTest/profile');
  });

  it('holds the current tools/load scripts (node tools/load/copy-to-chart.mjs refreshes them)', () => {
    const check = run(process.execPath, [join(root, 'tools/load/copy-to-chart.mjs'), '--check']);
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
