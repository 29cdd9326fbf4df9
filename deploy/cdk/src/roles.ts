import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GALLERIES_PREFIX, GALLERY_INDEX_PREFIX, IMAGES_PREFIX } from '@pixel-prompt/storage/layout';
import type { BedrockModel, ChartFacts, Guardrail, ServiceAccount } from './chart';
import type { Environment } from './config';

/** What a component's role may be granted: the bucket by name, its key, the Bedrock models it calls and guardrails it applies. */
interface Grants {
  /** `aws` (or `aws-cn`, ...): a literal, since every stack names its region. */
  partition: string;
  /** The stack's account: a guardrail named by id alone is this account's. */
  account: string;
  bucketName: string;
  key?: kms.IKey;
  bedrockModels: BedrockModel[];
  guardrails: Guardrail[];
}

function bucketArn({ partition, bucketName }: Grants): string {
  return `arn:${partition}:s3:::${bucketName}`;
}

/** Objects under a prefix of the layout (libs/storage): the narrowest an object ARN gets, since keys are made per job. */
function objectsArn(grants: Grants, prefix: string): string {
  return `${bucketArn(grants)}/${prefix}*`;
}

/**
 * Readiness sends HeadBucket, which IAM authorises as s3:ListBucket without a prefix: the
 * IfExists condition admits it (and so any listing without a prefix: IAM cannot tell them apart)
 * and holds every listing that names a prefix to `prefix`.
 */
function listBucket(grants: Grants, prefix: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['s3:ListBucket'],
    resources: [bucketArn(grants)],
    conditions: { StringLikeIfExists: { 's3:prefix': [`${prefix}*`] } },
  });
}

function invokeModels({ partition, bedrockModels }: Grants): iam.PolicyStatement[] {
  if (bedrockModels.length === 0) return [];
  return [
    new iam.PolicyStatement({
      actions: ['bedrock:InvokeModel'],
      resources: [...new Set(bedrockModels.map((m) => `arn:${partition}:bedrock:${m.region}::foundation-model/${m.modelId}`))],
    }),
  ];
}

function applyGuardrails({ partition, account, guardrails }: Grants): iam.PolicyStatement[] {
  if (guardrails.length === 0) return [];
  return [
    new iam.PolicyStatement({
      actions: ['bedrock:ApplyGuardrail'],
      resources: guardrails.map((g) => `arn:${partition}:bedrock:${g.region}:${g.account ?? account}:guardrail/${g.guardrailId}`),
    }),
  ];
}

/**
 * Least privilege per component, from what its code does (docs/DEPLOYMENT.md "IAM roles"):
 * generation writes images and manifests; the gallery lists manifests and reads them and the
 * images; the gateway calls Bedrock only as the prompt enhancer and the moderation stage; the web
 * server calls nothing.
 */
const PERMISSIONS: Record<string, (grants: Grants) => iam.PolicyStatement[]> = {
  generation: (grants) => [
    new iam.PolicyStatement({
      actions: ['s3:PutObject'],
      resources: [IMAGES_PREFIX, GALLERIES_PREFIX, GALLERY_INDEX_PREFIX].map((prefix) => objectsArn(grants, prefix)),
    }),
    listBucket(grants, IMAGES_PREFIX),
    ...(grants.key ? [new iam.PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [grants.key.keyArn] })] : []),
    ...invokeModels(grants),
  ],
  gallery: (grants) => [
    new iam.PolicyStatement({
      // HeadObject is authorised as s3:GetObject; images are read only when no CDN serves them.
      actions: ['s3:GetObject'],
      resources: [GALLERIES_PREFIX, GALLERY_INDEX_PREFIX, IMAGES_PREFIX].map((prefix) => objectsArn(grants, prefix)),
    }),
    listBucket(grants, GALLERIES_PREFIX),
    ...(grants.key ? [new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [grants.key.keyArn] })] : []),
  ],
  gateway: (grants) => [...invokeModels(grants), ...applyGuardrails(grants)],
  web: () => [],
};

/**
 * One IAM role per ServiceAccount the chart renders (IRSA), trusted by the cluster's OIDC provider
 * for exactly that namespace and name, with its component's permissions.
 */
export class ServiceRoles extends Construct {
  readonly roles = new Map<string, iam.Role>();

  constructor(scope: Construct, id: string, env: Environment, facts: ChartFacts, bucket: { bucketName: string; key?: kms.IKey }) {
    super(scope, id);
    const partition = Stack.of(this).partition;
    const provider = iam.OpenIdConnectProvider.fromOpenIdConnectProviderArn(
      this,
      'ClusterOidcProvider',
      `arn:${partition}:iam::${env.account}:oidc-provider/${env.oidcIssuer}`,
    );

    for (const account of facts.serviceAccounts) {
      const permissions = PERMISSIONS[account.component];
      if (!permissions) {
        throw new Error(`The chart renders ServiceAccount ${account.name} for "${account.component}": give that component its permissions in deploy/cdk/src/roles.ts`);
      }
      const role = new iam.Role(this, account.component, {
        roleName: `pixel-prompt-${env.name}-${account.component}`,
        description: `IRSA role of ServiceAccount ${account.namespace}/${account.name}`,
        assumedBy: new iam.OpenIdConnectPrincipal(provider, trustConditions(env.oidcIssuer, account)),
      });
      const statements = permissions({
        ...bucket,
        partition,
        account: env.account,
        bedrockModels: facts.bedrockModels[account.component] ?? [],
        guardrails: facts.guardrails[account.component] ?? [],
      });
      for (const statement of statements) role.addToPolicy(statement);
      acknowledgePrefixWildcards(role, statements);
      this.roles.set(account.component, role);
    }
  }
}

/** Only tokens the cluster issues for this ServiceAccount, minted for STS. */
function trustConditions(oidcIssuer: string, account: ServiceAccount): Record<string, Record<string, string>> {
  return {
    StringEquals: {
      [`${oidcIssuer}:sub`]: `system:serviceaccount:${account.namespace}:${account.name}`,
      [`${oidcIssuer}:aud`]: 'sts.amazonaws.com',
    },
  };
}

/** cdk-nag flags every `*`; the only ones here end an object ARN under a layout prefix. */
function acknowledgePrefixWildcards(role: iam.Role, statements: iam.PolicyStatement[]): void {
  const wildcards = statements.flatMap((s) => s.resources).filter((resource) => resource.endsWith('/*'));
  for (const resource of wildcards) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${resource}]`,
      reason: 'Object keys are created per job under this prefix of the bucket layout (libs/storage): the prefix is the narrowest scope.',
    });
  }
}
