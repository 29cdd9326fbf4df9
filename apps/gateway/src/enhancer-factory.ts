import { BedrockConverseEnhancer, GeminiEnhancer, OpenAiChatEnhancer, type PromptEnhancer } from '@pixel-prompt/providers';
import type { GatewayConfig } from './config';
import { LocalPromptEnhancer } from './prompt-enhancer';

/**
 * The enhancer ENHANCER names. The schema already refused a hosted enhancer without its key, so a
 * missing key here is a programming error, not a configuration one.
 */
export function createPromptEnhancer(config: GatewayConfig): PromptEnhancer {
  const model = config.ENHANCER_MODEL;
  switch (config.ENHANCER) {
    case 'local':
      return new LocalPromptEnhancer();
    case 'openai':
      return new OpenAiChatEnhancer({ apiKey: requireKey(config.OPENAI_API_KEY ?? config.OPENAI_API_KEY_FILE, 'OPENAI_API_KEY'), model, baseUrl: config.ENHANCER_BASE_URL });
    case 'gemini':
      return new GeminiEnhancer({ apiKey: requireKey(config.GEMINI_API_KEY ?? config.GEMINI_API_KEY_FILE, 'GEMINI_API_KEY'), model });
    case 'bedrock':
      return new BedrockConverseEnhancer({ model, region: config.AWS_REGION });
  }
}

function requireKey(key: string | undefined, variable: string): string {
  if (!key) throw new Error(`${variable} is not set`);
  return key;
}
