import { secretOf, type SecretVariables } from '@pixel-prompt/config';
import { configured } from '../configured';
import { LocalPromptEnhancer } from './local-enhancer';
import { BedrockConverseEnhancer, GeminiEnhancer, OpenAiChatEnhancer } from './llm-enhancers';
import type { PromptEnhancer } from './prompt-enhancer';

export const ENHANCERS = ['local', 'openai', 'gemini', 'bedrock'] as const;
export type EnhancerName = (typeof ENHANCERS)[number];

/** The key each hosted enhancer needs (Bedrock uses the AWS credential chain instead). */
export const ENHANCER_KEY_VARIABLES = {
  local: undefined,
  openai: 'OPENAI_API_KEY',
  gemini: 'GEMINI_API_KEY',
  bedrock: undefined,
} as const satisfies Record<EnhancerName, string | undefined>;

/**
 * What the factory reads, named after the environment variables the service validated at boot; a key
 * is given inline or as the content of its `*_FILE` (the configuration read the file).
 */
export interface EnhancerConfig extends Partial<Record<SecretVariables<'OPENAI_API_KEY' | 'GEMINI_API_KEY'>, string>> {
  ENHANCER: EnhancerName;
  ENHANCER_MODEL?: string;
  ENHANCER_BASE_URL?: string;
  AWS_REGION: string;
}

/** The enhancer ENHANCER names. */
export function createPromptEnhancer(config: EnhancerConfig): PromptEnhancer {
  const model = config.ENHANCER_MODEL;
  switch (config.ENHANCER) {
    case 'local':
      return new LocalPromptEnhancer();
    case 'openai':
      return new OpenAiChatEnhancer({ apiKey: configured('OPENAI_API_KEY', secretOf(config, 'OPENAI_API_KEY')), model, baseUrl: config.ENHANCER_BASE_URL });
    case 'gemini':
      return new GeminiEnhancer({ apiKey: configured('GEMINI_API_KEY', secretOf(config, 'GEMINI_API_KEY')), model });
    case 'bedrock':
      return new BedrockConverseEnhancer({ model, region: config.AWS_REGION });
  }
}
