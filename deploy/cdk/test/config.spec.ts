import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { BEDROCK_DEFAULT_ENHANCER_MODEL, BEDROCK_DEFAULT_REGION, WORKSPACE_ROOT } from '../src/chart';
import { EnvironmentConfigError, type EnvironmentInput, PROJECT_DIR, parseEnvironment } from '../src/config';
import { ENVIRONMENT_INPUTS, environment, environments } from '../src/environments';

const prod = ENVIRONMENT_INPUTS.prod;
const tmp = mkdtempSync(join(tmpdir(), 'pp-cdk-config-'));

function problems(input: EnvironmentInput): string {
  try {
    parseEnvironment(input);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvironmentConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

function keyFile(name: string, pem: string): string {
  const file = join(tmp, `${name}.pub.pem`);
  writeFileSync(file, pem);
  return relative(PROJECT_DIR, file);
}

describe('environment configuration', () => {
  it('the three environments are valid, each with the release and namespace deploy.sh installs it to', () => {
    const deployed = parseYaml(readFileSync(join(WORKSPACE_ROOT, 'deploy/helm/environments.yaml'), 'utf8')) as Record<string, { release: string; namespace: string }>;
    expect(environments().map((e) => [e.name, e.chart])).toEqual(Object.entries(deployed).map(([name, { release, namespace }]) => [name, { release, namespace }]));
    expect(environments().map((e) => e.chart.namespace)).toEqual(['pixel-prompt-dev', 'pixel-prompt-staging', 'pixel-prompt-prod']);
    // An entry missing there (or a name Kubernetes refuses) stops synth.
    const missing = problems({ ...prod, chart: { release: '', namespace: 'Pixel_Prompt' } });
    for (const path of ['chart.release', 'chart.namespace']) expect(missing).toContain(`${path} `);
    expect(() => environment('qa')).toThrow('unknown environment: qa (dev, staging, prod)');
  });

  it('prod can never be configured to delete its data with the stack', () => {
    expect(problems({ ...prod, removal: 'destroy' })).toContain('removal prod data is never deleted with its stack');
  });

  it('a custom domain needs its certificate, and CloudFront reads certificates only in us-east-1', () => {
    const cdn = prod.cdn ?? { webOrigins: [] };
    expect(problems({ ...prod, cdn: { ...cdn, certificateArn: undefined } })).toContain('domainName and certificateArn go together');
    expect(problems({ ...prod, cdn: { ...cdn, certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9' } })).toContain(
      'cdn.certificateArn must be an ACM certificate ARN in us-east-1',
    );
  });

  it('signing keys must be RSA 2048 public keys, as CloudFront requires', () => {
    const cdn = prod.cdn ?? { webOrigins: [] };
    const signing = (file: string) => ({ ...prod, cdn: { ...cdn, signing: { publicKeyFiles: [file], privateKeySecretKey: 'k' } } });
    const rsa4096 = generateKeyPairSync('rsa', { modulusLength: 4096 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(problems(signing(keyFile('big', rsa4096)))).toContain('must hold an RSA 2048 public key');
    expect(problems(signing(keyFile('ec', ec)))).toContain('must hold an RSA 2048 public key');
    expect(problems(signing('keys/missing.pub.pem'))).toContain('cannot read keys/missing.pub.pem');
  });

  it('names every problem with its path', () => {
    const message = problems({ ...prod, account: '12345', images: { bucketName: 'Pixel_Prompt' }, redis: { ...prod.redis, vpcId: 'vpc', clientSecurityGroupIds: [] } as never });
    expect(message).toMatch(/^Invalid configuration of environment prod: /);
    for (const path of ['account', 'images.bucketName', 'redis.vpcId', 'redis.clientSecurityGroupIds']) expect(message).toContain(`${path} `);
  });

  it('Redis OSS gets its own default version, and versions without a <engine><major> parameter family are refused', () => {
    const redis = prod.redis ?? { vpcId: '', clientSecurityGroupIds: [], nodeType: '' };
    expect(parseEnvironment({ ...prod, redis: { ...redis, engine: 'redis' } }).redis).toMatchObject({ engine: 'redis', engineVersion: '7.1' });
    expect(problems({ ...prod, redis: { ...redis, engine: 'redis', engineVersion: '6.2' } })).toContain('redis.engineVersion must be Valkey 7.2 or later, or Redis OSS 7.x');
  });

  it('takes the OIDC issuer with or without https://', () => {
    expect(parseEnvironment({ ...prod, oidcIssuer: `https://${prod.oidcIssuer}` }).oidcIssuer).toBe(prod.oidcIssuer);
  });
});

describe('defaults shared with the services', () => {
  const source = (path: string) => readFileSync(join(WORKSPACE_ROOT, path), 'utf8');

  it("are the Bedrock callers' own: the model region, the enhancer's region and model", () => {
    expect(/const DEFAULT_REGION = '([^']+)'/.exec(source('libs/providers/src/lib/bedrock-provider.ts'))?.[1]).toBe(BEDROCK_DEFAULT_REGION);
    expect(/AWS_REGION: .*\.default\('([^']+)'\)/.exec(source('apps/gateway/src/config.ts'))?.[1]).toBe(BEDROCK_DEFAULT_REGION);
    expect(/BEDROCK_ENHANCER_MODEL = '([^']+)'/.exec(source('libs/prompts/src/lib/enhancers/llm-enhancers.ts'))?.[1]).toBe(BEDROCK_DEFAULT_ENHANCER_MODEL);
  });
});
