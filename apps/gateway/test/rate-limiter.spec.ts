import { Redis } from 'ioredis';
import { TestRedis, waitFor } from '@pixel-prompt/testing';
import { IpAllowlist, type LimitDecision, type LimitRule, RateLimiter, rateLimitHeaders } from '../src/rate-limiter';

const HOUR = 3600;
const DAY = 86400;

const globalRule = (limit = 1000, windowSeconds = HOUR): LimitRule => ({ name: 'global', limit, windowSeconds, key: 'global' });
const ipRule = (ip: string, limit = 50, windowSeconds = DAY): LimitRule => ({ name: 'ip', limit, windowSeconds, key: `ip:${ip}` });

let server: TestRedis;
let redis: Redis;
const extraClients: Redis[] = [];
let prefix: string;
let limiter: RateLimiter;
let testNumber = 0;

async function redisNowMs(): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/** What retryAfter/reset should be for an epoch-aligned window at Redis time `nowMs`. */
function secondsToWindowEnd(nowMs: number, windowSeconds: number): number {
  const windowMs = windowSeconds * 1000;
  return Math.ceil((windowMs - (nowMs % windowMs)) / 1000);
}

async function consumeUntilRefused(rules: LimitRule[]): Promise<LimitDecision> {
  return waitFor(
    async () => {
      const decision = await limiter.consume(rules);
      return !decision.allowed && decision;
    },
    { intervalMs: 1, what: 'a refusal' },
  );
}

beforeAll(async () => {
  server = await TestRedis.start();
  redis = new Redis(server.url);
});

afterAll(async () => {
  await Promise.all([redis, ...extraClients].map((client) => client.quit()));
  await server.dispose();
});

beforeEach(() => {
  // A fresh key space per test, so no test sees another's counters.
  prefix = `test:${++testNumber}`;
  limiter = new RateLimiter(redis, prefix);
});

describe('RateLimiter', () => {
  it('admits exactly the limit out of 500 concurrent requests from one IP', async () => {
    const rules = [globalRule(), ipRule('192.0.2.1')];
    const decisions = await Promise.all(Array.from({ length: 500 }, () => limiter.consume(rules)));

    expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
    const refused = decisions.filter((d) => !d.allowed);
    expect(refused).toHaveLength(450);
    expect(new Set(refused.map((d) => d.limited))).toEqual(new Set(['ip']));
    // The 450 refusals left the shared counter alone: 50 admitted, plus this one.
    expect((await limiter.consume([globalRule()])).remaining).toBe(1000 - 51);
  });

  it('admits exactly the limit when several gateway connections race', async () => {
    const limiters = Array.from({ length: 4 }, () => {
      const client = new Redis(server.url);
      extraClients.push(client);
      return new RateLimiter(client, prefix);
    });
    const rules = [globalRule(), ipRule('192.0.2.1')];
    const decisions = await Promise.all(
      Array.from({ length: 500 }, (_, i) => limiters[i % limiters.length]?.consume(rules)),
    );

    expect(decisions.filter((d) => d?.allowed)).toHaveLength(50);
  });

  it('counts a request refused by one rule against none of the others', async () => {
    const rules = (ip: string) => [globalRule(3), ipRule(ip)];
    for (let i = 0; i < 3; i++) expect((await limiter.consume(rules('192.0.2.1'))).allowed).toBe(true);

    for (let i = 0; i < 5; i++) {
      const decision = await limiter.consume(rules('192.0.2.2'));
      expect(decision).toMatchObject({ allowed: false, limited: 'global', tightest: 'global', remaining: 0 });
      expect(decision.retryAfterSeconds).toBeGreaterThan(0);
      expect(decision.retryAfterSeconds).toBeLessThanOrEqual(HOUR);
    }
    // Five refusals, yet the second IP's own counter is untouched.
    expect((await limiter.consume([ipRule('192.0.2.2')])).remaining).toBe(49);
  });

  it('keeps different IPs independent', async () => {
    await consumeUntilRefused([ipRule('192.0.2.1', 2)]);

    const other = await limiter.consume([ipRule('192.0.2.2', 2)]);
    expect(other).toMatchObject({ allowed: true, remaining: 1 });
    expect((await limiter.consume([ipRule('192.0.2.1', 2)])).allowed).toBe(false);
  });

  it('gives retryAfter as the time left in the window by the Redis clock, not the client clock', async () => {
    await limiter.consume([ipRule('192.0.2.1', 1)]);
    const before = await redisNowMs();
    // A gateway clock this wrong must not matter: the window is Redis's.
    const clock = jest.spyOn(Date, 'now').mockReturnValue(0);
    let decision: LimitDecision;
    try {
      decision = await limiter.consume([ipRule('192.0.2.1', 1)]);
    } finally {
      clock.mockRestore();
    }
    const after = await redisNowMs();

    expect(decision).toMatchObject({ allowed: false, limited: 'ip' });
    expect(decision.retryAfterSeconds).toBeGreaterThan(0);
    expect(decision.retryAfterSeconds).toBeLessThanOrEqual(DAY);
    expect(decision.retryAfterSeconds).toBeLessThanOrEqual(secondsToWindowEnd(before, DAY));
    expect(decision.retryAfterSeconds).toBeGreaterThanOrEqual(secondsToWindowEnd(after, DAY));
    expect(decision.resetSeconds).toBe(decision.retryAfterSeconds);
  });

  it('names the rule that frees up last when several are full', async () => {
    // Windows that do not nest, so which one ends later depends on the time of day.
    const rules = [globalRule(1, 5000), ipRule('192.0.2.1', 1, 7000)];
    expect((await limiter.consume(rules)).allowed).toBe(true);
    const before = await redisNowMs();
    const decision = await limiter.consume(rules);
    const after = await redisNowMs();

    const waits = (at: number) => ({ global: secondsToWindowEnd(at, 5000), ip: secondsToWindowEnd(at, 7000) });
    const latest = (at: number) => Math.max(...Object.values(waits(at)));
    expect(decision.allowed).toBe(false);
    expect(decision.retryAfterSeconds).toBeLessThanOrEqual(latest(before));
    expect(decision.retryAfterSeconds).toBeGreaterThanOrEqual(latest(after));
    // Whole seconds cannot tell apart two windows ending within a second of each other.
    expect(waits(before)[decision.limited as 'global' | 'ip']).toBeGreaterThanOrEqual(latest(before) - 1);
  });

  it('admits again once the window is over, not before', async () => {
    const rules = [ipRule('192.0.2.1', 1, 2)];
    const refused = await consumeUntilRefused(rules);
    const refusedAt = Date.now();
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(2);

    const admitted = await waitFor(
      async () => {
        const decision = await limiter.consume(rules);
        return decision.allowed && decision;
      },
      { intervalMs: 20, what: 'the next window' },
    );
    const waited = Date.now() - refusedAt;

    // retryAfter is rounded up to whole seconds, so the real wait lies within its last second.
    expect(waited).toBeLessThanOrEqual(refused.retryAfterSeconds * 1000 + 250);
    expect(waited).toBeGreaterThan((refused.retryAfterSeconds - 1) * 1000 - 100);
    expect(admitted.remaining).toBe(0);
  });

  it('expires its counters when their window ends', async () => {
    await limiter.consume([globalRule(), ipRule('192.0.2.1')]);
    const now = await redisNowMs();

    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.sort()).toEqual([`${prefix}:global:${HOUR}:global`, `${prefix}:ip:${DAY}:ip:192.0.2.1`]);
    for (const [key, windowSeconds] of [[keys[0], HOUR], [keys[1], DAY]] as const) {
      const ttl = await redis.pttl(key ?? '');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(secondsToWindowEnd(now, windowSeconds) * 1000);
    }
  });

  it('reports the rule with the fewest requests left', async () => {
    const first = await limiter.consume([globalRule(), ipRule('192.0.2.1')]);
    const now = await redisNowMs();
    expect(first).toMatchObject({ allowed: true, tightest: 'ip', remaining: 49, retryAfterSeconds: 0 });
    expect(first.limited).toBeUndefined();
    expect(Math.abs(first.resetSeconds - secondsToWindowEnd(now, DAY))).toBeLessThanOrEqual(1);
    expect(first.policy).toEqual([
      { name: 'global', limit: 1000, windowSeconds: HOUR },
      { name: 'ip', limit: 50, windowSeconds: DAY },
    ]);

    const second = await limiter.consume([globalRule(2), ipRule('192.0.2.2')]);
    expect(second).toMatchObject({ allowed: true, tightest: 'global', remaining: 0 });
  });

  it('refuses everything under a zero limit', async () => {
    const decision = await limiter.consume([globalRule(), ipRule('192.0.2.1', 0)]);
    expect(decision).toMatchObject({ allowed: false, limited: 'ip', remaining: 0 });
    expect((await limiter.consume([globalRule()])).remaining).toBe(999);
  });

  it('rejects malformed rules before touching Redis', async () => {
    await expect(limiter.consume([])).rejects.toThrow(RangeError);
    await expect(limiter.consume([globalRule(), globalRule()])).rejects.toThrow(/duplicate/);
    await expect(limiter.consume([{ ...globalRule(), name: 'a:b' }])).rejects.toThrow(/name/);
    await expect(limiter.consume([{ ...globalRule(), name: 'a"b' }])).rejects.toThrow(/name/);
    await expect(limiter.consume([globalRule(-1)])).rejects.toThrow(/limit/);
    await expect(limiter.consume([globalRule(1.5)])).rejects.toThrow(/limit/);
    await expect(limiter.consume([globalRule(10, 0)])).rejects.toThrow(/windowSeconds/);
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });
});

describe('rateLimitHeaders', () => {
  const policy = [
    { name: 'global', limit: 1000, windowSeconds: HOUR },
    { name: 'ip', limit: 50, windowSeconds: DAY },
  ];

  it('describes every policy and the tightest service limit of an admitted request', () => {
    const decision: LimitDecision = {
      allowed: true, retryAfterSeconds: 0, tightest: 'ip', remaining: 12, resetSeconds: 3600, policy,
    };
    expect(rateLimitHeaders(decision)).toEqual({
      'RateLimit-Policy': '"global";q=1000;w=3600, "ip";q=50;w=86400',
      RateLimit: '"ip";r=12;t=3600',
    });
  });

  it('adds Retry-After to a refusal, agreeing with the RateLimit field', () => {
    const decision: LimitDecision = {
      allowed: false, limited: 'global', retryAfterSeconds: 1234, tightest: 'global', remaining: 0, resetSeconds: 1234, policy,
    };
    expect(rateLimitHeaders(decision)).toEqual({
      'RateLimit-Policy': '"global";q=1000;w=3600, "ip";q=50;w=86400',
      RateLimit: '"global";r=0;t=1234',
      'Retry-After': '1234',
    });
  });

  it('formats real decisions', async () => {
    const rules = [globalRule(), ipRule('192.0.2.9', 1)];
    const admitted = rateLimitHeaders(await limiter.consume(rules));
    expect(admitted['RateLimit']).toMatch(/^"ip";r=0;t=\d+$/);
    expect(admitted['Retry-After']).toBeUndefined();

    const refused = rateLimitHeaders(await limiter.consume(rules));
    const t = /^"ip";r=0;t=(\d+)$/.exec(refused['RateLimit'] ?? '')?.[1];
    expect(Number(t)).toBeGreaterThan(0);
    expect(refused['Retry-After']).toBe(t);
  });
});

describe('IpAllowlist', () => {
  const allowlist = new IpAllowlist([
    '198.51.100.7', '10.0.0.0/8', '2001:db8::1', '2001:db8:abcd::/48', '::ffff:172.16.0.0/108', '::ffff:192.0.2.33',
  ]);

  it('matches single IPv4 and IPv6 addresses', () => {
    expect(allowlist.has('198.51.100.7')).toBe(true);
    expect(allowlist.has('198.51.100.8')).toBe(false);
    expect(allowlist.has('2001:db8::1')).toBe(true);
    expect(allowlist.has('2001:DB8:0:0:0:0:0:1')).toBe(true);
    expect(allowlist.has('2001:db8::2')).toBe(false);
  });

  it('matches IPv4 and IPv6 CIDR ranges', () => {
    expect(allowlist.has('10.0.0.0')).toBe(true);
    expect(allowlist.has('10.255.255.255')).toBe(true);
    expect(allowlist.has('11.0.0.0')).toBe(false);
    expect(allowlist.has('2001:db8:abcd:ffff::1')).toBe(true);
    expect(allowlist.has('2001:db8:abce::1')).toBe(false);
  });

  it('treats IPv4-mapped IPv6 as the IPv4 address it carries, in entries and lookups', () => {
    expect(allowlist.has('::ffff:198.51.100.7')).toBe(true);
    expect(allowlist.has('::ffff:10.1.2.3')).toBe(true);
    expect(allowlist.has('::ffff:0a01:0203')).toBe(true);
    expect(allowlist.has('::ffff:11.1.2.3')).toBe(false);
    expect(allowlist.has('192.0.2.33')).toBe(true);
    expect(allowlist.has('172.31.255.255')).toBe(true);
    expect(allowlist.has('172.32.0.0')).toBe(false);
    expect(allowlist.has('::ffff:172.20.0.1')).toBe(true);
  });

  it('matches nothing for junk', () => {
    for (const junk of ['', 'localhost', '10.0.0.0/8', '10.1.2.3:80', 'not an ip']) expect(allowlist.has(junk)).toBe(false);
    expect(new IpAllowlist([]).has('10.0.0.1')).toBe(false);
  });

  it('refuses malformed entries', () => {
    for (const bad of ['10.0.0.0/33', '2001:db8::/129', '10.0.0.0/', '10.0.0.0/8/8', 'example.com', '10.0.0.0/-1', '::ffff:10.0.0.0/95']) {
      expect(() => new IpAllowlist([bad])).toThrow(/invalid IP allowlist entry/);
    }
  });
});
