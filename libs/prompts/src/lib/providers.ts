import type { Provider } from '@nestjs/common';
import { type EnhancerConfig, createPromptEnhancer } from './enhancers/enhancer-factory';
import { PROMPT_ENHANCER } from './enhancers/prompt-enhancer';
import { type ModerationConfig, createModerationProvider } from './moderation/moderation-factory';
import { MODERATION_PROVIDER } from './moderation/moderation-provider';
import { PromptEnhancement } from './prompt-enhancement';
import { PROMPT_POLICY_CONFIG, PromptPolicy, type PromptPolicyConfig } from './prompt-policy';

/** Prompt policy as the service's configuration sets it up: the filter's terms, the enhancer ENHANCER names, the moderation stage MODERATION names. */
export function providePromptPolicy(config: PromptPolicyConfig & EnhancerConfig & ModerationConfig): Provider[] {
  return [
    { provide: PROMPT_POLICY_CONFIG, useValue: config },
    { provide: PROMPT_ENHANCER, useFactory: () => createPromptEnhancer(config) },
    // null when MODERATION is off (the default).
    { provide: MODERATION_PROVIDER, useFactory: () => createModerationProvider(config) },
    PromptPolicy,
    PromptEnhancement,
  ];
}
