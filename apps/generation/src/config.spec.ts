import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@pixel-prompt/config';
import { apiKeysOf, configSchema } from './config';

const BASE = { REDIS_URL: 'redis://127.0.0.1:6379', S3_BUCKET: 'pixel-prompt' };
const OPENAI = 'sk-proj-abcdefghijklmnop0123456789';

function problemsOf(env: Record<string, string>): Record<string, string> {
  try {
    loadConfig(configSchema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain(OPENAI);
    return Object.fromEntries((error as ConfigError).problems.map((p) => [p.variable, p.problem]));
  }
  throw new Error('expected the configuration to be refused');
}

describe('generation configuration: provider keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pp-generation-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('needs no key at all (the built-in models have none)', () => {
    expect(apiKeysOf(loadConfig(configSchema, BASE))).toEqual({});
  });

  it('reads keys inline and from mounted files, trimming the newline secret stores add', () => {
    const file = join(dir, 'stability');
    writeFileSync(file, 'sk-stability-from-file\n');
    const config = loadConfig(configSchema, { ...BASE, OPENAI_API_KEY: OPENAI, STABILITY_API_KEY_FILE: file, BFL_API_KEY: ' bfl-key \n' });
    expect(apiKeysOf(config)).toEqual({ openai: OPENAI, stability: 'sk-stability-from-file', bfl: 'bfl-key' });
    // The output holds the key, never the path.
    expect(JSON.stringify(config)).not.toContain(file);
  });

  it('refuses an unreadable file and a key with spaces, naming variables only', () => {
    expect(problemsOf({ ...BASE, BFL_API_KEY_FILE: join(dir, 'missing'), STABILITY_API_KEY: `${OPENAI} extra` })).toEqual({
      BFL_API_KEY_FILE: 'must name a readable file',
      STABILITY_API_KEY: 'must be a single API key without spaces',
    });
  });

  it('refuses a key given both inline and as a file', () => {
    const file = join(dir, 'openai');
    writeFileSync(file, OPENAI);
    expect(problemsOf({ ...BASE, OPENAI_API_KEY: OPENAI, OPENAI_API_KEY_FILE: file })).toEqual({
      OPENAI_API_KEY_FILE: 'must not be set together with OPENAI_API_KEY',
    });
  });
});
