import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { Environment } from './config';

/** The images bucket and, when the environment keeps access logs, the bucket they go to. */
export class ImagesBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly key?: kms.Key;
  readonly accessLogs?: s3.Bucket;

  constructor(scope: Construct, id: string, env: Environment, removalPolicy: RemovalPolicy) {
    super(scope, id);
    const { images } = env;

    if (env.accessLogDays !== undefined) {
      this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        // CloudFront's standard logs are delivered with an ACL grant, so this one bucket keeps ACLs
        // enabled (objects still end up owned by the bucket owner). The images bucket allows none.
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        minimumTLSVersion: 1.2,
        lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(env.accessLogDays) }],
        removalPolicy,
      });
      Validations.of(this.accessLogs).acknowledge({
        id: 'AwsSolutions-S1',
        reason: 'This is the access-log bucket itself: logging its own accesses into it would log forever.',
      });
    }

    if (images.encryption === 'kms') {
      this.key = new kms.Key(this, 'Key', {
        description: `Encrypts the ${images.bucketName} bucket`,
        enableKeyRotation: true,
        removalPolicy,
      });
    }

    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: images.bucketName,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      ...(this.key
        ? { encryption: s3.BucketEncryption.KMS, encryptionKey: this.key, bucketKeyEnabled: true }
        : { encryption: s3.BucketEncryption.S3_MANAGED }),
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: images.noncurrentVersionDays !== undefined,
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        ...(images.expirationDays === undefined ? [] : [{ id: 'expire-objects', expiration: Duration.days(images.expirationDays) }]),
        ...(images.noncurrentVersionDays === undefined
          ? []
          : [{ id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(images.noncurrentVersionDays), expiredObjectDeleteMarker: true }]),
      ],
      ...(this.accessLogs ? { serverAccessLogsBucket: this.accessLogs, serverAccessLogsPrefix: 's3/' } : {}),
      removalPolicy,
    });
    if (!this.accessLogs) {
      Validations.of(this.bucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason: `The ${env.name} configuration keeps no access logs (accessLogDays unset).`,
      });
    }
  }
}
