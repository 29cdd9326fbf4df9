import { availableParallelism } from 'node:os';
import { jobsEnvSchema, portSchema, redisEnvSchema, s3EnvSchema, serviceEnvSchema } from '@pixel-prompt/config';
import { z } from 'zod';

/** Every variable the generation worker reads; validated once at boot. */
export const configSchema = serviceEnvSchema
  .extend({
    PORT: portSchema.default(3001),
    /** Worker threads rendering the built-in models' images, off the event loop. */
    RENDER_THREADS: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be between 1 and 64')
      .max(64, 'must be between 1 and 64')
      .default(Math.max(1, availableParallelism() - 1)),
  })
  .extend(redisEnvSchema.shape)
  .extend(s3EnvSchema.shape)
  .extend(jobsEnvSchema.shape);

export type GenerationConfig = z.output<typeof configSchema>;
