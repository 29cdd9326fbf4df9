import { Duration, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { IMAGES_PREFIX } from '@pixel-prompt/storage/layout';
import type { CdnConfig, Environment } from './config';
import type { ImagesBucket } from './images';

/**
 * CloudFront in front of the images bucket: Origin Access Control, reads of images/ only, one cache
 * entry per image for a year, and signed links when the environment configures a key group.
 */
export class ImagesCdn extends Construct {
  readonly distribution: cloudfront.Distribution;
  /** The public key the services sign with (the key group's newest), when links are signed. */
  readonly signingKey?: cloudfront.PublicKey;

  constructor(scope: Construct, id: string, env: Environment, cdn: CdnConfig, images: ImagesBucket) {
    super(scope, id);

    // Images are immutable and content-addressed (a new job gets new keys), so only the path is in
    // the cache key: no cookies, headers or query strings, which also keeps signed-link parameters
    // from splitting the cache. The objects' own Cache-Control (a year, immutable) sets the TTL.
    const cachePolicy = new cloudfront.CachePolicy(this, 'ImmutableImages', {
      comment: 'Content-addressed images: the path is the whole cache key, kept up to a year',
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      minTtl: Duration.days(1),
      defaultTtl: Duration.days(365),
      maxTtl: Duration.days(365),
      // PNG, WebP and JPEG are compressed already.
      enableAcceptEncodingGzip: false,
      enableAcceptEncodingBrotli: false,
    });

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'HSTS, nosniff, and CORS for the web app (it fetches images to download them)',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
      },
      corsBehavior: {
        accessControlAllowOrigins: cdn.webOrigins,
        accessControlAllowMethods: ['GET', 'HEAD'],
        // A list is required; the app's fetches send only CORS-safelisted headers, and Range lets a download resume.
        accessControlAllowHeaders: ['Range'],
        accessControlAllowCredentials: false,
        accessControlMaxAge: Duration.days(1),
        originOverride: true,
      },
    });

    let trustedKeyGroups: cloudfront.IKeyGroup[] | undefined;
    if (cdn.signing) {
      const keys = cdn.signing.publicKeyFiles.map(
        (key) => new cloudfront.PublicKey(this, `PublicKey-${key.name}`, { encodedKey: key.pem, comment: `${env.name}: ${key.name}` }),
      );
      this.signingKey = keys[keys.length - 1];
      trustedKeyGroups = [new cloudfront.KeyGroup(this, 'KeyGroup', { items: keys, comment: `Signs ${env.name} image links` })];
    }

    // The origin names the bucket instead of referencing the construct: the distribution then does
    // not depend on the bucket, so a KMS key policy (part of the bucket's key) can name this exact
    // distribution without a dependency cycle, and S3BucketOrigin cannot add its own bucket policy,
    // which would let CloudFront read the whole bucket; the one below allows images/ only.
    const origin = S3BucketOrigin.withOriginAccessControl(
      s3.Bucket.fromBucketAttributes(this, 'OriginBucket', { bucketName: env.images.bucketName, region: env.region }),
      { originAccessLevels: [cloudfront.AccessLevel.READ] },
    );

    // One behaviour: the bucket policy refuses everything outside images/, so there is nothing else
    // to route, and signed links hold for every path.
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Pixel Prompt ${env.name} images`,
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
        cachePolicy,
        responseHeadersPolicy: headers,
        compress: false,
        ...(trustedKeyGroups ? { trustedKeyGroups } : {}),
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cdn.priceClass as cloudfront.PriceClass,
      // The protocol floor applies to a custom certificate only: *.cloudfront.net keeps CloudFront's own.
      ...(cdn.domainName && cdn.certificateArn
        ? {
            domainNames: [cdn.domainName],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', cdn.certificateArn),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            sslSupportMethod: cloudfront.SSLMethod.SNI,
          }
        : {}),
      ...(images.accessLogs ? { enableLogging: true, logBucket: images.accessLogs, logFilePrefix: 'cloudfront/' } : {}),
    });

    Validations.of(this.distribution).acknowledge(
      {
        id: 'annotation::@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
        reason: 'The bucket policy granting this distribution images/ only is written by ImagesCdn itself.',
      },
      { id: 'AwsSolutions-CFR1', reason: 'Images are public content for a worldwide audience: no country is excluded.' },
      {
        id: 'AwsSolutions-CFR2',
        reason: 'The distribution serves only immutable images by GET/HEAD from a private bucket (signed links in prod); there is no application surface for a WAF to protect.',
      },
    );
    if (!images.accessLogs) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR3',
        reason: `The ${env.name} configuration keeps no access logs (accessLogDays unset).`,
      });
    }
    if (!cdn.certificateArn) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason: 'Without a custom domain CloudFront serves *.cloudfront.net, whose minimum protocol it fixes itself; TLSv1.2_2021 applies with the configured certificate.',
      });
    }

    // CloudFront reads images/ and nothing else, and only this distribution: without s3:ListBucket,
    // a missing key answers 403, not 404, so nobody can probe which keys exist.
    images.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudFrontReadsImagesOnly',
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [images.bucket.arnForObjects(`${IMAGES_PREFIX}*`)],
        conditions: { StringEquals: { 'AWS:SourceArn': this.distribution.distributionArn } },
      }),
    );
    images.key?.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudFrontDecryptsImages',
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['kms:Decrypt'],
        // In a key policy "*" is the key itself.
        resources: ['*'],
        conditions: { StringEquals: { 'AWS:SourceArn': this.distribution.distributionArn } },
      }),
    );
  }
}
