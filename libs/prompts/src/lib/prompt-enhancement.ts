import { Inject, Injectable } from '@nestjs/common';
import { ENHANCE_PROMPT_MAX_LENGTH, type EnhanceResponse } from '@pixel-prompt/contracts';
import type { Logger } from '@pixel-prompt/observability';
import { ApiError, LOGGER, parseBody } from '@pixel-prompt/service';
import { z } from 'zod';
import { PROMPT_ENHANCER, type PromptEnhancer } from './enhancers/prompt-enhancer';
import { PromptPolicy } from './prompt-policy';
import { promptSchema } from './visible-text';

/** Longest an enhancer may take; LLM enhancers answer in seconds, the local one at once. */
const ENHANCE_TIMEOUT_MS = 20_000;

/** The POST /enhance body; also the source of its OpenAPI schema. */
export const enhanceRequestSchema = z
  .object({
    prompt: promptSchema(ENHANCE_PROMPT_MAX_LENGTH),
  })
  .strict();

/** Enhancing a prompt: the input and the enhanced prompt both pass the policy, or nothing is returned. */
@Injectable()
export class PromptEnhancement {
  constructor(
    private readonly policy: PromptPolicy,
    @Inject(PROMPT_ENHANCER) private readonly enhancer: PromptEnhancer,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** `admit` spends the client's quota (throwing when it is spent): called only for a prompt the word list accepts. */
  async enhance(body: unknown, admit: () => Promise<void>): Promise<EnhanceResponse> {
    const { prompt } = parseBody(enhanceRequestSchema, body);
    this.policy.screen(prompt, 'prompt');
    await admit();
    await this.policy.moderate(prompt, 'prompt');
    let enhanced: string;
    try {
      enhanced = await this.enhancer.enhance(prompt, AbortSignal.timeout(ENHANCE_TIMEOUT_MS));
    } catch (error) {
      this.logger.warn({ err: error }, 'prompt enhancement failed');
      // Never the original dressed up as enhanced: the client must know nothing was added.
      throw new ApiError(502, 'ENHANCE_FAILED', 'The prompt could not be enhanced right now. Try again, or generate with your own prompt.');
    }
    this.policy.screen(enhanced, 'enhanced prompt');
    await this.policy.moderate(enhanced, 'enhanced prompt');
    return { original: prompt, enhanced };
  }
}
