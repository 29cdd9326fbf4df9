import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, loadConfig } from './load-config';
import { inlineKeySchema, keyFileSchema } from './schemas';
import { checkSecrets, secretOf, secretsEnvShape } from './secrets';

const NAMES = ['ALPHA_KEY', 'BETA_KEY'] as const;
const schema = z.object(secretsEnvShape(NAMES, inlineKeySchema, keyFileSchema)).superRefine((env, ctx) => checkSecrets(env, NAMES, ctx));

describe('secrets given inline or as a mounted file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pp-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads each secret from whichever of its two variables is set, the file at boot, and neither is required', () => {
    const file = join(dir, 'beta');
    writeFileSync(file, 'beta-from-file\n');
    const env = loadConfig(schema, { ALPHA_KEY: ' alpha ', BETA_KEY_FILE: file });
    expect([secretOf(env, 'ALPHA_KEY'), secretOf(env, 'BETA_KEY')]).toEqual(['alpha', 'beta-from-file']);
    // The configuration holds the content, never the path.
    expect(JSON.stringify(env)).not.toContain(file);
    expect(secretOf(loadConfig(schema, {}), 'ALPHA_KEY')).toBeUndefined();
  });

  it('refuses a secret given both ways, naming the variables and never the value', () => {
    const file = join(dir, 'alpha');
    writeFileSync(file, 'alpha-secret');
    let error: unknown;
    try {
      loadConfig(schema, { ALPHA_KEY: 'alpha-secret', ALPHA_KEY_FILE: file });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([{ variable: 'ALPHA_KEY_FILE', problem: 'must not be set together with ALPHA_KEY' }]);
    expect((error as Error).message).not.toContain('alpha-secret');
  });
});
