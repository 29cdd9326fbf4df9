import { cdnEnvSchema, checkCdnEnv, portSchema, s3EnvSchema, serviceEnvSchema } from '@pixel-prompt/config';
import type { z } from 'zod';

/** Every variable the gallery service reads; validated once at boot. */
export const configSchema = serviceEnvSchema
  .extend({ PORT: portSchema.default(3002) })
  .extend(cdnEnvSchema.shape)
  .extend(s3EnvSchema.shape)
  .superRefine(checkCdnEnv);

export type GalleryConfig = z.output<typeof configSchema>;
