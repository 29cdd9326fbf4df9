import { portSchema, s3EnvSchema, serviceEnvSchema } from '@pixel-prompt/config';
import type { z } from 'zod';

/** Every variable the gallery service reads; validated once at boot. */
export const configSchema = serviceEnvSchema.extend({ PORT: portSchema.default(3002) }).extend(s3EnvSchema.shape);

export type GalleryConfig = z.output<typeof configSchema>;
