/** The parts of a CloudFront signed URL (canned policy) that CloudFront checks. */
export interface CloudFrontSignedUrl {
  /** The URL without its query: what the policy's Resource names. */
  resource: string;
  expires: number;
  keyPairId: string | null;
  signature: Buffer;
  /** Query parameter names, sorted. */
  parameters: string[];
}

export function parseCloudFrontSignedUrl(link: string): CloudFrontSignedUrl {
  const url = new URL(link);
  // CloudFront's URL-safe base64 (`+` → `-`, `=` → `_`, `/` → `~`) back to standard base64.
  const signature = (url.searchParams.get('Signature') ?? '').replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/');
  return {
    resource: `${url.origin}${url.pathname}`,
    expires: Number(url.searchParams.get('Expires')),
    keyPairId: url.searchParams.get('Key-Pair-Id'),
    signature: Buffer.from(signature, 'base64'),
    parameters: [...url.searchParams.keys()].sort(),
  };
}

/** The canned policy CloudFront rebuilds from a signed URL and verifies the signature (RSA-SHA1) against. */
export function cannedPolicy(resource: string, expires: number): Buffer {
  return Buffer.from(`{"Statement":[{"Resource":"${resource}","Condition":{"DateLessThan":{"AWS:EpochTime":${expires}}}}]}`);
}
