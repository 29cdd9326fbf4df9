import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { S3Env } from '@pixel-prompt/config';
import { isNetworkFailure } from '@pixel-prompt/service';

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
 * Whether an S3 call failed because S3 is unreachable or failing rather than because of what was
 * asked: no answer at all (network errors, timeouts: the SDK reports no HTTP status), or the server
 * faults and throttling (5xx, SlowDown) it gave up retrying. NoSuchKey, AccessDenied and other 4xx
 * answers are not outages, nor is a call we aborted ourselves.
 */
export function isS3Outage(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, $fault, $metadata } = error as { name?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  const unanswered = $metadata !== undefined && $metadata.httpStatusCode === undefined && name !== 'AbortError';
  return isNetworkFailure(error) || unanswered || $fault === 'server' || ($metadata?.httpStatusCode ?? 0) >= 500 || name === 'SlowDown';
}

/**
 * Whether an S3 call failed because the object is not there: GetObject's NoSuchKey, HeadObject's
 * bodiless 404 (named NotFound by the SDK). A missing bucket (NoSuchBucket, also 404) is not this.
 */
export function isNotFound(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
}

/**
 * Records every S3 operation on `registry`: its duration including the SDK's retries, by operation
 * and outcome (ok, or the error's name, a small fixed set), and the retries themselves.
 */
export function observeS3(client: S3Client, registry: Registry): void {
  const duration = new Histogram({
    name: 'pixel_prompt_s3_request_duration_seconds',
    help: 'S3 operations in seconds, retries included, by operation and outcome (ok or the S3 error name).',
    labelNames: ['operation', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'pixel_prompt_s3_retries_total',
    help: 'S3 requests the SDK sent again after a transient failure, by operation.',
    labelNames: ['operation'],
    registers: [registry],
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
      const end = duration.startTimer({ operation });
      const record = (outcome: string, attempts: number | undefined) => {
        end({ outcome });
        if (attempts && attempts > 1) retries.inc({ operation }, attempts - 1);
      };
      try {
        const result = await next(args);
        record('ok', (result.output as { $metadata?: { attempts?: number } }).$metadata?.attempts);
        return result;
      } catch (error) {
        const { name, $metadata } = error as { name?: string; $metadata?: { attempts?: number } };
        record(name ?? 'Error', $metadata?.attempts);
        throw error;
      }
    },
    // Outermost step: the time of the whole operation, retries included.
    { step: 'initialize', name: 'pixelPromptS3Metrics' },
  );
}
