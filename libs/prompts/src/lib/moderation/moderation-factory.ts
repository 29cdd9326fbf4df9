import { secretOf, type SecretVariables } from '@pixel-prompt/config';
import { configured } from '../configured';
import { BedrockGuardrailModeration } from './bedrock-guardrail-moderation';
import type { ModerationProvider } from './moderation-provider';
import { OpenAiModeration } from './openai-moderation';

export const MODERATION_PROVIDERS = ['off', 'openai', 'bedrock'] as const;
export type ModerationName = (typeof MODERATION_PROVIDERS)[number];

/** What the factory reads, named after the environment variables the service validated at boot. */
export interface ModerationConfig extends Partial<Record<SecretVariables<'OPENAI_API_KEY'>, string>> {
  MODERATION: ModerationName;
  MODERATION_MODEL?: string;
  MODERATION_BASE_URL?: string;
  MODERATION_GUARDRAIL_ID?: string;
  MODERATION_GUARDRAIL_VERSION?: string;
  AWS_REGION: string;
}

/** The moderation stage MODERATION names, or null when it is off (the default). */
export function createModerationProvider(config: ModerationConfig): ModerationProvider | null {
  switch (config.MODERATION) {
    case 'off':
      return null;
    case 'openai':
      return new OpenAiModeration({
        apiKey: configured('OPENAI_API_KEY', secretOf(config, 'OPENAI_API_KEY')),
        model: config.MODERATION_MODEL,
        baseUrl: config.MODERATION_BASE_URL,
      });
    case 'bedrock':
      return new BedrockGuardrailModeration({
        guardrailId: configured('MODERATION_GUARDRAIL_ID', config.MODERATION_GUARDRAIL_ID),
        guardrailVersion: configured('MODERATION_GUARDRAIL_VERSION', config.MODERATION_GUARDRAIL_VERSION),
        region: config.AWS_REGION,
      });
  }
}
