import { portSchema, redisEnvSchema, s3EnvSchema, serviceEnvSchema } from '@pixel-prompt/config';
import type { z } from 'zod';

/** Every variable the generation worker reads; validated once at boot. */
export const configSchema = serviceEnvSchema
  .extend({ PORT: portSchema.default(3001) })
  .extend(redisEnvSchema.shape)
  .extend(s3EnvSchema.shape);

export type GenerationConfig = z.output<typeof configSchema>;
