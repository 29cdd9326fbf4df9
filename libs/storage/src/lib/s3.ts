import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Env } from '@pixel-prompt/config';

/**
 * An S3 client for AWS or an S3-compatible server. Credentials come from the default provider chain
 * (IRSA on EKS, environment variables locally). Transient failures retry with exponential backoff
 * and jitter (the SDK's standard retry mode).
 */
export function createS3Client(env: S3Env): S3Client {
  return new S3Client({
    region: env.S3_REGION,
    endpoint: env.S3_ENDPOINT,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    maxAttempts: 4,
    retryMode: 'standard',
    // Checksums only where the API requires them: S3-compatible servers (s3rver) reject or corrupt
    // the flexible-checksum trailers that SDK defaults now add to every upload.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Resolves when the bucket exists and the credentials can reach it. */
export async function headBucket(client: S3Client, bucket: string, signal?: AbortSignal): Promise<void> {
  await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
}

/**
 * Whether an S3 call failed because the object is not there: GetObject's NoSuchKey, HeadObject's
 * bodiless 404 (named NotFound by the SDK). A missing bucket (NoSuchBucket, also 404) is not this.
 */
export function isNotFound(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
}
