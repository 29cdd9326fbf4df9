import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@pixel-prompt/testing';
import { parse as parseYaml, stringify } from 'yaml';
import { type K8sObject, find, parse, readSource, root, run, valuesFile } from './support';

const deploy = (...args: string[]) => run('bash', [join(root, 'tools/deploy/deploy.sh'), ...args]);
const deployWith = (kubeconfig: string, ...args: string[]) => run('bash', [join(root, 'tools/deploy/deploy.sh'), ...args], undefined, { KUBECONFIG: kubeconfig });

type Environment = { kubeContext: string; release: string; namespace: string; url: string };
const environments = parseYaml(readSource('deploy/helm/environments.yaml')) as Record<string, Environment>;

/**
 * A real kubeconfig: one cluster per environment context (and a stranger's), all on a loopback port
 * nothing listens on, so a command that gets past the guard fails at its first request.
 */
async function kubeconfig(currentContext: string | null): Promise<string> {
  const server = `https://127.0.0.1:${await freePort()}`;
  const names = [...Object.values(environments).map((e) => e.kubeContext), 'someone-elses-cluster'];
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: names.map((name, i) => ({ name: `cluster-${i}`, cluster: { server, 'insecure-skip-tls-verify': true } })),
    users: [{ name: 'deployer', user: {} }],
    contexts: names.map((name, i) => ({ name, context: { cluster: `cluster-${i}`, user: 'deployer' } })),
    ...(currentContext === null ? {} : { 'current-context': currentContext }),
  };
  const file = join(mkdtempSync(join(tmpdir(), 'pp-kubeconfig-')), 'config');
  writeFileSync(file, stringify(config));
  return file;
}

const env = (name: string): Environment => {
  const found = environments[name];
  if (!found) throw new Error(`no ${name} in environments.yaml`);
  return found;
};

/** The value of a container variable in a rendered Deployment. */
function variable(objects: K8sObject[], deployment: string, name: string): string | undefined {
  const container = find(objects, 'Deployment', deployment).spec.template.spec.containers[0] as { env: { name: string; value?: string }[] };
  return container.env.find((e) => e.name === name)?.value;
}

describe('tools/deploy/deploy.sh --dry-run', () => {
  it.each(['dev', 'staging', 'prod'])('lints, renders and validates %s without a cluster, as environments.yaml places it', (name) => {
    const result = deploy(name, '--dry-run');
    expect(result.stderr).toContain('0 chart(s) failed');
    expect(result.stderr).toContain(`renders valid objects; nothing was applied`);
    expect(result.status).toBe(0);
    // The manifests on stdout: every object named after the release, in the namespace.
    const objects = parse(result.stdout).filter((o) => o.kind !== 'Pod');
    expect(objects.length).toBeGreaterThan(10);
    for (const o of objects) {
      const { name: objectName, namespace } = o.metadata as { name: string; namespace?: string };
      expect({ objectName, namespace }).toEqual({ objectName: expect.stringMatching(new RegExp(`^${env(name).release}`)), namespace: env(name).namespace });
    }
  });

  it('stops before applying when the values are invalid', () => {
    const result = deploy('prod', '--dry-run', '-f', valuesFile({ gateway: { port: 'http' } }));
    expect(result.status).not.toBe(0);
    expect(result.stderr).not.toContain('nothing was applied');
  });

  it('refuses an unknown environment', () => {
    const result = deploy('qa', '--dry-run');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown environment: qa');
  });

  it('needs no kube context at all', async () => {
    const result = deployWith(await kubeconfig(null), 'prod', '--dry-run');
    expect(result.status).toBe(0);
  });

  it('validates the load test’s TestRun with the rest', () => {
    const result = deploy('staging', '--dry-run', '-f', valuesFile({ loadTest: { enabled: true, baseUrl: env('staging').url } }));
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('"TestRun/pixel-prompt-load-test"');
  });
});

describe('tools/deploy/deploy.sh --cloud-outputs (the recorded CDK outputs, deploy/cdk/outputs.sample.json)', () => {
  const outputsFile = join(root, 'deploy/cdk/outputs.sample.json');
  const outputs = JSON.parse(readSource('deploy/cdk/outputs.sample.json')) as Record<string, Record<string, string>>;
  const prod = outputs['pixel-prompt-prod'] ?? {};

  it('puts the stack’s values after values-ENV.yaml: its roles and key pair win over the file’s', () => {
    const result = deploy('prod', '--dry-run', '--cloud-outputs', outputsFile);
    expect(result.status).toBe(0);
    const objects = parse(result.stdout);
    expect(find(objects, 'ServiceAccount', 'pixel-prompt-web').metadata.annotations?.['eks.amazonaws.com/role-arn']).toBe(prod['WebRoleArn']);
    expect(variable(objects, 'pixel-prompt-gateway', 'CLOUDFRONT_KEY_PAIR_ID')).toBe(prod['CdnKeyPairId']);
    expect(parseYaml(readSource('deploy/helm/pixel-prompt/values-prod.yaml')).cdn.keyPairId).not.toBe(prod['CdnKeyPairId']);
  });

  it('and before the -f files, which win over it', () => {
    const result = deploy('prod', '--dry-run', '-f', valuesFile({ cdn: { keyPairId: 'KOVERRIDDEN0001' } }), '--cloud-outputs', outputsFile);
    expect(result.status).toBe(0);
    expect(variable(parse(result.stdout), 'pixel-prompt-gateway', 'CLOUDFRONT_KEY_PAIR_ID')).toBe('KOVERRIDDEN0001');
  });

  it('refuses outputs that lack the environment’s stack, before any check', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pp-outputs-')), 'outputs.json');
    writeFileSync(file, JSON.stringify({ 'pixel-prompt-prod': prod }));
    const result = deploy('staging', '--dry-run', '--cloud-outputs', file);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('no outputs of stack pixel-prompt-staging in the file');
    expect(result.stderr).not.toContain('== helm lint');
  });
});

describe('tools/deploy/deploy.sh arguments', () => {
  it.each([
    [['--dry-run', '--diff'], 'choose one of --dry-run, --server-dry-run, --diff and --verify'],
    [['--dryrun'], 'unknown option: --dryrun'],
    [['--release', 'pp'], 'refusing --release pp: deploy/helm/environments.yaml installs prod as pixel-prompt, and the IAM roles trust only its service accounts'],
    [['--dry-run', '--prometheus', 'http://prometheus:9090'], '--prometheus is for the release check: only with an upgrade or --verify'],
    [['--diff', '--report', 'report.md'], '--report is for the release check: only with an upgrade or --verify'],
    [['--prometheus', 'prometheus:9090'], '--prometheus must be an http(s) URL'],
    [['--server-dry-run', '--rollback-on-failed-check'], '--rollback-on-failed-check only goes with an upgrade'],
    [['--verify', '--rollback-on-failed-check'], '--rollback-on-failed-check only goes with an upgrade'],
    [['--verify', '--cloud-outputs', 'outputs.json'], '--verify checks the live release: it takes no values'],
  ])('refuses %j before anything else', (args, message) => {
    const result = deploy('prod', ...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('release-check:');
    expect(result.stderr).not.toContain('== helm lint');
  });

  it('takes the release environments.yaml names', () => {
    expect(deploy('prod', '--dry-run', '--release', env('prod').release).status).toBe(0);
  });
});

describe('tools/deploy/deploy.sh against a cluster (a real kubeconfig, no API server)', () => {
  it.each([[[]], [['--server-dry-run']], [['--diff']], [['--verify']]])('refuses another environment’s kube context before doing anything %j', async (mode: string[]) => {
    const result = deployWith(await kubeconfig(env('staging').kubeContext), 'prod', ...mode);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`release-check: refusing: the kubeconfig's current context is "${env('staging').kubeContext}", not "${env('prod').kubeContext}"`);
    expect(result.stderr).toContain(`refusing: prod is deployed from kube context '${env('prod').kubeContext}'`);
    expect(result.stderr).not.toContain('== helm lint');
    expect(result.stderr).not.toContain('== release check');
  });

  it('refuses when no kube context is set', async () => {
    const result = deployWith(await kubeconfig(null), 'staging');
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('the kubeconfig\'s current context is "(none)"');
  });

  it('with the right context, checks the chart, then upgrades in that context and namespace; a failed upgrade is not checked', async () => {
    const result = deployWith(await kubeconfig(env('prod').kubeContext), 'prod', '--rollback-on-failed-check', '--prometheus', 'http://prometheus.monitoring:9090');
    expect(result.stderr).toContain(`release-check: kube context is ${env('prod').kubeContext}`);
    expect(result.stderr).toContain('0 chart(s) failed');
    expect(result.stderr).toContain(`== helm upgrade --install pixel-prompt (${env('prod').kubeContext}, pixel-prompt-prod)`);
    // No API server listens: the upgrade's first request fails, and nothing runs after it.
    expect(result.stderr).toMatch(/connection refused/);
    expect(result.stderr).not.toContain('== release check');
    expect(result.stderr).not.toContain('rollback');
    expect(result.status).not.toBe(0);
  });

  it.each([
    ['--server-dry-run', '== server dry run in'],
    ['--diff', '== diff of pixel-prompt in'],
  ])('%s asks the cluster, and fails when it cannot be reached', async (mode, heading) => {
    const result = deployWith(await kubeconfig(env('staging').kubeContext), 'staging', mode);
    expect(result.stderr).toContain(heading);
    expect(result.stderr).toMatch(/connection refused/);
    expect(result.stderr).not.toContain('nothing was applied');
    expect(result.stderr).not.toContain('no release pixel-prompt yet');
    expect(result.status).not.toBe(0);
  });

  it('--verify runs the release check of the environment in its context, through its public URL, and writes the report where asked', async () => {
    const report = join(mkdtempSync(join(tmpdir(), 'pp-report-')), 'dev.md');
    const result = deployWith(await kubeconfig(env('dev').kubeContext), 'dev', '--verify', '--report', report);
    expect(result.stderr).toContain(`== release check of pixel-prompt (${env('dev').kubeContext}, pixel-prompt-dev) through ${env('dev').url}`);
    expect(result.stderr).toContain(`== release check report: ${report}`);
    expect(result.status).toBe(1);
    const markdown = readFileSync(report, 'utf8');
    expect(markdown).toContain(`| Kube context | ${env('dev').kubeContext} |`);
    // The cluster cannot be asked, and the public URL does not answer: both named as failures.
    expect(markdown).toMatch(/\| kubernetes checks \| \*\*FAIL\*\* \| .*ECONNREFUSED/);
    expect(markdown).toMatch(/\| Web app \| \*\*FAIL\*\* \| .*pixel-prompt\.dev\.localhost/);
    expect(result.stderr).not.toContain('rollback');
  });
});
