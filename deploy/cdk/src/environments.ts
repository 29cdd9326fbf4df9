import { chartPlacement } from './chart';
import { type Environment, type EnvironmentInput, type EnvironmentName, parseEnvironment } from './config';

/**
 * The cloud resources of each environment. Account, cluster and network ids are the examples the
 * chart's values files use (account 123456789012, eu-west-1): replace them with yours. Lookups of
 * the VPC are cached in cdk.context.json, so synth needs no AWS access once they are recorded.
 *
 * The chart's release and namespace come from deploy/helm/environments.yaml, where deploy.sh installs
 * it: the IAM roles trust the service accounts the chart renders there.
 */
export const ENVIRONMENT_INPUTS: Record<EnvironmentName, EnvironmentInput> = {
  dev: {
    name: 'dev',
    account: '123456789012',
    region: 'eu-west-1',
    chart: chartPlacement('dev'),
    oidcIssuer: 'oidc.eks.eu-west-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9',
    removal: 'destroy',
    // Development images are throwaway; the chart's own Redis serves dev, and links go through the API.
    images: { bucketName: 'pixel-prompt-dev', expirationDays: 14 },
  },
  staging: {
    name: 'staging',
    account: '123456789012',
    region: 'eu-west-1',
    chart: chartPlacement('staging'),
    oidcIssuer: 'oidc.eks.eu-west-1.amazonaws.com/id/1B2C3D4E5F60718293A4B5C6D7E8F90A',
    removal: 'destroy',
    images: { bucketName: 'pixel-prompt-staging', expirationDays: 60 },
    redis: {
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      clientSecurityGroupIds: ['sg-0a1b2c3d4e5f60718'],
      nodeType: 'cache.t4g.small',
      // The gateway waits for one replica before accepting a job (REDIS_WAIT_REPLICAS=1 in
      // values-staging.yaml): one must remain after a failover promotes the other.
      replicas: 2,
      snapshotRetentionDays: 1,
    },
  },
  prod: {
    name: 'prod',
    account: '123456789012',
    region: 'eu-west-1',
    chart: chartPlacement('prod'),
    oidcIssuer: 'oidc.eks.eu-west-1.amazonaws.com/id/2C3D4E5F60718293A4B5C6D7E8F90A1B',
    removal: 'retain',
    images: { bucketName: 'pixel-prompt-prod', noncurrentVersionDays: 30 },
    accessLogDays: 90,
    cdn: {
      domainName: 'images.pixel-prompt.example.com',
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9',
      webOrigins: ['https://pixel-prompt.example.com'],
      priceClass: 'PriceClass_All',
      signing: { publicKeyFiles: ['keys/cloudfront-prod-1.pub.pem'], privateKeySecretKey: 'cloudfront-private-key' },
    },
    redis: {
      vpcId: 'vpc-0b1c2d3e4f5a60718',
      clientSecurityGroupIds: ['sg-0b1c2d3e4f5a60718'],
      nodeType: 'cache.r7g.large',
      // As staging: the gateway waits for one (values-prod.yaml), and a failover must leave one.
      replicas: 2,
    },
  },
};

/** Every environment's configuration, validated; a mistake stops synth with its path. */
export function environments(): Environment[] {
  return Object.values(ENVIRONMENT_INPUTS).map(parseEnvironment);
}

export function environment(name: string): Environment {
  const input = ENVIRONMENT_INPUTS[name as EnvironmentName];
  if (!input) throw new Error(`unknown environment: ${name} (${Object.keys(ENVIRONMENT_INPUTS).join(', ')})`);
  return parseEnvironment(input);
}
