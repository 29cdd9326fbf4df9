import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@pixel-prompt/config';
import { BedrockConverseEnhancer, GeminiEnhancer, LocalPromptEnhancer, OpenAiChatEnhancer, createPromptEnhancer } from '@pixel-prompt/prompts';
import type { LazyBedrockClient } from '@pixel-prompt/providers';
import { configSchema } from '../src/config';

const BASE = { REDIS_URL: 'redis://127.0.0.1:6379' };
const OPENAI_KEY = 'sk-gateway-config-test-0123456789';
const GEMINI_KEY = 'AIzaGatewayConfigTest0123456789';

function load(env: Record<string, string>) {
  return loadConfig(configSchema, { ...BASE, ...env });
}

/** The ConfigError a boot with `env` fails with; fails the test when the boot would succeed. */
function bootFailure(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected the configuration to be refused');
}

/** Private option fields of an enhancer, to check what the configuration passed on. */
const fieldsOf = (enhancer: unknown) => enhancer as { model: string; baseUrl?: string };

describe('ENHANCER selection', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'gateway-enhancer-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses the embedded enhancer by default, with no key needed', () => {
    const config = load({});
    expect(config.ENHANCER).toBe('local');
    expect(createPromptEnhancer(config)).toBeInstanceOf(LocalPromptEnhancer);
  });

  it('builds the OpenAI chat enhancer with its default model, or ENHANCER_MODEL and ENHANCER_BASE_URL', () => {
    const byDefault = createPromptEnhancer(load({ ENHANCER: 'openai', OPENAI_API_KEY: OPENAI_KEY }));
    expect(byDefault).toBeInstanceOf(OpenAiChatEnhancer);
    expect(fieldsOf(byDefault)).toMatchObject({ model: 'gpt-4o-mini', baseUrl: 'https://api.openai.com' });

    const configured = createPromptEnhancer(
      load({ ENHANCER: 'openai', OPENAI_API_KEY: OPENAI_KEY, ENHANCER_MODEL: 'gpt-4.1-nano', ENHANCER_BASE_URL: 'http://llm.internal:8080/' }),
    );
    expect(fieldsOf(configured)).toMatchObject({ model: 'gpt-4.1-nano', baseUrl: 'http://llm.internal:8080' });
  });

  it('reads the Gemini key from a mounted file, as the generation service does', () => {
    const file = join(dir, 'gemini-key');
    writeFileSync(file, `${GEMINI_KEY}\n`);
    const config = load({ ENHANCER: 'gemini', GEMINI_API_KEY_FILE: file });
    // The file's content, trimmed, replaces the path: the key is what reaches the enhancer.
    expect(config.GEMINI_API_KEY_FILE).toBe(GEMINI_KEY);
    const enhancer = createPromptEnhancer(config);
    expect(enhancer).toBeInstanceOf(GeminiEnhancer);
    expect(fieldsOf(enhancer).model).toBe('gemini-2.5-flash');
  });

  it('builds the Bedrock enhancer from the region and the default credential chain, with no key variable', async () => {
    const config = load({ ENHANCER: 'bedrock', AWS_REGION: 'eu-central-1', ENHANCER_MODEL: 'eu.amazon.nova-micro-v1:0' });
    const enhancer = createPromptEnhancer(config) as BedrockConverseEnhancer;
    expect(enhancer).toBeInstanceOf(BedrockConverseEnhancer);
    expect(fieldsOf(enhancer).model).toBe('eu.amazon.nova-micro-v1:0');
    // The SDK client is made on first use (LazyBedrockClient): ask for it to read its region.
    const client = await (enhancer as unknown as { client: LazyBedrockClient }).client.get();
    expect(await client.config.region()).toBe('eu-central-1');
    enhancer.destroy();
  });

  it.each([
    ['openai', 'OPENAI_API_KEY'],
    ['gemini', 'GEMINI_API_KEY'],
  ])('refuses to boot with ENHANCER=%s and no key, naming %s', (enhancer, variable) => {
    const error = bootFailure({ ENHANCER: enhancer });
    expect(error.problems).toEqual([{ variable, problem: 'is required but not set' }]);
  });

  it('does not take the other provider\'s key as the chosen one\'s', () => {
    expect(bootFailure({ ENHANCER: 'gemini', OPENAI_API_KEY: OPENAI_KEY }).problems.map((p) => p.variable)).toEqual(['GEMINI_API_KEY']);
  });

  it('refuses an unknown enhancer, a key set twice, a base URL for another provider and an unreadable key file', () => {
    expect(bootFailure({ ENHANCER: 'claude' }).problems).toEqual([{ variable: 'ENHANCER', problem: 'must be one of local, openai, gemini, bedrock' }]);

    const file = join(dir, 'openai-key');
    writeFileSync(file, OPENAI_KEY);
    const twice = bootFailure({ ENHANCER: 'openai', OPENAI_API_KEY: OPENAI_KEY, OPENAI_API_KEY_FILE: file });
    expect(twice.problems.map((p) => p.variable)).toEqual(['OPENAI_API_KEY_FILE']);
    // Values are never echoed: the key must not reach the boot log.
    expect(twice.message).not.toContain(OPENAI_KEY);

    expect(bootFailure({ ENHANCER: 'gemini', GEMINI_API_KEY: GEMINI_KEY, ENHANCER_BASE_URL: 'http://x.test' }).problems.map((p) => p.variable)).toEqual(['ENHANCER_BASE_URL']);
    expect(bootFailure({ ENHANCER: 'openai', OPENAI_API_KEY_FILE: join(dir, 'missing') }).problems).toEqual([
      { variable: 'OPENAI_API_KEY_FILE', problem: 'must name a readable file' },
    ]);
  });
});
