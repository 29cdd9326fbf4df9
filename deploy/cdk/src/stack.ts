import { CfnOutput, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ImagesCdn } from './cdn';
import type { ChartFacts } from './chart';
import { type Environment, stackName } from './config';
import { ImagesBucket } from './images';
import { OUTPUT, roleArnOutput } from './outputs';
import { Redis } from './redis';
import { ServiceRoles } from './roles';

/**
 * Everything one environment's chart needs from AWS: the images bucket, CloudFront in front of it,
 * the queues' Redis and an IAM role per ServiceAccount; its outputs become the chart's values.
 */
export class PixelPromptStack extends Stack {
  constructor(scope: Construct, env: Environment, facts: ChartFacts) {
    super(scope, stackName(env), {
      env: { account: env.account, region: env.region },
      description: `Pixel Prompt ${env.name}: images bucket, CDN, Redis and service roles (deploy/cdk)`,
      // An environment that keeps its data also refuses a stack delete until protection is lifted.
      terminationProtection: env.removal === 'retain',
    });
    Tags.of(this).add('app', 'pixel-prompt');
    Tags.of(this).add('environment', env.name);
    const removalPolicy = env.removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const images = new ImagesBucket(this, 'Images', env, removalPolicy);
    new CfnOutput(this, OUTPUT.region, { value: env.region, description: 'Region of the bucket (chart s3.region)' });
    new CfnOutput(this, OUTPUT.imagesBucket, { value: images.bucket.bucketName, description: 'Images bucket (chart s3.bucket)' });

    if (env.cdn) {
      const cdn = new ImagesCdn(this, 'Cdn', env, env.cdn, images);
      const domain = env.cdn.domainName ?? cdn.distribution.distributionDomainName;
      new CfnOutput(this, OUTPUT.cdnBaseUrl, { value: `https://${domain}`, description: 'Image links base URL (chart cdn.baseUrl)' });
      if (cdn.signingKey) {
        new CfnOutput(this, OUTPUT.cdnKeyPairId, { value: cdn.signingKey.publicKeyId, description: 'Public key the services sign with (chart cdn.keyPairId)' });
      }
    }

    if (env.redis) {
      // After a failover promotes a replica, the gateway must still find REDIS_WAIT_REPLICAS of them,
      // or every submission answers 503 until ElastiCache has replaced the lost node.
      if (env.redis.replicas < facts.redisWaitReplicas + 1) {
        throw new Error(
          `${env.name}: the chart's gateway waits for ${facts.redisWaitReplicas} Redis replica(s) (REDIS_WAIT_REPLICAS) before accepting a job, so redis.replicas must be at least ${facts.redisWaitReplicas + 1} (it is ${env.redis.replicas}): one more than that, for a failover to leave enough`,
        );
      }
      const redis = new Redis(this, 'Redis', env, env.redis, removalPolicy);
      new CfnOutput(this, OUTPUT.redisUrlSecret, { value: redis.urlSecretName, description: 'Secrets Manager secret holding REDIS_URL' });
      new CfnOutput(this, OUTPUT.redisEndpoint, {
        value: `${redis.replicationGroup.attrPrimaryEndPointAddress}:${redis.replicationGroup.attrPrimaryEndPointPort}`,
        description: 'Redis primary endpoint (host:port, TLS)',
      });
    }

    const roles = new ServiceRoles(this, 'ServiceRoles', env, facts, { bucketName: env.images.bucketName, key: images.key });
    for (const [component, role] of roles.roles) {
      new CfnOutput(this, roleArnOutput(component), { value: role.roleArn, description: `IRSA role of ${component} (chart ${component}.serviceAccount.roleArn)` });
    }
  }
}
