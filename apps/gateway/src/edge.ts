import { Inject, Injectable } from '@nestjs/common';
import type { Logger, ServiceMetrics } from '@pixel-prompt/observability';
import { ContentFilter, DEFAULT_CONTENT_POLICY, MODERATION_PROVIDER, type ModerationProvider, type ModerationVerdict } from '@pixel-prompt/prompts';
import { ProviderError } from '@pixel-prompt/providers';
import { RedisConnection } from '@pixel-prompt/redis';
import { ApiError, LOGGER, METRICS } from '@pixel-prompt/service';
import type { Request, Response } from 'express';
import { Counter } from 'prom-client';
import { clientIp, rateLimitSubject } from './client-ip';
import type { GatewayConfig } from './config';
import { IpAllowlist, type LimitRule, RateLimiter, rateLimitHeaders } from './rate-limiter';
import { GATEWAY_CONFIG } from './tokens';

/** What a request spends: each budget has its own counters, so one route never eats another's quota. */
export type Budget = 'generate' | 'enhance' | 'log';

const HOUR = 3600;
const DAY = 24 * HOUR;
/** Retry-After of a moderation outage when the service named no wait of its own; its own is capped. */
const MODERATION_RETRY_AFTER_SECONDS = 15;
const MODERATION_MAX_RETRY_AFTER_SECONDS = 300;

/** Which check refused a text: the word list, or the hosted moderation stage. */
type Stage = 'word_list' | 'moderation';

/**
 * The public API's defences: who the client is (socket address, or X-Forwarded-For across the
 * configured proxy hops only), whether it still has quota (atomic, in Redis, shared by every
 * replica), and whether a text is acceptable. Callers validate and screen with the word list first,
 * then admit, so a prompt the word list refuses never costs quota; then the optional hosted
 * moderation stage, which costs a call per text, so a client over its budget never makes us pay for one.
 */
@Injectable()
export class Edge {
  private readonly limiter: RateLimiter;
  private readonly allowlist: IpAllowlist;
  private readonly filter: ContentFilter;
  private readonly decisions: Counter;
  private readonly refusals: Counter;
  private readonly moderationChecks: Counter;

  constructor(
    redis: RedisConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(METRICS) { registry }: ServiceMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(MODERATION_PROVIDER) private readonly moderation: ModerationProvider | null,
  ) {
    this.limiter = new RateLimiter(redis.client);
    this.allowlist = new IpAllowlist(config.RATE_LIMIT_ALLOWLIST);
    this.filter = new ContentFilter({
      ...DEFAULT_CONTENT_POLICY,
      blocked: [...DEFAULT_CONTENT_POLICY.blocked, ...config.CONTENT_FILTER_BLOCKED],
      allowed: [...DEFAULT_CONTENT_POLICY.allowed, ...config.CONTENT_FILTER_ALLOWED],
    });
    this.decisions = new Counter({
      name: 'pixel_prompt_rate_limit_decisions_total',
      help: 'Rate limit decisions: requests each limit admitted, and refusals by the limit that refused them; allowlisted clients not counted.',
      labelNames: ['limit', 'outcome'],
      registers: [registry],
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

  clientIp(req: Request): string {
    return clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.config.TRUSTED_PROXY_HOPS);
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
  async moderate(text: string, what: string, res: Response): Promise<void> {
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
      res.setHeader('Retry-After', String(wait));
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

  /** Counts the request against its budget, sets the RateLimit headers, and throws 429 when it is spent. */
  async admit(budget: Budget, req: Request, res: Response): Promise<void> {
    const ip = this.clientIp(req);
    if (this.allowlist.has(ip)) return;
    const decision = await this.limiter.consume(this.rules(budget, rateLimitSubject(ip, this.config.RATE_LIMIT_IPV6_PREFIX)));
    for (const [name, value] of Object.entries(rateLimitHeaders(decision))) res.setHeader(name, value);
    if (decision.allowed) {
      for (const rule of decision.policy) this.decisions.inc({ limit: `${budget}_${rule.name}`, outcome: 'allowed' });
      return;
    }
    // A refusal is the tripping rule's alone: the others neither admitted nor counted the request.
    this.decisions.inc({ limit: `${budget}_${decision.limited}`, outcome: 'limited' });
    const wait = decision.retryAfterSeconds;
    throw new ApiError(
      429,
      'RATE_LIMIT_EXCEEDED',
      `Too many requests: the ${decision.limited === 'global' ? 'service-wide' : 'per-client'} limit is reached. Try again in ${humanDuration(wait)}.`,
      undefined,
      { retryAfter: wait },
    );
  }

  /** `client`: the address, or for IPv6 the network, the per-client limits count. */
  private rules(budget: Budget, client: string): LimitRule[] {
    const c = this.config;
    switch (budget) {
      case 'generate':
        return [
          { name: 'global', limit: c.RATE_LIMIT_GLOBAL_PER_HOUR, windowSeconds: HOUR, key: 'generate' },
          { name: 'ip', limit: c.RATE_LIMIT_IP_PER_DAY, windowSeconds: DAY, key: `generate:${client}` },
        ];
      case 'enhance':
        return [{ name: 'ip', limit: c.RATE_LIMIT_ENHANCE_IP_PER_HOUR, windowSeconds: HOUR, key: `enhance:${client}` }];
      case 'log':
        return [{ name: 'ip', limit: c.RATE_LIMIT_LOG_IP_PER_MINUTE, windowSeconds: 60, key: `log:${client}` }];
    }
  }
}

function humanDuration(seconds: number): string {
  if (seconds < 90) return `${seconds} seconds`;
  if (seconds < 90 * 60) return `${Math.ceil(seconds / 60)} minutes`;
  return `${Math.ceil(seconds / 3600)} hours`;
}
