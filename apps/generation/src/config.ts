import { availableParallelism } from 'node:os';
import {
  checkSecrets,
  durationMsSchema,
  inlineKeySchema,
  jobsEnvSchema,
  keyFileSchema,
  portSchema,
  redisEnvSchema,
  s3EnvSchema,
  secretOf,
  secretsEnvShape,
  serviceEnvSchema,
} from '@pixel-prompt/config';
import { PROVIDER_KEY_VARIABLES, type KeyedProvider } from '@pixel-prompt/providers';
import { z } from 'zod';

const KEY_VARIABLES = Object.values(PROVIDER_KEY_VARIABLES);

/** Every variable the generation worker reads; validated once at boot. */
export const configSchema = serviceEnvSchema
  .extend({
    PORT: portSchema.default(3001),
    /**
     * Worker threads rendering the built-in models' images, off the event loop. One per core: the
     * event loop's own work between renders (uploads, Redis) is small, and a thread fewer would
     * render a job's nine images one after another on a two-core machine.
     */
    RENDER_THREADS: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be between 1 and 64')
      .max(64, 'must be between 1 and 64')
      .default(availableParallelism()),
    /**
     * How long a finished image (and a job's gallery) waits in memory for S3 to come back before the
     * model fails with STORAGE_UNAVAILABLE: the provider is never called again for an image it made.
     */
    STORAGE_RETRY_WINDOW_MS: durationMsSchema(0, 600_000).default(60_000),
  })
  // Hosted providers' API keys, inline or as a mounted file (one of the two); see docs/PROVIDERS.md.
  .extend(secretsEnvShape(KEY_VARIABLES, inlineKeySchema, keyFileSchema))
  .extend(redisEnvSchema.shape)
  .extend(s3EnvSchema.shape)
  .extend(jobsEnvSchema.shape)
  .superRefine((env, ctx) => checkSecrets(env, KEY_VARIABLES, ctx));

export type GenerationConfig = z.output<typeof configSchema>;

/** The hosted providers' keys, each from its variable or its `_FILE`. */
export function apiKeysOf(config: GenerationConfig): Partial<Record<KeyedProvider, string>> {
  const keys: Partial<Record<KeyedProvider, string>> = {};
  for (const [provider, variable] of Object.entries(PROVIDER_KEY_VARIABLES) as [KeyedProvider, (typeof KEY_VARIABLES)[number]][]) {
    const key = secretOf(config, variable);
    if (key) keys[provider] = key;
  }
  return keys;
}
