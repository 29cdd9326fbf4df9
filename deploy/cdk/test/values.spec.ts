import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { addEnvironments } from '../src/app';
import { CHART_DIR, WORKSPACE_ROOT, templateChart } from '../src/chart';
import { PROJECT_DIR, stackName } from '../src/config';
import { environment, environments } from '../src/environments';
import { type OutputsFile, OutputsError, chartValuesFromOutputs, valuesYaml } from '../src/outputs';
import { newApp, renderAsDeployed } from './support';

const SAMPLE = join(PROJECT_DIR, 'outputs.sample.json');
const sample = JSON.parse(readFileSync(SAMPLE, 'utf8')) as OutputsFile;
const names = ['dev', 'staging', 'prod'] as const;
const tmp = mkdtempSync(join(tmpdir(), 'pp-cdk-values-'));

function generatedValues(name: string): string {
  const file = join(tmp, `values-${name}-cloud.yaml`);
  writeFileSync(file, valuesYaml(environment(name), sample));
  return file;
}

function run(command: string, args: string[], input?: string) {
  return spawnSync(command, args, { cwd: WORKSPACE_ROOT, input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

describe('the recorded outputs (outputs.sample.json)', () => {
  it('hold exactly the outputs each stack declares', () => {
    const stacks = addEnvironments(newApp(), environments());
    for (const [name, stack] of stacks) {
      const declared = Object.keys(Template.fromStack(stack).findOutputs('*')).sort();
      expect({ name, keys: Object.keys(sample[stack.stackName] ?? {}).sort() }).toEqual({ name, keys: declared });
    }
  });
});

describe.each(names)('values from the %s outputs', (name) => {
  const env = environment(name);
  const outputs = sample[stackName(env)] ?? {};
  const file = generatedValues(name);

  it('pass helm lint --strict with the environment values', () => {
    const result = run('bash', [join(WORKSPACE_ROOT, 'tools/helm/helm.sh'), 'lint', '--strict', CHART_DIR, '-f', join(CHART_DIR, `values-${name}.yaml`), '-f', file]);
    expect(result.stdout + result.stderr).toContain('0 chart(s) failed');
    expect(result.status).toBe(0);
  });

  it('render objects the Kubernetes schemas accept', () => {
    const manifests = templateChart(env, file);
    const validation = run(process.execPath, [join(WORKSPACE_ROOT, 'tools/helm/validate-manifests.mjs')], manifests);
    const report = JSON.parse(validation.stdout) as { validated: string[]; errors: string[] };
    expect(report.errors).toEqual([]);
    expect(report.validated.length).toBeGreaterThan(10);
    expect(validation.status).toBe(0);
  });

  it('annotate each ServiceAccount with its role and point the services at the bucket', () => {
    const objects = renderAsDeployed(name, file);
    const accounts = objects.filter((o) => o.kind === 'ServiceAccount');
    expect(accounts).toHaveLength(4);
    for (const account of accounts) {
      const component = String(account.metadata.labels?.['app.kubernetes.io/component']);
      const annotations = (account.metadata as { annotations?: Record<string, string> }).annotations;
      expect(annotations?.['eks.amazonaws.com/role-arn']).toBe(outputs[`${component.charAt(0).toUpperCase()}${component.slice(1)}RoleArn`]);
    }
    for (const component of ['generation', 'gallery']) {
      const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `pixel-prompt-${component}`);
      const env = Object.fromEntries((deployment?.spec?.template?.spec?.containers?.[0]?.env ?? []).map((e) => [e.name, e.value]));
      expect(env).toMatchObject({ S3_BUCKET: outputs['ImagesBucketName'], S3_REGION: outputs['Region'], S3_FORCE_PATH_STYLE: 'false' });
      expect(env).not.toHaveProperty('S3_ENDPOINT');
    }
  });
});

describe('prod values', () => {
  it('make gateway and gallery sign links for the CDN with the stack key pair', () => {
    const objects = renderAsDeployed('prod', generatedValues('prod'));
    for (const component of ['gateway', 'gallery']) {
      const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `pixel-prompt-${component}`);
      const env = Object.fromEntries((deployment?.spec?.template?.spec?.containers?.[0]?.env ?? []).map((e) => [e.name, e.value]));
      expect(env).toMatchObject({
        CDN_BASE_URL: sample['pixel-prompt-prod']?.['CdnBaseUrl'],
        CLOUDFRONT_KEY_PAIR_ID: sample['pixel-prompt-prod']?.['CdnKeyPairId'],
        CLOUDFRONT_PRIVATE_KEY_FILE: expect.stringMatching(/\.pem$/),
      });
    }
  });

  it('say where REDIS_URL comes from, without any secret', () => {
    const yaml = valuesYaml(environment('prod'), sample);
    expect(yaml).toContain('# REDIS_URL is Secrets Manager secret pixel-prompt-prod/redis-url');
    expect(parse(yaml)).not.toHaveProperty('secrets');
  });
});

describe('values-from-outputs', () => {
  const command = join(PROJECT_DIR, 'bin/values-from-outputs.cjs');

  it('prints the values file for helm -f', () => {
    const result = run(process.execPath, [command, 'staging', SAMPLE]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(valuesYaml(environment('staging'), sample));
    expect(parse(result.stdout)).toEqual(chartValuesFromOutputs(environment('staging'), sample));
  });

  it('fails with a reason when a stack or an output is missing', () => {
    const partial = join(tmp, 'partial.json');
    const { CdnKeyPairId: _dropped, ...rest } = sample['pixel-prompt-prod'] ?? {};
    writeFileSync(partial, JSON.stringify({ 'pixel-prompt-prod': rest }));
    const missingOutput = run(process.execPath, [command, 'prod', partial]);
    expect(missingOutput.status).toBe(1);
    expect(missingOutput.stderr).toBe('values-from-outputs: stack pixel-prompt-prod has no output CdnKeyPairId: deploy it with this version of deploy/cdk first\n');
    const missingStack = run(process.execPath, [command, 'dev', partial]);
    expect(missingStack.status).toBe(1);
    expect(missingStack.stderr).toContain('no outputs of stack pixel-prompt-dev in the file (it has: pixel-prompt-prod)');
    expect(run(process.execPath, [command]).status).toBe(2);
  });

  it('refuses outputs without any role', () => {
    expect(() => chartValuesFromOutputs(environment('dev'), { 'pixel-prompt-dev': { Region: 'eu-west-1', ImagesBucketName: 'b' } })).toThrow(OutputsError);
  });
});
