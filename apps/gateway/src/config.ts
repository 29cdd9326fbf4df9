import { durationMsSchema, jobsEnvSchema, portSchema, redisEnvSchema, serviceEnvSchema } from '@pixel-prompt/config';
import { z } from 'zod';

/** Every variable the gateway reads; validated once at boot. */
export const configSchema = serviceEnvSchema
  .extend({
    PORT: portSchema.default(3000),
    /** CloudFront (or other CDN) base URL for image links; unset: links go to the API's /images route. */
    CDN_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** Comment lines on idle event streams, so proxies and load balancers keep them open. */
    SSE_HEARTBEAT_MS: durationMsSchema(1000, 120_000).default(15_000),
    /** The gallery service, inside the cluster; the gateway forwards /gallery and /images to it. */
    GALLERY_URL: z.url({ protocol: /^http$/, error: 'must be an http:// URL' }).default('http://127.0.0.1:3002'),
    /** Longest the gallery may stay silent before a forwarded request answers 504. */
    GALLERY_TIMEOUT_MS: durationMsSchema(100, 60_000).default(10_000),
  })
  .extend(redisEnvSchema.shape)
  .extend(jobsEnvSchema.shape);

export type GatewayConfig = z.output<typeof configSchema>;
