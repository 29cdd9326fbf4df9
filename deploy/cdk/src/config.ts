import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';

/** The environments the chart has a values file for, and that the deploy script knows. */
export const ENVIRONMENT_NAMES = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** deploy/cdk: public keys are read relative to it. */
export const PROJECT_DIR = join(__dirname, '..');

const KEY_PEM = /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n?$/;

/** CloudFront accepts only RSA 2048 public keys for signed URLs. */
function isCloudFrontPublicKey(pem: string): boolean {
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'rsa' && key.asymmetricKeyDetails?.modulusLength === 2048;
  } catch {
    return false;
  }
}

/** A public key file, relative to deploy/cdk (keys/<name>.pub.pem); its name names the key in CloudFront. */
const publicKeyFileSchema = z
  .string()
  .regex(/(^|\/)[a-z0-9-]+\.pub\.pem$/, 'must be a <name>.pub.pem file')
  .transform((file, ctx) => {
    let pem = '';
    try {
      pem = readFileSync(join(PROJECT_DIR, file), 'utf8');
    } catch {
      ctx.addIssue({ code: 'custom', message: `cannot read ${file}` });
      return z.NEVER;
    }
    if (!KEY_PEM.test(pem) || !isCloudFrontPublicKey(pem)) {
      ctx.addIssue({ code: 'custom', message: `${file} must hold an RSA 2048 public key (PEM), as CloudFront requires` });
      return z.NEVER;
    }
    return { name: basename(file, '.pub.pem'), pem };
  });

const bucketNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name: 3-63 lowercase letters, digits or dashes')
  .refine((name) => !name.includes('--') && !name.startsWith('xn--'), 'must be an S3 bucket name');

const daysSchema = z.number().int().min(1).max(3650);

const imagesSchema = z
  .object({
    bucketName: bucketNameSchema,
    /** S3-managed keys, or a customer-managed KMS key created with the bucket (rotated yearly). */
    encryption: z.enum(['s3-managed', 'kms']).default('s3-managed'),
    /** Objects expire this many days after they are written; unset: kept for good. */
    expirationDays: daysSchema.optional(),
    /** Keep overwritten or deleted objects this many days; unset: no versioning. */
    noncurrentVersionDays: daysSchema.optional(),
  })
  .strict();

const cdnSchema = z
  .object({
    /** Custom domain (images.example.com) with its ACM certificate, which CloudFront needs in us-east-1. */
    domainName: z
      .string()
      .regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/, 'must be a DNS name')
      .optional(),
    certificateArn: z
      .string()
      .regex(/^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/, 'must be an ACM certificate ARN in us-east-1 (CloudFront reads certificates only there)')
      .optional(),
    /** Origins of the web app, allowed by CORS to fetch images (downloads, canvas). */
    webOrigins: z.array(z.url({ protocol: /^https$/, error: 'must be an https origin' }).regex(/^https:\/\/[^/]+$/, 'must be an origin: no path')).min(1),
    priceClass: z.enum(['PriceClass_100', 'PriceClass_200', 'PriceClass_All']).default('PriceClass_100'),
    /**
     * Signed links: the key group's public keys, oldest first. The services sign with the private
     * key of the last one (its id becomes `cdn.keyPairId`); keep the previous key listed while links
     * it signed are still valid (SIGNED_URL_TTL_SECONDS), then drop it.
     */
    signing: z
      .object({
        publicKeyFiles: z.array(publicKeyFileSchema).min(1).max(5),
        /** The key in the environment's Secret (secrets.existingSecret) holding the private key (chart `cdn.privateKeySecretKey`). */
        privateKeySecretKey: z.string().regex(/^[-._a-zA-Z0-9]+$/, 'must be a Kubernetes Secret key'),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((cdn) => !cdn.domainName === !cdn.certificateArn, 'domainName and certificateArn go together');

const redisSchema = z
  .object({
    /** The EKS cluster's VPC; its private subnets hold the cache nodes. */
    vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id'),
    /** Security groups of the pods or nodes that may connect (usually the EKS cluster security group). */
    clientSecurityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id')).min(1),
    engine: z.enum(['valkey', 'redis']).default('valkey'),
    /** Valkey 7.2 or later, or Redis OSS 7.x: their parameter families are named <engine><major>. */
    engineVersion: z.string().regex(/^\d+\.\d+$/, 'must be major.minor').optional(),
    nodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, 'must be a cache node type'),
    /**
     * Read replicas besides the primary, in other zones, for automatic failover: at least one more
     * than the gateway's REDIS_WAIT_REPLICAS (synth checks it against the chart), so a failover leaves enough.
     */
    replicas: z.number().int().min(1).max(5).default(1),
    snapshotRetentionDays: z.number().int().min(1).max(35).default(7),
  })
  .strict()
  .transform((redis) => ({ ...redis, engineVersion: redis.engineVersion ?? (redis.engine === 'valkey' ? '8.2' : '7.1') }))
  .refine((redis) => (redis.engine === 'valkey' ? Number.parseFloat(redis.engineVersion) >= 7.2 : redis.engineVersion.startsWith('7.')), {
    path: ['engineVersion'],
    message: 'must be Valkey 7.2 or later, or Redis OSS 7.x',
  });

const environmentSchema = z
  .object({
    name: z.enum(ENVIRONMENT_NAMES),
    account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region'),
    /** Where tools/deploy/deploy.sh installs the chart (deploy/helm/environments.yaml): the IAM roles trust its service accounts there. */
    chart: z.object({ release: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/), namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/) }).strict(),
    /** The EKS cluster's OIDC issuer (`aws eks describe-cluster --query cluster.identity.oidc.issuer`), without https://. */
    oidcIssuer: z
      .string()
      .transform((issuer) => issuer.replace(/^https:\/\//, ''))
      .pipe(z.string().regex(/^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com\/id\/[0-9A-F]{32}$/, 'must be an EKS OIDC issuer')),
    /** What stack deletion does to data: `destroy` only where losing it is fine. */
    removal: z.enum(['retain', 'destroy']),
    images: imagesSchema,
    /** Server access logs of the images bucket and CloudFront access logs, kept this many days; unset: no logs. */
    accessLogDays: daysSchema.optional(),
    /** Unset: no CloudFront (the gallery serves images through the API). */
    cdn: cdnSchema.optional(),
    /** Unset: no ElastiCache (the chart's own Redis, development only). */
    redis: redisSchema.optional(),
  })
  .strict()
  .refine((env) => env.name !== 'prod' || env.removal === 'retain', {
    path: ['removal'],
    message: 'prod data is never deleted with its stack: must be "retain"',
  });

export type EnvironmentInput = z.input<typeof environmentSchema>;
export type Environment = z.output<typeof environmentSchema>;
export type CdnConfig = NonNullable<Environment['cdn']>;
export type RedisConfig = NonNullable<Environment['redis']>;

export class EnvironmentConfigError extends Error {
  constructor(name: string, problems: string[]) {
    super(`Invalid configuration of environment ${name}: ${problems.join('; ')}`);
    this.name = 'EnvironmentConfigError';
  }
}

/** Validates one environment's configuration; every problem is named with its path. */
export function parseEnvironment(input: EnvironmentInput): Environment {
  const result = environmentSchema.safeParse(input);
  if (!result.success) {
    throw new EnvironmentConfigError(
      String(input.name),
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`),
    );
  }
  return result.data;
}

/** CloudFormation stack name of an environment; the outputs file is keyed by it. */
export function stackName(env: Pick<Environment, 'name'>): string {
  return `pixel-prompt-${env.name}`;
}
