import { Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { Environment, RedisConfig } from './config';

const REDIS_PORT = 6379;

const NO_ROTATION =
  'ElastiCache takes a new AUTH token only through ModifyReplicationGroup (ROTATE, then SET) while every client reconnects with it: a planned operation (docs/DEPLOYMENT.md), not an unattended rotation.';

/**
 * The queues' Redis: an ElastiCache replication group (Valkey or Redis OSS) in the cluster's VPC,
 * a primary and replicas in other zones with automatic failover, TLS only, encrypted at rest, an
 * AUTH token from Secrets Manager, and reachable only from the cluster's security groups.
 */
export class Redis extends Construct {
  readonly replicationGroup: elasticache.CfnReplicationGroup;
  /** The secret holding REDIS_URL as the services read it (rediss://:<token>@<primary>:<port>), for the chart's Secret. */
  readonly urlSecretName: string;

  constructor(scope: Construct, id: string, env: Environment, redis: RedisConfig, removalPolicy: RemovalPolicy) {
    super(scope, id);
    const vpc = ec2.Vpc.fromLookup(this, 'Vpc', { vpcId: redis.vpcId });

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `Pixel Prompt ${env.name} Redis: TLS from the EKS cluster only`,
      allowAllOutbound: false,
    });
    for (const client of redis.clientSecurityGroupIds) {
      securityGroup.addIngressRule(ec2.Peer.securityGroupId(client), ec2.Port.tcp(REDIS_PORT), 'Redis (TLS) from the EKS cluster');
    }

    const subnets = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: `Pixel Prompt ${env.name} Redis: the VPC's private subnets`,
      subnetIds: vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds,
    });

    // Bull keeps jobs as Redis keys: evicting any under memory pressure would lose accepted work,
    // so a full Redis refuses writes (the services answer 503) instead of forgetting.
    const parameters = new elasticache.CfnParameterGroup(this, 'Parameters', {
      cacheParameterGroupFamily: `${redis.engine}${redis.engineVersion.split('.')[0]}`,
      description: `Pixel Prompt ${env.name} Redis: never evict queue keys`,
      properties: { 'maxmemory-policy': 'noeviction' },
    });

    // ElastiCache accepts 16-128 printable characters without @, " or /; letters and digits only
    // also keep the token safe inside a URL.
    const authToken = new secretsmanager.Secret(this, 'AuthToken', {
      secretName: `pixel-prompt-${env.name}/redis-auth-token`,
      description: `Pixel Prompt ${env.name} Redis AUTH token`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy,
    });

    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupDescription: `Pixel Prompt ${env.name} queues and job state`,
      engine: redis.engine,
      engineVersion: redis.engineVersion,
      cacheNodeType: redis.nodeType,
      cacheParameterGroupName: parameters.ref,
      numCacheClusters: 1 + redis.replicas,
      multiAzEnabled: true,
      automaticFailoverEnabled: true,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      atRestEncryptionEnabled: true,
      authToken: authToken.secretValue.unsafeUnwrap(),
      port: REDIS_PORT,
      cacheSubnetGroupName: subnets.ref,
      securityGroupIds: [securityGroup.securityGroupId],
      snapshotRetentionLimit: redis.snapshotRetentionDays,
      autoMinorVersionUpgrade: true,
    });
    this.replicationGroup.applyRemovalPolicy(removalPolicy);

    // The token stays a dynamic reference in the template: CloudFormation resolves it when it
    // writes this secret, so the value never appears in the template or the stack's outputs.
    this.urlSecretName = `pixel-prompt-${env.name}/redis-url`;
    const url = new secretsmanager.CfnSecret(this, 'Url', {
      name: this.urlSecretName,
      description: `Pixel Prompt ${env.name} REDIS_URL (rediss://, AUTH token included)`,
      secretString: Fn.join('', [
        'rediss://:',
        authToken.secretValue.unsafeUnwrap(),
        '@',
        this.replicationGroup.attrPrimaryEndPointAddress,
        ':',
        this.replicationGroup.attrPrimaryEndPointPort,
      ]),
    });
    url.applyRemovalPolicy(removalPolicy);

    Validations.of(this).acknowledge(
      { id: 'AwsSolutions-SMG4', reason: NO_ROTATION },
      { id: 'AwsSolutions-AEC5', reason: 'A non-default port hides nothing: only the cluster security groups reach it, over TLS, with AUTH.' },
    );
  }
}
