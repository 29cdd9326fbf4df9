import { createHash, randomInt } from 'node:crypto';
import { ASPECT_RATIOS, type AspectRatio, GENERATION_LIMITS as L, type GenerateRequest, type GenerationParameters } from '@pixel-prompt/contracts';
import type { ModelRegistry } from '@pixel-prompt/models';
import { z } from 'zod';
import { hasVisibleText, parseBody, validationError } from './request-body';

/** The POST /generate body; also the source of its OpenAPI schema. */
export const generateRequestSchema = z
  .object({
    prompt: z
      .string({ error: 'must be a string' })
      .trim()
      .min(1, 'must not be empty')
      .max(L.promptMaxLength, `must be at most ${L.promptMaxLength} characters`)
      .refine(hasVisibleText, 'must not be empty'),
    steps: z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(L.steps.min, `must be between ${L.steps.min} and ${L.steps.max}`)
      .max(L.steps.max, `must be between ${L.steps.min} and ${L.steps.max}`)
      .default(L.steps.default),
    guidance: z
      .number({ error: 'must be a number' })
      .min(L.guidance.min, `must be between ${L.guidance.min} and ${L.guidance.max}`)
      .max(L.guidance.max, `must be between ${L.guidance.min} and ${L.guidance.max}`)
      .default(L.guidance.default),
    seed: z
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(L.seed.min, `must be between ${L.seed.min} and ${L.seed.max}`)
      .max(L.seed.max, `must be between ${L.seed.min} and ${L.seed.max}`)
      .optional(),
    models: z
      .array(z.string({ error: 'must be model ids' }), { error: 'must be a list of model ids' })
      .min(L.models.min, 'must name at least one model')
      .max(L.models.max, `must name at most ${L.models.max} models`)
      .optional(),
    negativePrompt: z
      .string({ error: 'must be a string' })
      .trim()
      .max(L.negativePromptMaxLength, `must be at most ${L.negativePromptMaxLength} characters`)
      .optional(),
    aspectRatio: z.enum(ASPECT_RATIOS, { error: `must be one of ${ASPECT_RATIOS.join(', ')}` }).optional(),
  })
  .strict();

export interface ValidGenerateRequest {
  prompt: string;
  parameters: GenerationParameters;
  models: { id: string; displayName: string }[];
  /** Identifies the request body for Idempotency-Key replays. */
  fingerprint: string;
}

/**
 * Checks a POST /generate body against the limits in the contracts and the configured models.
 * A missing seed is chosen here, so every job is reproducible from its reported parameters. An
 * empty negative prompt is no negative prompt.
 */
export function parseGenerateRequest(body: unknown, registry: ModelRegistry): ValidGenerateRequest {
  const request: GenerateRequest & { steps: number; guidance: number; aspectRatio?: AspectRatio } = parseBody(generateRequestSchema, body);
  const ids = request.models ?? registry.enabled.map((m) => m.id);
  const unknown = ids.filter((id) => !registry.get(id)?.enabled);
  if (unknown.length > 0) {
    throw validationError([{ field: 'models', message: `has unknown or disabled models: ${unknown.join(', ')}` }]);
  }
  const models = [...new Set(ids)].map((id) => ({ id, displayName: registry.get(id)?.displayName ?? id }));
  const negativePrompt = request.negativePrompt || undefined;
  const { aspectRatio } = request;
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([request.prompt, request.steps, request.guidance, request.seed ?? null, models.map((m) => m.id), negativePrompt ?? null, aspectRatio ?? null]))
    .digest('hex');
  const parameters: GenerationParameters = { steps: request.steps, guidance: request.guidance, seed: request.seed ?? randomInt(L.seed.max) };
  if (negativePrompt) parameters.negativePrompt = negativePrompt;
  if (aspectRatio) parameters.aspectRatio = aspectRatio;
  return { prompt: request.prompt, parameters, models, fingerprint };
}
