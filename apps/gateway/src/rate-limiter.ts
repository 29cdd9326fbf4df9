import { BlockList, isIP } from 'node:net';
import type { Redis } from 'ioredis';
import { normalizeIp } from './client-ip';

export interface LimitRule {
  /** Names the rule in decisions and headers; letters, digits, '_', '.', '-'. */
  name: string;
  /** Requests admitted per window; 0 refuses everything. */
  limit: number;
  windowSeconds: number;
  /** Whose counter this is, e.g. 'global' or 'ip:1.2.3.4'. */
  key: string;
}

export interface LimitPolicy {
  name: string;
  limit: number;
  windowSeconds: number;
}

export interface LimitDecision {
  allowed: boolean;
  /** When refused: the rule that refused it (the one that frees up last, if several are full). */
  limited?: string;
  /** When refused: seconds until `limited` admits again (rounded up); 0 when allowed. */
  retryAfterSeconds: number;
  /** The rule closest to refusing: fewest requests left, then the longest wait for its reset. */
  tightest: string;
  /** Requests left under `tightest` after this one. */
  remaining: number;
  /** Seconds until `tightest`'s window ends (rounded up). */
  resetSeconds: number;
  /** Every rule checked, in the order given. */
  policy: LimitPolicy[];
}

/*
 * Fixed windows aligned to the Unix epoch, decided with the clock of Redis (TIME) so that every
 * gateway replica agrees on the window whatever its own clock says.
 *
 * KEYS[i] is the counter of rule i: a hash of the window index `w` and the count `c` in it.
 * ARGV[2i-1] and ARGV[2i] are rule i's limit and window length in ms.
 * Every counter is checked before any is written, so a refusal changes nothing.
 * Reply: {1 if admitted, index of the refusing rule or 0, then per rule: count, ms until its window ends}.
 */
const CONSUME_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local windows, counts, ends, waits = {}, {}, {}, {}
local refusing, refusingWait = 0, -1
for i = 1, #KEYS do
  local limit = tonumber(ARGV[2 * i - 1])
  local windowMs = tonumber(ARGV[2 * i])
  local index = math.floor(now / windowMs)
  windows[i] = string.format('%.0f', index)
  ends[i] = (index + 1) * windowMs
  waits[i] = ends[i] - now
  local stored = redis.call('HMGET', KEYS[i], 'w', 'c')
  -- Compared by window rather than trusting expiry alone: a key can outlive its window by the
  -- time between the script starting (when Redis freezes its expiry clock) and TIME.
  if stored[1] == windows[i] then counts[i] = tonumber(stored[2]) else counts[i] = 0 end
  if counts[i] >= limit and waits[i] > refusingWait then
    refusing, refusingWait = i, waits[i]
  end
end
if refusing == 0 then
  for i = 1, #KEYS do
    counts[i] = counts[i] + 1
    redis.call('HSET', KEYS[i], 'w', windows[i], 'c', counts[i])
    redis.call('PEXPIREAT', KEYS[i], string.format('%.0f', ends[i]))
  end
end
local reply = { refusing == 0 and 1 or 0, refusing }
for i = 1, #KEYS do
  reply[#reply + 1] = counts[i]
  reply[#reply + 1] = waits[i]
end
return reply
`;

const COMMAND = 'ppRateLimitConsume';

type ScriptedRedis = Redis & {
  [COMMAND](numberOfKeys: number, ...args: (string | number)[]): Promise<number[]>;
};

// Also keeps Redis keys unambiguous (no ':') and makes the name a valid structured-field string.
const RULE_NAME = /^[A-Za-z0-9_.-]+$/;

function checkRules(rules: LimitRule[]): void {
  if (rules.length === 0) throw new RangeError('consume() needs at least one rule');
  const names = new Set<string>();
  for (const rule of rules) {
    if (!RULE_NAME.test(rule.name)) throw new RangeError(`invalid rate-limit rule name: ${JSON.stringify(rule.name)}`);
    if (names.has(rule.name)) throw new RangeError(`duplicate rate-limit rule name: ${rule.name}`);
    names.add(rule.name);
    if (!Number.isSafeInteger(rule.limit) || rule.limit < 0) {
      throw new RangeError(`rule ${rule.name}: limit must be a non-negative integer, got ${rule.limit}`);
    }
    if (!Number.isSafeInteger(rule.windowSeconds) || rule.windowSeconds < 1) {
      throw new RangeError(`rule ${rule.name}: windowSeconds must be a positive integer, got ${rule.windowSeconds}`);
    }
  }
}

const toSeconds = (ms: number): number => Math.ceil(ms / 1000);

/** Several fixed-window limits checked and counted together in one atomic Redis script. */
export class RateLimiter {
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly prefix = 'pp:rl',
  ) {
    // ioredis sends EVALSHA and falls back to EVAL when the server lacks the script (after a restart).
    redis.defineCommand(COMMAND, { lua: CONSUME_SCRIPT });
    this.redis = redis as ScriptedRedis;
  }

  /**
   * Admits the request only if every rule has room, and then counts it against all of them; a
   * refused request counts against none, so retrying while refused never pushes the reset further.
   * Redis errors are thrown: whether to fail open or closed is the caller's decision.
   */
  async consume(rules: LimitRule[]): Promise<LimitDecision> {
    checkRules(rules);
    const keys = rules.map((rule) => `${this.prefix}:${rule.name}:${rule.windowSeconds}:${rule.key}`);
    const args = rules.flatMap((rule) => [rule.limit, rule.windowSeconds * 1000]);
    const [admitted, refusing, ...perRule] = await this.redis[COMMAND](keys.length, ...keys, ...args);
    const policy = rules.map(({ name, limit, windowSeconds }) => ({ name, limit, windowSeconds }));
    const states = rules.map((rule, i) => ({
      name: rule.name,
      remaining: Math.max(0, rule.limit - (perRule[2 * i] ?? 0)),
      waitMs: perRule[2 * i + 1] ?? 0,
    }));

    if (admitted !== 1) {
      const refused = states[(refusing ?? 0) - 1];
      if (!refused) throw new Error(`rate-limit script named no refusing rule (${refusing})`);
      const retryAfterSeconds = toSeconds(refused.waitMs);
      return {
        allowed: false, limited: refused.name, retryAfterSeconds,
        tightest: refused.name, remaining: 0, resetSeconds: retryAfterSeconds, policy,
      };
    }
    const tightest = states.reduce((a, b) =>
      b.remaining < a.remaining || (b.remaining === a.remaining && b.waitMs > a.waitMs) ? b : a,
    );
    return {
      allowed: true, retryAfterSeconds: 0,
      tightest: tightest.name, remaining: tightest.remaining, resetSeconds: toSeconds(tightest.waitMs), policy,
    };
  }
}

/**
 * Response headers per draft-ietf-httpapi-ratelimit-headers-10/-11: RateLimit-Policy lists every
 * rule, RateLimit reports the tightest (for a refusal, the refusing one), both as structured-field
 * lists; Retry-After only on refusals, equal to RateLimit's t so the two never disagree.
 */
export function rateLimitHeaders(decision: LimitDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'RateLimit-Policy': decision.policy.map((p) => `"${p.name}";q=${p.limit};w=${p.windowSeconds}`).join(', '),
    RateLimit: `"${decision.tightest}";r=${decision.remaining};t=${decision.resetSeconds}`,
  };
  if (!decision.allowed) headers['Retry-After'] = String(decision.retryAfterSeconds);
  return headers;
}

/** Addresses and CIDR ranges (IPv4 and IPv6) exempt from rate limiting. */
export class IpAllowlist {
  private readonly list = new BlockList();

  /** Throws on an entry that is not an address or range: a typo must not silently exempt nobody. */
  constructor(entries: string[]) {
    for (const entry of entries) {
      const [text = '', prefixText, ...rest] = entry.trim().split('/');
      const address = normalizeIp(text);
      if (address === undefined || rest.length > 0) throw new Error(`invalid IP allowlist entry: ${JSON.stringify(entry)}`);
      const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      if (prefixText === undefined) {
        this.list.addAddress(address, family);
        continue;
      }
      let prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
      // ::ffff:10.0.0.0/104 was normalised to 10.0.0.0, so its prefix must shed the 96 mapping bits.
      if (family === 'ipv4' && isIP(text.trim()) === 6) prefix -= 96;
      if (!(prefix >= 0 && prefix <= (family === 'ipv4' ? 32 : 128))) {
        throw new Error(`invalid IP allowlist entry: ${JSON.stringify(entry)}`);
      }
      this.list.addSubnet(address, prefix, family);
    }
  }

  has(ip: string): boolean {
    const address = normalizeIp(ip);
    if (address === undefined) return false;
    return this.list.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
  }
}
