import { Inject, Injectable } from '@nestjs/common';
import type { Logger, ServiceMetrics } from '@pixel-prompt/observability';
import { RedisConnection } from '@pixel-prompt/redis';
import { ApiError, LOGGER, METRICS } from '@pixel-prompt/service';
import type { Request, Response } from 'express';
import { Counter } from 'prom-client';
import { clientIp, rateLimitSubject } from './client-ip';
import type { GatewayConfig } from './config';
import { ContentFilter, DEFAULT_ALLOWED_TERMS, DEFAULT_BLOCKED_TERMS } from './content-filter';
import { IpAllowlist, type LimitRule, RateLimiter, rateLimitHeaders } from './rate-limiter';
import { GATEWAY_CONFIG } from './tokens';

/** What a request spends: each budget has its own counters, so one route never eats another's quota. */
export type Budget = 'generate' | 'enhance' | 'log';

const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * The public API's defences: who the client is (socket address, or X-Forwarded-For across the
 * configured proxy hops only), whether it still has quota (atomic, in Redis, shared by every
 * replica), and whether a text is acceptable. Callers validate and screen first, then admit, so a
 * refused prompt never costs quota.
 */
@Injectable()
export class Edge {
  private readonly limiter: RateLimiter;
  private readonly allowlist: IpAllowlist;
  private readonly filter: ContentFilter;
  private readonly decisions: Counter;
  private readonly refusals: Counter;

  constructor(
    redis: RedisConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(METRICS) { registry }: ServiceMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.limiter = new RateLimiter(redis.client);
    this.allowlist = new IpAllowlist(config.RATE_LIMIT_ALLOWLIST);
    this.filter = new ContentFilter({
      blocked: [...DEFAULT_BLOCKED_TERMS, ...config.CONTENT_FILTER_BLOCKED],
      allowed: [...DEFAULT_ALLOWED_TERMS, ...config.CONTENT_FILTER_ALLOWED],
    });
    this.decisions = new Counter({
      name: 'pixel_prompt_rate_limit_decisions_total',
      help: 'Rate limit decisions: requests each limit admitted, and refusals by the limit that refused them; allowlisted clients not counted.',
      labelNames: ['limit', 'outcome'],
      registers: [registry],
    });
    this.refusals = new Counter({
      name: 'pixel_prompt_content_filter_refusals_total',
      help: 'Texts the content filter refused, by what they were (prompt, enhanced_prompt).',
      labelNames: ['text'],
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
    this.refusals.inc({ text: what.replace(/ /g, '_') });
    this.logger.info({ what, term: verdict.term }, 'content refused');
    throw new ApiError(400, 'INAPPROPRIATE_CONTENT', `The ${what} contains content we cannot generate. Rephrase it and try again.`);
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
