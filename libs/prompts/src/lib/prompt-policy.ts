import { Inject, Injectable } from '@nestjs/common';
import type { Logger, ServiceMetrics } from '@pixel-prompt/observability';
import { ProviderError } from '@pixel-prompt/providers';
import { ApiError, LOGGER, METRICS, humanDuration } from '@pixel-prompt/service';
import { Counter } from 'prom-client';
import { ContentFilter } from './content-filter/content-filter';
import { DEFAULT_CONTENT_POLICY } from './content-filter/policy';
import { MODERATION_PROVIDER, type ModerationProvider, type ModerationVerdict } from './moderation/moderation-provider';

/** What the policy reads, named after the environment variables the service validated at boot. */
export interface PromptPolicyConfig {
  /** Terms refused and phrases accepted on top of the built-in lists. */
  CONTENT_FILTER_BLOCKED: string[];
  CONTENT_FILTER_ALLOWED: string[];
  MODERATION_TIMEOUT_MS: number;
}

export const PROMPT_POLICY_CONFIG = Symbol('PROMPT_POLICY_CONFIG');

/** Retry-After of a moderation outage when the service named no wait of its own; its own is capped. */
const MODERATION_RETRY_AFTER_SECONDS = 15;
const MODERATION_MAX_RETRY_AFTER_SECONDS = 300;

/** Which check refused a text: the word list, or the hosted moderation stage. */
type Stage = 'word_list' | 'moderation';

/**
 * Whether a text may be generated from: the word list (`screen`), free and instant, and the optional
 * hosted moderation stage (`moderate`), which costs a call per text. Callers screen before they
 * spend any quota and moderate after, so a prompt the word list refuses never costs quota and a
 * client over its budget never makes us pay for a moderation call.
 */
@Injectable()
export class PromptPolicy {
  private readonly filter: ContentFilter;
  private readonly refusals: Counter;
  private readonly moderationChecks: Counter;

  constructor(
    @Inject(PROMPT_POLICY_CONFIG) private readonly config: PromptPolicyConfig,
    @Inject(MODERATION_PROVIDER) private readonly moderation: ModerationProvider | null,
    @Inject(METRICS) { registry }: ServiceMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.filter = new ContentFilter({
      ...DEFAULT_CONTENT_POLICY,
      blocked: [...DEFAULT_CONTENT_POLICY.blocked, ...config.CONTENT_FILTER_BLOCKED],
      allowed: [...DEFAULT_CONTENT_POLICY.allowed, ...config.CONTENT_FILTER_ALLOWED],
    });
    this.refusals = new Counter({
      name: 'pixel_prompt_content_filter_refusals_total',
      help: 'Texts refused as inappropriate, by the stage that refused them (word_list, moderation) and what they were (prompt, enhanced_prompt).',
      labelNames: ['stage', 'text'],
      registers: [registry],
    });
    this.moderationChecks = new Counter({
      name: 'pixel_prompt_moderation_checks_total',
      help: 'Texts sent to the hosted moderation stage, by provider and outcome (passed, flagged, unavailable: refused with 503).',
      labelNames: ['provider', 'outcome'],
      registers: [registry],
    });
  }

  /** Throws 400 INAPPROPRIATE_CONTENT when `text` holds a refused term; the term itself is never echoed. */
  screen(text: string, what: string): void {
    const verdict = this.filter.check(text);
    if (verdict.ok) return;
    throw this.refusal('word_list', what, { term: verdict.term });
  }

  /**
   * The hosted moderation stage, when MODERATION configures one: 400 INAPPROPRIATE_CONTENT when it flags
   * `text`. It fails closed: when the service cannot answer in MODERATION_TIMEOUT_MS (outage, throttling,
   * rejected credentials), the request is refused with 503 SERVICE_UNAVAILABLE and Retry-After, never
   * let through unchecked: an operator turns moderation on because the word list is not enough.
   */
  async moderate(text: string, what: string): Promise<void> {
    if (!this.moderation) return;
    const provider = this.moderation.name;
    let verdict: ModerationVerdict;
    try {
      verdict = await this.moderation.moderate(text, AbortSignal.timeout(this.config.MODERATION_TIMEOUT_MS));
    } catch (error) {
      this.moderationChecks.inc({ provider, outcome: 'unavailable' });
      this.logger.warn({ err: error, what, provider }, 'moderation unavailable: request refused');
      const asked = error instanceof ProviderError ? error.retryAfterSeconds : undefined;
      const wait = Math.min(Math.max(asked ?? MODERATION_RETRY_AFTER_SECONDS, 1), MODERATION_MAX_RETRY_AFTER_SECONDS);
      throw new ApiError(503, 'SERVICE_UNAVAILABLE', `The ${what} cannot be checked right now. Try again in ${humanDuration(wait)}.`, undefined, {
        retryAfter: wait,
      });
    }
    this.moderationChecks.inc({ provider, outcome: verdict.flagged ? 'flagged' : 'passed' });
    if (verdict.flagged) throw this.refusal('moderation', what, { provider, categories: verdict.categories });
  }

  private refusal(stage: Stage, what: string, why: Record<string, unknown>): ApiError {
    this.refusals.inc({ stage, text: what.replace(/ /g, '_') });
    this.logger.info({ what, stage, ...why }, 'content refused');
    return new ApiError(400, 'INAPPROPRIATE_CONTENT', `The ${what} contains content we cannot generate. Rephrase it and try again.`);
  }
}
