import {
  cdnEnvSchema,
  checkCdnEnv,
  checkSecrets,
  durationMsSchema,
  inlineKeySchema,
  jobsEnvSchema,
  keyFileSchema,
  listSchema,
  portSchema,
  redisEnvSchema,
  secretOf,
  secretsEnvShape,
  serviceEnvSchema,
} from '@pixel-prompt/config';
import { ENHANCERS, ENHANCER_KEY_VARIABLES, MODERATION_PROVIDERS } from '@pixel-prompt/prompts';
import { z } from 'zod';
import { IpAllowlist } from './rate-limiter';

function countSchema(fallback: number) {
  return z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 10000000')
    .max(10_000_000, 'must be between 0 and 10000000')
    .default(fallback);
}

/** Whether every entry is an IP address or a CIDR range (`10.0.0.0/8`, `2001:db8::/32`). */
function isAllowlist(entries: string[]): boolean {
  try {
    new IpAllowlist(entries);
    return true;
  } catch {
    return false;
  }
}

const KEY_VARIABLES = ['OPENAI_API_KEY', 'GEMINI_API_KEY'] as const;

/** Every variable the gateway reads; validated once at boot. */
export const configSchema = serviceEnvSchema
  .extend({
    PORT: portSchema.default(3000),
    /** Comment lines on idle event streams, so proxies and load balancers keep them open. */
    SSE_HEARTBEAT_MS: durationMsSchema(1000, 120_000).default(15_000),
    /** The gallery service, inside the cluster; the gateway forwards /gallery and /images to it. */
    GALLERY_URL: z.url({ protocol: /^http$/, error: 'must be an http:// URL' }).default('http://127.0.0.1:3002'),
    /** Longest the gallery may stay silent before a forwarded request answers 504. */
    GALLERY_TIMEOUT_MS: durationMsSchema(100, 60_000).default(10_000),
    /** Generations per hour for everyone together, and per client IP per day (0 refuses all). */
    RATE_LIMIT_GLOBAL_PER_HOUR: countSchema(1000),
    RATE_LIMIT_IP_PER_DAY: countSchema(50),
    /** Separate, smaller budgets, so enhancing and error reports never eat the generation quota. */
    RATE_LIMIT_ENHANCE_IP_PER_HOUR: countSchema(30),
    RATE_LIMIT_LOG_IP_PER_MINUTE: countSchema(30),
    /** IPv6 clients are limited per network of this many leading bits: a subscriber gets a /64 (or more) and may rotate through it. */
    RATE_LIMIT_IPV6_PREFIX: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(16, 'must be between 16 and 128').max(128, 'must be between 16 and 128').default(64),
    /** Client IPs and CIDR ranges that bypass every limit (monitoring, the team's office). */
    RATE_LIMIT_ALLOWLIST: listSchema
      .refine(isAllowlist, 'must be a comma-separated list of IP addresses or CIDR ranges')
      .default([]),
    /**
     * Proxies in front of the gateway that append to X-Forwarded-For (the ALB: 1). The client IP is
     * the address the outermost of them saw; 0 trusts no header, only the socket.
     */
    TRUSTED_PROXY_HOPS: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be between 0 and 10').max(10, 'must be between 0 and 10').default(0),
    /**
     * Redis replicas that must hold a new job before POST /generate answers 202 (WAIT), so that a
     * failover to a replica keeps every accepted job; 0 answers once the primary has it.
     */
    REDIS_WAIT_REPLICAS: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be between 0 and 5').max(5, 'must be between 0 and 5').default(0),
    /** Longest wait for those replicas; past it the submission answers 503, to be retried with its Idempotency-Key. */
    REDIS_WAIT_TIMEOUT_MS: durationMsSchema(10, 10_000).default(500),
    /** Extra terms refused in prompts, and phrases always accepted, on top of the built-in lists. */
    CONTENT_FILTER_BLOCKED: listSchema.default([]),
    CONTENT_FILTER_ALLOWED: listSchema.default([]),
  })
  .extend({
    /** Which enhancer serves POST /enhance: the embedded one, or an LLM (see docs/PROVIDERS.md). */
    ENHANCER: z.enum(ENHANCERS, { error: `must be one of ${ENHANCERS.join(', ')}` }).default('local'),
    /** The LLM enhancer's model; unset: gpt-4o-mini, gemini-2.5-flash or amazon.nova-lite-v1:0. */
    ENHANCER_MODEL: z.string().trim().min(1, 'must not be blank').optional(),
    /** ENHANCER=openai only: another server speaking OpenAI's chat completions (a proxy, a compatible server). */
    ENHANCER_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** The enhancer's and the moderation stage's keys, inline or as a mounted file (one of the two); read as the generation service does. */
    ...secretsEnvShape(KEY_VARIABLES, inlineKeySchema, keyFileSchema),
    /** ENHANCER=bedrock or MODERATION=bedrock: the Bedrock region; credentials come from the AWS default chain (IRSA on EKS). */
    AWS_REGION: z.string().trim().min(1, 'must not be blank').default('us-east-1'),
  })
  .extend({
    /** The optional hosted moderation stage after the word list (docs/PROVIDERS.md "Moderation"); off by default. */
    MODERATION: z.enum(MODERATION_PROVIDERS, { error: `must be one of ${MODERATION_PROVIDERS.join(', ')}` }).default('off'),
    /** MODERATION=openai: the moderation model (unset: omni-moderation-latest) and another server speaking its API. */
    MODERATION_MODEL: z.string().trim().min(1, 'must not be blank').optional(),
    MODERATION_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** MODERATION=bedrock: the guardrail (id or ARN) and its version (a number or DRAFT), as ApplyGuardrail takes them. */
    MODERATION_GUARDRAIL_ID: z
      .string()
      .trim()
      .regex(/^([a-z0-9]+|arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail\/[a-z0-9]+)$/, 'must be a guardrail id or ARN')
      .optional(),
    MODERATION_GUARDRAIL_VERSION: z.string().trim().regex(/^([1-9][0-9]{0,7}|DRAFT)$/, 'must be a version number or DRAFT').optional(),
    /** Longest a moderation call may take before the request is refused with 503 (the stage fails closed). */
    MODERATION_TIMEOUT_MS: durationMsSchema(500, 30_000).default(5000),
  })
  .extend(redisEnvSchema.shape)
  .extend(jobsEnvSchema.shape)
  // Live results link images exactly as the gallery does (same CDN, same signing).
  .extend(cdnEnvSchema.shape)
  .superRefine((env, ctx) => {
    checkCdnEnv(env, ctx);
    checkSecrets(env, KEY_VARIABLES, ctx);
    // The gateway reads these keys for the enhancer and the moderation stage alone: choosing a provider
    // without its key fails the boot.
    const needs: [(typeof KEY_VARIABLES)[number] | undefined, string][] = [
      [ENHANCER_KEY_VARIABLES[env.ENHANCER], `ENHANCER=${env.ENHANCER}`],
      [env.MODERATION === 'openai' ? 'OPENAI_API_KEY' : undefined, 'MODERATION=openai'],
    ];
    const missing = new Set<string>();
    for (const [needed, setting] of needs) {
      if (!needed || secretOf(env, needed) || missing.has(needed)) continue;
      missing.add(needed);
      ctx.addIssue({ code: 'custom', path: [needed], message: `is required when ${setting} (or set ${needed}_FILE)` });
    }
    if (env.ENHANCER_BASE_URL && env.ENHANCER !== 'openai') {
      ctx.addIssue({ code: 'custom', path: ['ENHANCER_BASE_URL'], message: 'is only used with ENHANCER=openai' });
    }
    for (const variable of ['MODERATION_GUARDRAIL_ID', 'MODERATION_GUARDRAIL_VERSION'] as const) {
      if (env.MODERATION === 'bedrock' && !env[variable]) ctx.addIssue({ code: 'custom', path: [variable], message: 'is required when MODERATION=bedrock' });
      if (env.MODERATION !== 'bedrock' && env[variable]) ctx.addIssue({ code: 'custom', path: [variable], message: 'is only used with MODERATION=bedrock' });
    }
    for (const variable of ['MODERATION_MODEL', 'MODERATION_BASE_URL'] as const) {
      if (env.MODERATION !== 'openai' && env[variable]) ctx.addIssue({ code: 'custom', path: [variable], message: 'is only used with MODERATION=openai' });
    }
  });

export type GatewayConfig = z.output<typeof configSchema>;
