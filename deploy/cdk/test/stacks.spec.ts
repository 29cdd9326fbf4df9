import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GALLERIES_PREFIX, GALLERY_INDEX_PREFIX, IMAGES_PREFIX } from '@pixel-prompt/storage/layout';
import { addEnvironments } from '../src/app';
import type { Environment } from '../src/config';
import { environments } from '../src/environments';
import { OUTPUT } from '../src/outputs';
import type { PixelPromptStack } from '../src/stack';
import { flatten, list, newApp, renderAsDeployed, roleOf, statements } from './support';

// The three environments exactly as `cdk synth` builds them (each renders its chart values).
const app = newApp();
const envs = new Map(environments().map((env) => [env.name, env]));
const stacks = addEnvironments(app, [...envs.values()]);
const templates = new Map([...stacks].map(([name, stack]) => [name, Template.fromStack(stack)]));

function get<T>(map: Map<string, T>, name: string): T {
  const value = map.get(name);
  if (value === undefined) throw new Error(`no ${name}`);
  return value;
}
const template = (name: string) => get(templates, name);
const env = (name: string): Environment => get(envs, name);
const names = ['dev', 'staging', 'prod'];

function onlyResource(t: Template, type: string, props?: unknown): { id: string; properties: Record<string, unknown> } {
  const found = Object.entries(t.findResources(type, props));
  expect(found).toHaveLength(1);
  const [id, resource] = found[0] as [string, { Properties: Record<string, unknown> }];
  return { id, properties: resource.Properties };
}

function imagesBucket(name: string) {
  return onlyResource(template(name), 'AWS::S3::Bucket', { Properties: { BucketName: env(name).images.bucketName } });
}

describe('images bucket', () => {
  it.each(names)('%s: blocks all public access, enforces bucket-owner ownership (no ACLs), encrypts with S3-managed keys', (name) => {
    expect(imagesBucket(name).properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
  });

  it.each(names)('%s: the bucket policy refuses every request without TLS, or below TLS 1.2', (name) => {
    const { id } = imagesBucket(name);
    const denies = statements(template(name))
      .filter(({ type, statement }) => type === 'AWS::S3::BucketPolicy' && statement.Effect === 'Deny')
      .map(({ statement }) => statement)
      .filter((s) => list(s.Resource as unknown[]).map(flatten).includes(`<${id}.Arn>/*`));
    expect(denies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({ Action: 's3:*', Principal: { AWS: '*' }, Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      ]),
    );
  });

  it.each(names)('%s: aborts incomplete multipart uploads after a day', (name) => {
    expect(imagesBucket(name).properties['LifecycleConfiguration']).toMatchObject({
      Rules: expect.arrayContaining([{ Id: 'abort-incomplete-uploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }]),
    });
  });

  it('dev and staging images expire; prod keeps them, versioned, with old versions expiring', () => {
    expect(imagesBucket('dev').properties).toMatchObject({ LifecycleConfiguration: { Rules: expect.arrayContaining([expect.objectContaining({ ExpirationInDays: 14 })]) } });
    expect(imagesBucket('staging').properties).toMatchObject({ LifecycleConfiguration: { Rules: expect.arrayContaining([expect.objectContaining({ ExpirationInDays: 60 })]) } });
    const prod = imagesBucket('prod').properties;
    expect(JSON.stringify(prod)).not.toContain('ExpirationInDays');
    expect(prod).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: expect.arrayContaining([expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })]) },
    });
  });

  it('prod never deletes data with its stack: bucket, logs, Redis and its secrets are retained, and the stack is termination-protected', () => {
    const prod = template('prod');
    for (const type of ['AWS::S3::Bucket', 'AWS::ElastiCache::ReplicationGroup', 'AWS::SecretsManager::Secret']) {
      const all = Object.values(prod.findResources(type));
      expect(all.length).toBeGreaterThan(0);
      for (const resource of all) expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
    expect(get(stacks, 'prod').terminationProtection).toBe(true);
    expect(get(stacks, 'dev').terminationProtection).toBe(false);
    expect(Object.values(template('dev').findResources('AWS::S3::Bucket'))[0]).toMatchObject({ DeletionPolicy: 'Delete' });
  });

  it('prod writes S3 server access logs to its own log bucket, which expires them', () => {
    const logs = onlyResource(template('prod'), 'AWS::S3::Bucket', { Properties: { BucketName: Match.absent() } });
    expect(imagesBucket('prod').properties).toMatchObject({ LoggingConfiguration: { DestinationBucketName: { Ref: logs.id }, LogFilePrefix: 's3/' } });
    expect(logs.properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 90, Status: 'Enabled' }] },
    });
  });
});

describe('CloudFront (prod)', () => {
  const prod = () => template('prod');
  const distribution = () => onlyResource(prod(), 'AWS::CloudFront::Distribution');
  const config = () => distribution().properties['DistributionConfig'] as Record<string, unknown>;

  it('reads the bucket through an Origin Access Control that signs every request (SigV4), not an Origin Access Identity', () => {
    const oac = onlyResource(prod(), 'AWS::CloudFront::OriginAccessControl');
    expect(oac.properties).toMatchObject({ OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' } });
    prod().resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    expect(config()['Origins']).toEqual([
      expect.objectContaining({
        DomainName: `${env('prod').images.bucketName}.s3.${env('prod').region}.amazonaws.com`,
        OriginAccessControlId: { 'Fn::GetAtt': [oac.id, 'Id'] },
        S3OriginConfig: { OriginAccessIdentity: '' },
      }),
    ]);
  });

  it('the bucket policy lets only this distribution read, and only images/', () => {
    const { id: bucket } = imagesBucket('prod');
    const allows = statements(prod()).filter(({ type, statement }) => type === 'AWS::S3::BucketPolicy' && statement.Effect === 'Allow');
    const cloudfront = allows.filter(({ statement }) => JSON.stringify(statement.Principal).includes('cloudfront.amazonaws.com'));
    expect(cloudfront).toHaveLength(1);
    const statement = cloudfront[0]?.statement;
    expect(statement?.Action).toBe('s3:GetObject');
    expect(list(statement?.Resource).map(flatten)).toEqual([`<${bucket}.Arn>/${IMAGES_PREFIX}*`]);
    expect(Object.keys(statement?.Condition ?? {})).toEqual(['StringEquals']);
    expect(flatten(statement?.Condition?.['StringEquals']?.['AWS:SourceArn'])).toBe(`arn:aws:cloudfront::${env('prod').account}:distribution/<${distribution().id}>`);
  });

  it('caches each image once for up to a year: no cookies, headers or query strings in the key', () => {
    const policy = onlyResource(prod(), 'AWS::CloudFront::CachePolicy');
    expect(config()['DefaultCacheBehavior']).toMatchObject({ CachePolicyId: { Ref: policy.id }, AllowedMethods: ['GET', 'HEAD'], ViewerProtocolPolicy: 'redirect-to-https' });
    expect(policy.properties['CachePolicyConfig']).toMatchObject({
      DefaultTTL: 365 * 86400,
      MaxTTL: 365 * 86400,
      MinTTL: 86400,
      ParametersInCacheKeyAndForwardedToOrigin: {
        CookiesConfig: { CookieBehavior: 'none' },
        HeadersConfig: { HeaderBehavior: 'none' },
        QueryStringsConfig: { QueryStringBehavior: 'none' },
      },
    });
  });

  it('answers with HSTS, nosniff and CORS for the web origin only', () => {
    const policy = onlyResource(prod(), 'AWS::CloudFront::ResponseHeadersPolicy');
    expect(config()['DefaultCacheBehavior']).toMatchObject({ ResponseHeadersPolicyId: { Ref: policy.id } });
    expect(policy.properties['ResponseHeadersPolicyConfig']).toMatchObject({
      SecurityHeadersConfig: {
        StrictTransportSecurity: { AccessControlMaxAgeSec: 730 * 86400, IncludeSubdomains: true, Override: true },
        ContentTypeOptions: { Override: true },
      },
      CorsConfig: {
        AccessControlAllowOrigins: { Items: ['https://pixel-prompt.example.com'] },
        AccessControlAllowMethods: { Items: ['GET', 'HEAD'] },
        AccessControlAllowCredentials: false,
      },
    });
  });

  it('serves HTTP/2 and HTTP/3 on its custom domain with TLS 1.2 at least (SNI), and logs to the log bucket', () => {
    expect(config()).toMatchObject({
      HttpVersion: 'http2and3',
      Aliases: ['images.pixel-prompt.example.com'],
      ViewerCertificate: { AcmCertificateArn: env('prod').cdn?.certificateArn, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
      Logging: { Prefix: 'cloudfront/' },
    });
  });

  it('trusts only the key group of the configured public key for signed links; its id is the key-pair id output', () => {
    const key = onlyResource(prod(), 'AWS::CloudFront::PublicKey');
    const group = onlyResource(prod(), 'AWS::CloudFront::KeyGroup');
    expect(key.properties['PublicKeyConfig']).toMatchObject({ EncodedKey: env('prod').cdn?.signing?.publicKeyFiles[0]?.pem });
    expect(group.properties['KeyGroupConfig']).toMatchObject({ Items: [{ Ref: key.id }] });
    expect(config()['DefaultCacheBehavior']).toMatchObject({ TrustedKeyGroups: [{ Ref: group.id }] });
    expect(prod().findOutputs(OUTPUT.cdnKeyPairId)[OUTPUT.cdnKeyPairId]).toMatchObject({ Value: { Ref: key.id } });
    expect(prod().findOutputs(OUTPUT.cdnBaseUrl)[OUTPUT.cdnBaseUrl]).toMatchObject({ Value: 'https://images.pixel-prompt.example.com' });
  });

  it('dev and staging have no CDN', () => {
    for (const name of ['dev', 'staging']) template(name).resourceCountIs('AWS::CloudFront::Distribution', 0);
  });
});

describe('Redis (staging, prod)', () => {
  it.each(['staging', 'prod'])('%s: Multi-AZ with automatic failover, TLS required, encrypted at rest, AUTH from Secrets Manager', (name) => {
    const t = template(name);
    const group = onlyResource(t, 'AWS::ElastiCache::ReplicationGroup');
    const token = onlyResource(t, 'AWS::SecretsManager::Secret', { Properties: { Name: `pixel-prompt-${name}/redis-auth-token` } });
    expect(group.properties).toMatchObject({
      Engine: 'valkey',
      // A primary and two replicas: the gateway waits for one, and one remains after a failover.
      NumCacheClusters: 3,
      MultiAZEnabled: true,
      AutomaticFailoverEnabled: true,
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      AtRestEncryptionEnabled: true,
      Port: 6379,
    });
    expect(flatten(group.properties['AuthToken'])).toBe(`{{resolve:secretsmanager:<${token.id}>:SecretString:::}}`);
    expect(token.properties['GenerateSecretString']).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
  });

  it.each(['staging', 'prod'])('%s: REDIS_URL is a secret built from the token reference and the primary endpoint, never the token itself', (name) => {
    const t = template(name);
    const group = onlyResource(t, 'AWS::ElastiCache::ReplicationGroup');
    const token = onlyResource(t, 'AWS::SecretsManager::Secret', { Properties: { Name: `pixel-prompt-${name}/redis-auth-token` } });
    const url = onlyResource(t, 'AWS::SecretsManager::Secret', { Properties: { Name: `pixel-prompt-${name}/redis-url` } });
    expect(flatten(url.properties['SecretString'])).toBe(
      `rediss://:{{resolve:secretsmanager:<${token.id}>:SecretString:::}}@<${group.id}.PrimaryEndPoint.Address>:<${group.id}.PrimaryEndPoint.Port>`,
    );
    expect(t.findOutputs(OUTPUT.redisUrlSecret)[OUTPUT.redisUrlSecret]).toMatchObject({ Value: `pixel-prompt-${name}/redis-url` });
  });

  it.each(['staging', 'prod'])("%s: runs in the VPC's private subnets, reachable on its port from the cluster's security groups only", (name) => {
    const t = template(name);
    const redis = env(name).redis;
    const subnets = onlyResource(t, 'AWS::ElastiCache::SubnetGroup');
    expect(subnets.properties['SubnetIds']).toEqual([3, 4, 5].map((i) => expect.stringMatching(new RegExp(`^subnet-[0-9a-f]+${i}$`))));
    const sg = onlyResource(t, 'AWS::EC2::SecurityGroup');
    expect(sg.properties).toMatchObject({ VpcId: redis?.vpcId });
    expect(sg.properties['SecurityGroupIngress']).toEqual(
      redis?.clientSecurityGroupIds.map((id) => expect.objectContaining({ IpProtocol: 'tcp', FromPort: 6379, ToPort: 6379, SourceSecurityGroupId: id })),
    );
    // CDK's marker rule for "no egress": an unroutable address on an unused protocol.
    expect(sg.properties['SecurityGroupEgress']).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
    expect(onlyResource(t, 'AWS::ElastiCache::ReplicationGroup').properties).toMatchObject({
      CacheSubnetGroupName: { Ref: subnets.id },
      SecurityGroupIds: [{ 'Fn::GetAtt': [sg.id, 'GroupId'] }],
    });
  });

  it.each(['staging', 'prod'])('%s: never evicts keys (Bull keeps accepted jobs as keys)', (name) => {
    const t = template(name);
    const parameters = onlyResource(t, 'AWS::ElastiCache::ParameterGroup');
    expect(parameters.properties).toMatchObject({ CacheParameterGroupFamily: 'valkey8', Properties: { 'maxmemory-policy': 'noeviction' } });
    expect(onlyResource(t, 'AWS::ElastiCache::ReplicationGroup').properties).toMatchObject({ CacheParameterGroupName: { Ref: parameters.id } });
  });

  it.each(['staging', 'prod'])("%s: keeps one replica more than the chart's gateway waits for, so a failover leaves enough", (name) => {
    const gateway = renderAsDeployed(name).find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith('-gateway'));
    const waits = Number(gateway?.spec?.template?.spec?.containers?.[0]?.env?.find((e) => e.name === 'REDIS_WAIT_REPLICAS')?.value);
    expect(waits).toBe(1);
    expect(onlyResource(template(name), 'AWS::ElastiCache::ReplicationGroup').properties['NumCacheClusters']).toBe(1 + waits + 1);
  });

  it('dev has none: the chart runs its own Redis there', () => {
    template('dev').resourceCountIs('AWS::ElastiCache::ReplicationGroup', 0);
  });
});

describe('IRSA roles', () => {
  it.each(names)('%s: one role per ServiceAccount helm renders, trusted only for that namespace and name', (name) => {
    const rendered = renderAsDeployed(name).filter((o) => o.kind === 'ServiceAccount');
    expect(rendered.length).toBeGreaterThanOrEqual(4);
    const issuer = env(name).oidcIssuer;
    const t = template(name);
    expect(Object.keys(t.findResources('AWS::IAM::Role'))).toHaveLength(rendered.length);
    for (const account of rendered) {
      const component = String(account.metadata.labels?.['app.kubernetes.io/component']);
      const { trust } = roleOf(t, env(name), component);
      expect(trust).toHaveLength(1);
      expect(trust[0]).toEqual({
        Effect: 'Allow',
        Action: 'sts:AssumeRoleWithWebIdentity',
        Principal: { Federated: expect.anything() },
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${account.metadata.namespace}:${account.metadata.name}`,
            [`${issuer}:aud`]: 'sts.amazonaws.com',
          },
        },
      });
      const principal = trust[0]?.Principal as { Federated: unknown };
      expect(flatten(principal.Federated)).toBe(`arn:aws:iam::${env(name).account}:oidc-provider/${issuer}`);
    }
  });

  // What each component's code does to the bucket: the action on objects, and the one prefix it may list.
  const s3Access = names.flatMap((name) => [
    { name, component: 'generation', objects: 's3:PutObject', lists: IMAGES_PREFIX },
    { name, component: 'gallery', objects: 's3:GetObject', lists: GALLERIES_PREFIX },
  ]);
  it.each(s3Access)('$name: $component may $objects under the layout prefixes and list $lists only', ({ name, component, objects, lists }) => {
    const bucket = env(name).images.bucketName;
    const { policy } = roleOf(template(name), env(name), component);
    expect(policy.map((s) => ({ ...s, Resource: list(s.Resource).map(flatten) }))).toEqual([
      { Effect: 'Allow', Action: objects, Resource: [GALLERIES_PREFIX, GALLERY_INDEX_PREFIX, IMAGES_PREFIX].map((p) => `arn:aws:s3:::${bucket}/${p}*`) },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: [`arn:aws:s3:::${bucket}`], Condition: { StringLikeIfExists: { 's3:prefix': [`${lists}*`] } } },
    ]);
  });

  it.each(names)('%s: the gateway (local enhancer) and the web server get no permissions at all', (name) => {
    expect(roleOf(template(name), env(name), 'gateway').policy).toEqual([]);
    expect(roleOf(template(name), env(name), 'web').policy).toEqual([]);
  });

  it.each(names)('%s: every role ARN is an output named for its component', (name) => {
    for (const component of ['gateway', 'generation', 'gallery', 'web']) {
      const { id } = roleOf(template(name), env(name), component);
      const key = `${component.charAt(0).toUpperCase()}${component.slice(1)}RoleArn`;
      expect(template(name).findOutputs(key)[key]).toMatchObject({ Value: { 'Fn::GetAtt': [id, 'Arn'] } });
    }
  });
});

describe('least privilege everywhere', () => {
  it.each(names)('%s: no Allow names a "*" action, or a "*" resource beyond a layout prefix (a key policy\'s "*" is the key)', (name) => {
    const allows = statements(template(name)).filter(({ statement }) => statement.Effect === 'Allow');
    expect(allows.length).toBeGreaterThan(0);
    for (const { holder, type, statement } of allows) {
      for (const action of list(statement.Action)) expect({ holder, action }).toEqual({ holder, action: expect.not.stringContaining('*') });
      for (const resource of list(statement.Resource).map(flatten)) {
        if (type === 'AWS::KMS::Key') continue;
        const wildcard = resource.includes('*');
        // Object ARNs end in <prefix>/*: a layout prefix, or the access-log prefix S3 writes its logs under.
        const underPrefix = /\/(images|galleries|gallery-ids|s3)\/\*$/.test(resource) && resource.indexOf('*') === resource.length - 1;
        expect({ holder, resource, allowed: !wildcard || underPrefix }).toEqual({ holder, resource, allowed: true });
      }
    }
  });
});

describe('synth notes', () => {
  it.each(names)('%s: the CDK warns about nothing that is not acknowledged', (name) => {
    expect(Annotations.fromStack(get(stacks, name)).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('cdk-nag AWS Solutions checks', () => {
  it.each(names)('%s: no finding left unacknowledged', (name) => {
    const report = new AwsSolutionsChecks().validateScope(get(stacks, name) as PixelPromptStack);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('every acknowledgement carries its reason', () => {
    const acknowledgements = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledgements.length).toBeGreaterThan(10);
    for (const [id, reason] of acknowledgements) expect({ id, reason }).toEqual({ id, reason: expect.stringMatching(/^\S.{30,}$/) });
  });
});
