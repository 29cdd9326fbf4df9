import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cdnEnvSchema, checkCdnEnv, urlSigningOf } from './cdn';
import { ConfigError, loadConfig } from './load-config';

const configSchema = cdnEnvSchema.superRefine(checkCdnEnv);
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const SIGNED = { CDN_BASE_URL: 'https://cdn.example.com', CLOUDFRONT_KEY_PAIR_ID: 'K2JCJMDEHXQW5F' };

function problemsOf(env: Record<string, string>): Record<string, string> {
  try {
    loadConfig(configSchema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('PRIVATE KEY');
    return Object.fromEntries((error as ConfigError).problems.map((p) => [p.variable, p.problem]));
  }
  throw new Error('expected the configuration to be refused');
}

describe('CDN configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pp-cdn-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves images itself and signs nothing by default', () => {
    const config = loadConfig(configSchema, {});
    expect(config).toMatchObject({ SIGNED_URL_TTL_SECONDS: 3600 });
    expect(config.CDN_BASE_URL).toBeUndefined();
    expect(urlSigningOf(config)).toBeUndefined();
  });

  it('drops trailing slashes from the CDN base URL', () => {
    expect(loadConfig(configSchema, { CDN_BASE_URL: 'https://cdn.example.com/img//' }).CDN_BASE_URL).toBe(
      'https://cdn.example.com/img',
    );
  });

  it('signs with a key given inline or in a file', () => {
    const inline = urlSigningOf(loadConfig(configSchema, { ...SIGNED, CLOUDFRONT_PRIVATE_KEY: privateKey, SIGNED_URL_TTL_SECONDS: '600' }));
    expect(inline).toEqual({ keyPairId: 'K2JCJMDEHXQW5F', privateKey, ttlSeconds: 600 });

    const file = join(dir, 'key.pem');
    writeFileSync(file, privateKey);
    expect(urlSigningOf(loadConfig(configSchema, { ...SIGNED, CLOUDFRONT_PRIVATE_KEY_FILE: file }))?.privateKey).toBe(privateKey);
  });

  it('refuses incomplete or ambiguous signing settings, naming the variables', () => {
    expect(problemsOf({ CLOUDFRONT_KEY_PAIR_ID: 'K2JCJMDEHXQW5F' })).toEqual({
      CDN_BASE_URL: 'is required but not set',
      CLOUDFRONT_PRIVATE_KEY: 'is required but not set',
    });
    expect(problemsOf({ CDN_BASE_URL: 'https://cdn.example.com', CLOUDFRONT_PRIVATE_KEY: privateKey })).toEqual({
      CLOUDFRONT_KEY_PAIR_ID: 'is required but not set',
    });
    const file = join(dir, 'both.pem');
    writeFileSync(file, privateKey);
    expect(problemsOf({ ...SIGNED, CLOUDFRONT_PRIVATE_KEY: privateKey, CLOUDFRONT_PRIVATE_KEY_FILE: file })).toEqual({
      CLOUDFRONT_PRIVATE_KEY_FILE: 'must not be set together with CLOUDFRONT_PRIVATE_KEY',
    });
  });

  it('refuses keys that are not RSA private keys, and files it cannot read, without echoing them', () => {
    const notAKey = '-----BEGIN RSA PRIVATE KEY-----\nc2VjcmV0LXZhbHVl\n-----END RSA PRIVATE KEY-----';
    expect(problemsOf({ ...SIGNED, CLOUDFRONT_PRIVATE_KEY: notAKey })).toEqual({
      CLOUDFRONT_PRIVATE_KEY: 'must be a PEM-encoded RSA private key',
    });
    expect(problemsOf({ ...SIGNED, CLOUDFRONT_PRIVATE_KEY_FILE: join(dir, 'missing.pem') })).toEqual({
      CLOUDFRONT_PRIVATE_KEY_FILE: 'must name a readable file',
    });
    expect(problemsOf({ ...SIGNED, CLOUDFRONT_KEY_PAIR_ID: 'not an id', CLOUDFRONT_PRIVATE_KEY: privateKey })).toEqual({
      CLOUDFRONT_KEY_PAIR_ID: 'must be a CloudFront public key id',
    });
    expect(problemsOf({ ...SIGNED, CLOUDFRONT_PRIVATE_KEY: privateKey, SIGNED_URL_TTL_SECONDS: '30' })).toEqual({
      SIGNED_URL_TTL_SECONDS: 'must be between 120 and 604800 seconds',
    });
  });
});
