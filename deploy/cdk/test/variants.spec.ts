import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stringify } from 'yaml';
import { type ChartFacts, chartFacts } from '../src/chart';
import { type EnvironmentInput, PROJECT_DIR } from '../src/config';
import { OUTPUT } from '../src/outputs';
import { ENVIRONMENT_INPUTS, flatten, list, newApp, renderAsDeployed, roleOf, stackTemplate, statements } from './support';

const prodInput = ENVIRONMENT_INPUTS.prod;
const prodFacts = chartFacts(renderAsDeployed('prod'));
const tmp = mkdtempSync(join(tmpdir(), 'pp-cdk-'));

function nagFindings(stack: Stack): string[] {
  return new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName);
}

/** A fresh RSA 2048 public key file, named as the configuration names keys (path relative to deploy/cdk). */
function publicKeyFile(name: string): string {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const file = join(tmp, `${name}.pub.pem`);
  writeFileSync(file, publicKey.export({ type: 'spki', format: 'pem' }));
  return relative(PROJECT_DIR, file);
}

function valuesFile(values: unknown): string {
  const file = join(mkdtempSync(join(tmp, 'values-')), 'values.yaml');
  writeFileSync(file, stringify(values));
  return file;
}

describe('images encrypted with a KMS key', () => {
  const input: EnvironmentInput = { ...prodInput, images: { ...prodInput.images, encryption: 'kms' } };
  const { stack, template, env } = stackTemplate(input, prodFacts);
  const keyId = () => Object.keys(template.findResources('AWS::KMS::Key'))[0] ?? '';

  it('the bucket uses its own rotated key, with S3 bucket keys', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: env.images.bucketName,
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId(), 'Arn'] } } }],
      },
    });
  });

  it('the key lets this distribution alone decrypt', () => {
    const distribution = Object.keys(template.findResources('AWS::CloudFront::Distribution'))[0];
    const cloudfront = statements(template).filter(({ type, statement }) => type === 'AWS::KMS::Key' && JSON.stringify(statement.Principal).includes('cloudfront'));
    expect(cloudfront.map(({ statement }) => [statement.Action, flatten(statement.Condition?.['StringEquals']?.['AWS:SourceArn'])])).toEqual([
      ['kms:Decrypt', `arn:aws:cloudfront::${env.account}:distribution/<${distribution}>`],
    ]);
  });

  it("the key's only broad grant is the account's own (CDK's default), so IAM policies decide who uses it", () => {
    const broad = statements(template).filter(({ type, statement }) => type === 'AWS::KMS::Key' && list(statement.Action).some((a) => a.includes('*')));
    expect(broad.map(({ statement }) => [statement.Action, flatten((statement.Principal as { AWS: unknown }).AWS)])).toEqual([
      ['kms:*', `arn:aws:iam::${env.account}:root`],
    ]);
  });

  it('generation may create data keys and the gallery decrypt, with this key only', () => {
    const kmsOf = (component: string) =>
      roleOf(template, env, component)
        .policy.filter((s) => String(s.Action).startsWith('kms:'))
        .map((s) => [s.Action, list(s.Resource).map(flatten)]);
    expect(kmsOf('generation')).toEqual([['kms:GenerateDataKey', [`<${keyId()}.Arn>`]]]);
    expect(kmsOf('gallery')).toEqual([['kms:Decrypt', [`<${keyId()}.Arn>`]]]);
  });

  it('passes cdk-nag', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('CloudFront without a custom domain, signing or logs', () => {
  const input: EnvironmentInput = { ...ENVIRONMENT_INPUTS.staging, cdn: { webOrigins: ['https://staging.pixel-prompt.example.com'] } };
  const { stack, template } = stackTemplate(input, prodFacts);

  it('links to the distribution\'s own domain, trusts no key group and writes no logs', () => {
    const [id, distribution] = Object.entries(template.findResources('AWS::CloudFront::Distribution'))[0] ?? [];
    const config = (distribution as { Properties: { DistributionConfig: Record<string, unknown> } }).Properties.DistributionConfig;
    expect(config['Aliases']).toBeUndefined();
    expect(config['Logging']).toBeUndefined();
    expect(config['DefaultCacheBehavior']).not.toHaveProperty('TrustedKeyGroups');
    expect(config['HttpVersion']).toBe('http2and3');
    expect(flatten(template.findOutputs(OUTPUT.cdnBaseUrl)[OUTPUT.cdnBaseUrl]?.['Value'])).toBe(`https://<${id}.DomainName>`);
    expect(template.findOutputs(OUTPUT.cdnKeyPairId)).toEqual({});
  });

  it('passes cdk-nag, each gap acknowledged for what this configuration lacks', () => {
    expect(nagFindings(stack)).toEqual([]);
    const acknowledged = stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').flatMap((m) => Object.keys(m.data)));
    expect(acknowledged).toEqual(expect.arrayContaining(['Annotation::AwsSolutions-CFR3', 'Annotation::AwsSolutions-CFR4']));
  });
});

describe('signing key rotation', () => {
  const files = [publicKeyFile('old'), publicKeyFile('new')];
  const input: EnvironmentInput = { ...prodInput, cdn: { ...prodInput.cdn, webOrigins: ['https://a.example.com'], signing: { publicKeyFiles: files, privateKeySecretKey: 'k' } } };
  const { template } = stackTemplate(input, prodFacts);

  it('keeps both keys in the key group and signs with the newest', () => {
    const keys = template.findResources('AWS::CloudFront::PublicKey');
    expect(Object.keys(keys)).toHaveLength(2);
    const [group] = Object.values(template.findResources('AWS::CloudFront::KeyGroup'));
    expect((group as { Properties: { KeyGroupConfig: { Items: unknown[] } } }).Properties.KeyGroupConfig.Items).toHaveLength(2);
    const newest = Object.entries(keys).find(([, k]) => JSON.stringify(k).includes('prod: new'))?.[0];
    expect(template.findOutputs(OUTPUT.cdnKeyPairId)[OUTPUT.cdnKeyPairId]).toMatchObject({ Value: { Ref: newest } });
  });
});

describe('Bedrock models from the chart', () => {
  const bedrock = valuesFile({
    modelRegistry: {
      enabled: true,
      models: [
        { id: 'sd', displayName: 'SD 3.5', provider: 'bedrock', providerModel: 'stability.sd3-5-large-v1:0', options: { region: 'us-west-2' } },
        { id: 'canvas', displayName: 'Canvas', provider: 'bedrock', providerModel: 'amazon.nova-canvas-v1:0' },
        { id: 'titan', displayName: 'Titan', provider: 'bedrock', providerModel: 'amazon.titan-image-generator-v2:0', enabled: false },
        { id: 'aurora', displayName: 'Aurora', provider: 'local', providerModel: 'aurora' },
      ],
    },
    gateway: { config: { ENHANCER: 'bedrock', AWS_REGION: 'eu-central-1' } },
  });
  const facts = chartFacts(renderAsDeployed('prod', bedrock));
  const { stack, template, env } = stackTemplate(prodInput, facts);
  const invoke = (component: string) =>
    roleOf(template, env, component)
      .policy.filter((s) => s.Action === 'bedrock:InvokeModel')
      .flatMap((s) => list(s.Resource).map(flatten));

  it('generation may invoke exactly the enabled Bedrock models of the registry, in their regions', () => {
    expect(invoke('generation').sort()).toEqual([
      'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-canvas-v1:0',
      'arn:aws:bedrock:us-west-2::foundation-model/stability.sd3-5-large-v1:0',
    ]);
  });

  it("the gateway may invoke its enhancer's model in its region, and nothing else", () => {
    expect(invoke('gateway')).toEqual(['arn:aws:bedrock:eu-central-1::foundation-model/amazon.nova-lite-v1:0']);
    expect(roleOf(template, env, 'gateway').policy).toHaveLength(1);
    expect(nagFindings(stack)).toEqual([]);
  });

  it('refuses an inference profile, whose regions its id does not name', () => {
    const profile = valuesFile({ gateway: { config: { ENHANCER: 'bedrock', ENHANCER_MODEL: 'us.amazon.nova-lite-v1:0' } } });
    expect(() => chartFacts(renderAsDeployed('prod', profile))).toThrow(/us\.amazon\.nova-lite-v1:0.*inference profile/);
  });
});

describe('Bedrock guardrail moderation from the chart', () => {
  const applyGuardrail = (values: Record<string, string>) => {
    const facts = chartFacts(renderAsDeployed('prod', valuesFile({ gateway: { config: { MODERATION: 'bedrock', MODERATION_GUARDRAIL_VERSION: '3', ...values } } })));
    const { stack, template, env } = stackTemplate(prodInput, facts);
    const policy = roleOf(template, env, 'gateway').policy;
    return { stack, policy, resources: policy.filter((s) => s.Action === 'bedrock:ApplyGuardrail').flatMap((s) => list(s.Resource).map(flatten)) };
  };

  it("the gateway may apply exactly its guardrail, in its region and this account, and nothing else", () => {
    const { stack, policy, resources } = applyGuardrail({ MODERATION_GUARDRAIL_ID: 'gr0abc123xyz', AWS_REGION: 'eu-central-1' });
    expect(resources).toEqual(['arn:aws:bedrock:eu-central-1:123456789012:guardrail/gr0abc123xyz']);
    expect(policy).toHaveLength(1);
    expect(nagFindings(stack)).toEqual([]);
  });

  it('a guardrail named by its ARN is taken as it is, another account and region included', () => {
    const arn = 'arn:aws:bedrock:us-west-2:210987654321:guardrail/gr9shared';
    expect(applyGuardrail({ MODERATION_GUARDRAIL_ID: arn }).resources).toEqual([arn]);
  });
});

describe('service accounts follow the chart', () => {
  it('renamed, or not rendered at all, the roles and their trust follow', () => {
    const overrides = valuesFile({ fullnameOverride: 'pp', gallery: { serviceAccount: { name: 'gallery-reader' } }, web: { enabled: false } });
    const facts = chartFacts(renderAsDeployed('prod', overrides));
    const { template, env } = stackTemplate(prodInput, facts);
    const subject = (component: string) => roleOf(template, env, component).trust[0]?.Condition?.['StringEquals']?.[`${env.oidcIssuer}:sub`];
    expect(subject('gateway')).toBe('system:serviceaccount:pixel-prompt-prod:pp-gateway');
    expect(subject('gallery')).toBe('system:serviceaccount:pixel-prompt-prod:gallery-reader');
    expect(() => roleOf(template, env, 'web')).toThrow('no role for web');
  });

  it('a ServiceAccount of a component without permissions stops synth', () => {
    const facts: ChartFacts = { serviceAccounts: [{ component: 'worker', namespace: 'pixel-prompt-prod', name: 'pp-worker' }], bedrockModels: {}, guardrails: {}, redisWaitReplicas: 0 };
    expect(() => stackTemplate(prodInput, facts)).toThrow(/ServiceAccount pp-worker for "worker": give that component its permissions/);
  });
});

describe("Redis replicas follow the gateway's REDIS_WAIT_REPLICAS", () => {
  it('too few for a failover to leave the replicas the gateway waits for stops synth', () => {
    const redis = prodInput.redis ?? { vpcId: '', clientSecurityGroupIds: [], nodeType: '' };
    expect(prodFacts.redisWaitReplicas).toBe(1);
    expect(() => stackTemplate({ ...prodInput, redis: { ...redis, replicas: 1 } }, prodFacts)).toThrow(
      "prod: the chart's gateway waits for 1 Redis replica(s) (REDIS_WAIT_REPLICAS) before accepting a job, so redis.replicas must be at least 2 (it is 1)",
    );
    const waitsForTwo = chartFacts(renderAsDeployed('prod', valuesFile({ gateway: { config: { REDIS_WAIT_REPLICAS: '2' } } })));
    expect(() => stackTemplate(prodInput, waitsForTwo)).toThrow(/redis\.replicas must be at least 3 \(it is 2\)/);
  });
});

describe('cdk-nag itself', () => {
  it('reports an unacknowledged finding (the checks really run)', () => {
    const stack = new Stack(newApp(), 'nag-control');
    new s3.Bucket(stack, 'Plain');
    expect(nagFindings(stack)).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });
});
