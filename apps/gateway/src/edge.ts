import { Inject, Injectable } from '@nestjs/common';
import type { ServiceMetrics } from '@pixel-prompt/observability';
import { RedisConnection } from '@pixel-prompt/redis';
import { ApiError, METRICS, humanDuration } from '@pixel-prompt/service';
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

/**
 * The public API's defences: who the client is (socket address, or X-Forwarded-For across the
 * configured proxy hops only) and whether it still has quota (atomic, in Redis, shared by every
 * replica). The use cases decide when a request is admitted (libs/prompts PromptPolicy says why
 * screening comes first and moderation after).
 */
@Injectable()
export class Edge {
  private readonly limiter: RateLimiter;
  private readonly allowlist: IpAllowlist;
  private readonly decisions: Counter;

  constructor(
    redis: RedisConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(METRICS) { registry }: ServiceMetrics,
  ) {
    this.limiter = new RateLimiter(redis.client);
    this.allowlist = new IpAllowlist(config.RATE_LIMIT_ALLOWLIST);
    this.decisions = new Counter({
      name: 'pixel_prompt_rate_limit_decisions_total',
      help: 'Rate limit decisions: requests each limit admitted, and refusals by the limit that refused them; allowlisted clients not counted.',
      labelNames: ['limit', 'outcome'],
      registers: [registry],
    });
  }

  clientIp(req: Request): string {
    return clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.config.TRUSTED_PROXY_HOPS);
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
