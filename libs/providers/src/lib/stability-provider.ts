import { Injectable } from '@nestjs/common';
import type { ModelCapabilities } from '@pixel-prompt/contracts';
import type { ModelConfig } from '@pixel-prompt/models';
import { nearestAspectRatio } from './aspect-ratio';
import type { GeneratedImage, ImageProvider, ImageRequest } from './image-provider';
import { ProviderError } from './image-provider';
import {
  ProviderCredentials,
  errorBody,
  errorForStatus,
  generatedImage,
  isRecord,
  providerFetch,
  readBody,
  sanitizeProviderText,
  scaleGuidance,
  stringField,
  stringOption,
  trimSlash,
  type FailureDetail,
} from './http';

export const STABILITY_BASE_URL = 'https://api.stability.ai';
/** The shapes Stable Image (and Stability's models on Bedrock) accept in `aspect_ratio`. */
export const STABILITY_ASPECT_RATIOS = ['21:9', '16:9', '3:2', '5:4', '1:1', '4:5', '2:3', '9:16', '9:21'] as const;
const LABEL = 'Stability AI';

/** `ultra` and `core` have their own endpoints; every SD3 model (`sd3.5-large`, ...) shares `sd3`. */
function endpointOf(providerModel: string): 'ultra' | 'core' | 'sd3' {
  if (providerModel === 'ultra' || providerModel === 'core') return providerModel;
  return 'sd3';
}

export function stabilityFailure(status: number, body: unknown): FailureDetail {
  const name = stringField(body, 'name');
  const errors = isRecord(body) && Array.isArray(body['errors']) ? body['errors'].filter((e): e is string => typeof e === 'string') : [];
  const message = errors.join('; ') || (typeof body === 'string' ? body : undefined);
  return {
    providerCode: name,
    message: message ? sanitizeProviderText(message) : undefined,
    contentRejected: name === 'content_moderation' || (status === 403 && /moderat|content/i.test(message ?? '')),
    quotaExhausted: name === 'payment_required' || name === 'insufficient_balance',
  };
}

/**
 * Stability AI's Stable Image v2beta (`POST /v2beta/stable-image/generate/{ultra|core|sd3}`):
 * multipart form in, image bytes out (`accept: image/*`). `providerModel` is `ultra`, `core` or an
 * SD3 model id (`sd3.5-large`, `sd3.5-large-turbo`, `sd3.5-medium`).
 *
 * Options: `baseUrl`, `aspectRatio` (`1:1` by default; a requested one wins, as the nearest of
 * Stability's), `outputFormat` (`png` by default), `stylePreset` (core).
 */
@Injectable()
export class StabilityImageProvider implements ImageProvider {
  constructor(private readonly credentials: ProviderCredentials) {}

  capabilities(model: ModelConfig): ModelCapabilities {
    const sd3 = endpointOf(model.providerModel) === 'sd3';
    return { size: true, seed: true, steps: false, guidance: sd3, negativePrompt: !model.providerModel.includes('turbo') };
  }

  async generate({ prompt, guidance, seed, negativePrompt, aspectRatio, model }: ImageRequest, signal: AbortSignal): Promise<GeneratedImage> {
    const key = this.credentials.require('stability');
    const endpoint = endpointOf(model.providerModel);
    const capabilities = this.capabilities(model);
    const form = new FormData();
    form.set('prompt', prompt);
    form.set('seed', String(seed));
    form.set('aspect_ratio', aspectRatio ? nearestAspectRatio(aspectRatio, STABILITY_ASPECT_RATIOS) : (stringOption(model, 'aspectRatio') ?? '1:1'));
    form.set('output_format', stringOption(model, 'outputFormat') ?? 'png');
    if (endpoint === 'sd3') {
      form.set('mode', 'text-to-image');
      form.set('model', model.providerModel);
      // SD3's cfg_scale runs 1-10.
      form.set('cfg_scale', String(scaleGuidance(guidance, 1, 10)));
    }
    if (negativePrompt && capabilities.negativePrompt) form.set('negative_prompt', negativePrompt);
    const stylePreset = stringOption(model, 'stylePreset');
    if (stylePreset) form.set('style_preset', stylePreset);

    const url = `${trimSlash(stringOption(model, 'baseUrl') ?? STABILITY_BASE_URL)}/v2beta/stable-image/generate/${endpoint}`;
    const response = await providerFetch(LABEL, url, { method: 'POST', headers: { authorization: `Bearer ${key}`, accept: 'image/*' }, body: form }, signal);
    if (!response.ok) {
      throw errorForStatus(LABEL, response.status, stabilityFailure(response.status, await errorBody(response, signal)), response.headers.get('retry-after'));
    }
    // A filtered image still comes back (blurred) with 200; we do not show it.
    if (response.headers.get('finish-reason') === 'CONTENT_FILTERED') {
      await errorBody(response, signal);
      throw new ProviderError('CONTENT_REJECTED', `${LABEL} filtered the image under its content policy`, false);
    }
    return generatedImage(LABEL, await readBody(LABEL, response, signal));
  }
}
