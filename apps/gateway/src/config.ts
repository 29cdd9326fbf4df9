import { portSchema, redisEnvSchema, serviceEnvSchema } from '@pixel-prompt/config';
import type { z } from 'zod';

/** Every variable the gateway reads; validated once at boot. */
export const configSchema = serviceEnvSchema.extend({ PORT: portSchema.default(3000) }).extend(redisEnvSchema.shape);

export type GatewayConfig = z.output<typeof configSchema>;
