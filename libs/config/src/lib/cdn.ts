import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { secretFileSchema } from './schemas';
import { checkSecrets, secretOf, secretsEnvShape } from './secrets';

const NOT_A_KEY = 'must be a PEM-encoded RSA private key';

function isPrivateKey(pem: string): boolean {
  try {
    return createPrivateKey(pem).asymmetricKeyType === 'rsa';
  } catch {
    return false;
  }
}

/** A PEM key given inline; `\n` escapes are accepted because many secret stores keep values on one line. */
const inlinePemSchema = z
  .string()
  .transform((value) => value.replace(/\\n/g, '\n'))
  .refine(isPrivateKey, NOT_A_KEY);

/** A PEM key in a mounted secret file. */
const pemFileSchema = secretFileSchema.refine(isPrivateKey, NOT_A_KEY);

/**
 * Where clients load images from, for every service that hands out image links (the gateway's live
 * results, the gallery's pages): the same settings, so both give the same, equally signed links.
 * Check a schema extended with this shape with `checkCdnEnv`.
 */
export const cdnEnvSchema = z.object({
  /**
   * CloudFront base URL for image links (`https://images.example.com`); unset: links are `/images/...`
   * on the API, which the gallery service serves itself.
   */
  CDN_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  /** Public key id of the CloudFront key group: set it (and one private key) to sign image links. */
  CLOUDFRONT_KEY_PAIR_ID: z.string().regex(/^[A-Z0-9]{8,64}$/, 'must be a CloudFront public key id').optional(),
  /** The PEM RSA key, inline or as a mounted file. */
  ...secretsEnvShape(['CLOUDFRONT_PRIVATE_KEY'], inlinePemSchema, pemFileSchema),
  /** How long a signed image link stays valid. */
  SIGNED_URL_TTL_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(120, 'must be between 120 and 604800 seconds')
    .max(604_800, 'must be between 120 and 604800 seconds')
    .default(3600),
});

export type CdnEnv = z.output<typeof cdnEnvSchema>;

/** The rules across the CDN variables: signing needs a key id, exactly one key and a base URL. */
export function checkCdnEnv(env: CdnEnv, ctx: z.RefinementCtx): void {
  checkSecrets(env, ['CLOUDFRONT_PRIVATE_KEY'], ctx);
  const hasKey = secretOf(env, 'CLOUDFRONT_PRIVATE_KEY') !== undefined;
  if (env.CLOUDFRONT_KEY_PAIR_ID) {
    if (!env.CDN_BASE_URL) {
      ctx.addIssue({ code: 'custom', path: ['CDN_BASE_URL'], message: 'must be set when CLOUDFRONT_KEY_PAIR_ID is' });
    }
    if (!hasKey) {
      ctx.addIssue({ code: 'custom', path: ['CLOUDFRONT_PRIVATE_KEY'], message: 'must be set when CLOUDFRONT_KEY_PAIR_ID is' });
    }
  } else if (hasKey) {
    ctx.addIssue({ code: 'custom', path: ['CLOUDFRONT_KEY_PAIR_ID'], message: 'must be set when a CloudFront private key is' });
  }
}

/** What signing image links needs; undefined when links are not signed. */
export interface UrlSigning {
  keyPairId: string;
  privateKey: string;
  ttlSeconds: number;
}

export function urlSigningOf(config: CdnEnv): UrlSigning | undefined {
  const privateKey = secretOf(config, 'CLOUDFRONT_PRIVATE_KEY');
  if (!config.CLOUDFRONT_KEY_PAIR_ID || !privateKey) return undefined;
  return { keyPairId: config.CLOUDFRONT_KEY_PAIR_ID, privateKey, ttlSeconds: config.SIGNED_URL_TTL_SECONDS };
}
