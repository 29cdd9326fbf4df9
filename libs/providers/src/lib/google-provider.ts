import { Injectable } from '@nestjs/common';
import type { ModelCapabilities } from '@pixel-prompt/contracts';
import type { ModelConfig } from '@pixel-prompt/models';
import type { GeneratedImage, ImageProvider, ImageRequest } from './image-provider';
import { ProviderError } from './image-provider';
import {
  ProviderCredentials,
  decodeBase64Image,
  errorBody,
  errorForStatus,
  isRecord,
  providerFetch,
  readJson,
  sanitizeProviderText,
  stringField,
  stringOption,
  trimSlash,
  type FailureDetail,
} from './http';

export const GOOGLE_BASE_URL = 'https://generativelanguage.googleapis.com';
const LABEL = 'Google';
const SAFETY_REASONS = /SAFETY|PROHIBITED|BLOCKLIST|SPII|RECITATION|OTHER_IMAGE|IMAGE_OTHER/;

function isImagen(providerModel: string): boolean {
  return providerModel.startsWith('imagen');
}

/** Google's error envelope `{error: {code, message, status, details}}`. */
export function googleFailure(body: unknown): FailureDetail & { retryAfter?: string; invalidKey: boolean } {
  const error = isRecord(body) && isRecord(body['error']) ? body['error'] : {};
  const message = stringField(error, 'message');
  const details = Array.isArray(error['details']) ? error['details'] : [];
  const reasons = details.map((d) => stringField(d, 'reason')).filter(Boolean);
  // RetryInfo carries the wait as a duration string ("30s").
  const delay = details.map((d) => stringField(d, 'retryDelay')).find(Boolean);
  return {
    providerCode: stringField(error, 'status'),
    message: message ? sanitizeProviderText(message) : undefined,
    contentRejected: false,
    // Google answers a bad key with 400 INVALID_ARGUMENT, not 401.
    invalidKey: reasons.includes('API_KEY_INVALID') || /api key not valid/i.test(message ?? ''),
    retryAfter: delay ? delay.replace(/s$/, '') : undefined,
  };
}

/**
 * Google's Gemini API. `imagen-*` models: `POST /v1beta/models/{model}:predict` with
 * `{instances: [{prompt}], parameters}` → `predictions[].bytesBase64Encoded`. Gemini image models
 * (`gemini-2.5-flash-image`, ...): `:generateContent` with `responseModalities: [IMAGE]` → the
 * candidate's `inlineData` part. Key in `x-goog-api-key`, never in the URL.
 *
 * Options: `baseUrl`, `aspectRatio` (`1:1` default; a requested one wins: Google takes all of ours), `imageSize` (Imagen `1K`/`2K`),
 * `personGeneration` (Imagen).
 */
@Injectable()
export class GoogleImageProvider implements ImageProvider {
  constructor(private readonly credentials: ProviderCredentials) {}

  capabilities(model: ModelConfig): ModelCapabilities {
    // The Gemini API's Imagen takes no seed or negative prompt (Vertex AI's does); Gemini takes a seed.
    return { size: true, seed: !isImagen(model.providerModel), steps: false, guidance: false, negativePrompt: false };
  }

  async generate({ prompt, seed, model, ...request }: ImageRequest, signal: AbortSignal): Promise<GeneratedImage> {
    const key = this.credentials.require('google');
    const imagen = isImagen(model.providerModel);
    const aspectRatio = request.aspectRatio ?? stringOption(model, 'aspectRatio') ?? '1:1';
    let body: Record<string, unknown>;
    if (imagen) {
      const parameters: Record<string, unknown> = { sampleCount: 1, aspectRatio };
      const imageSize = stringOption(model, 'imageSize');
      if (imageSize) parameters['imageSize'] = imageSize;
      const personGeneration = stringOption(model, 'personGeneration');
      if (personGeneration) parameters['personGeneration'] = personGeneration;
      body = { instances: [{ prompt }], parameters };
    } else {
      body = {
        contents: [{ role: 'user', parts: [{ text: prompt }] }],
        generationConfig: { responseModalities: ['IMAGE'], seed, imageConfig: { aspectRatio } },
      };
    }
    const url = `${trimSlash(stringOption(model, 'baseUrl') ?? GOOGLE_BASE_URL)}/v1beta/models/${encodeURIComponent(model.providerModel)}:${imagen ? 'predict' : 'generateContent'}`;
    const response = await providerFetch(
      LABEL,
      url,
      { method: 'POST', headers: { 'x-goog-api-key': key, 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) },
      signal,
    );
    if (!response.ok) {
      const failure = googleFailure(await errorBody(response, signal));
      if (failure.invalidKey) throw new ProviderError('AUTH', `${LABEL} rejected our API key`, false);
      throw errorForStatus(LABEL, response.status, failure, response.headers.get('retry-after') ?? failure.retryAfter);
    }
    const answer = await readJson(LABEL, response, signal);
    return imagen ? this.fromPredictions(answer) : this.fromCandidates(answer);
  }

  private fromPredictions(answer: unknown): Promise<GeneratedImage> {
    const predictions = isRecord(answer) && Array.isArray(answer['predictions']) ? answer['predictions'] : [];
    const image = predictions.map((p) => stringField(p, 'bytesBase64Encoded')).find(Boolean);
    // Imagen drops filtered images from the list; none left means the prompt or every image was filtered.
    if (!image) throw new ProviderError('CONTENT_REJECTED', `${LABEL} filtered the image under its content policy`, false);
    return decodeBase64Image(LABEL, image);
  }

  private fromCandidates(answer: unknown): Promise<GeneratedImage> {
    const feedback = isRecord(answer) ? answer['promptFeedback'] : undefined;
    if (stringField(feedback, 'blockReason')) throw new ProviderError('CONTENT_REJECTED', `${LABEL} blocked the prompt under its content policy`, false);
    const candidates = isRecord(answer) && Array.isArray(answer['candidates']) ? answer['candidates'] : [];
    const first: unknown = candidates[0];
    const content = isRecord(first) ? first['content'] : undefined;
    const parts = isRecord(content) && Array.isArray(content['parts']) ? content['parts'] : [];
    for (const part of parts) {
      const inline = isRecord(part) ? (part['inlineData'] ?? part['inline_data']) : undefined;
      const data = stringField(inline, 'data');
      if (data) return decodeBase64Image(LABEL, data);
    }
    const finishReason = stringField(first, 'finishReason') ?? '';
    if (SAFETY_REASONS.test(finishReason)) throw new ProviderError('CONTENT_REJECTED', `${LABEL} filtered the image under its content policy`, false);
    // The model answered with text only (it sometimes declines that way): trying again may draw.
    throw new ProviderError('PROVIDER_ERROR', `${LABEL} answered without an image${finishReason ? ` (${finishReason})` : ''}`, true);
  }
}
