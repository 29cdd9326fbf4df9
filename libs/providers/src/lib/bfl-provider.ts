import { Injectable } from '@nestjs/common';
import type { ModelCapabilities } from '@pixel-prompt/contracts';
import type { ModelConfig } from '@pixel-prompt/models';
import { dimensionsFor } from './aspect-ratio';
import type { GeneratedImage, ImageProvider, ImageRequest } from './image-provider';
import { ProviderError } from './image-provider';
import {
  ProviderCredentials,
  clamp,
  delay,
  errorBody,
  errorForStatus,
  generatedImage,
  isRecord,
  numberOption,
  providerFetch,
  readBody,
  readJson,
  sanitizeProviderText,
  scaleGuidance,
  stringField,
  stringOption,
  trimSlash,
  type FailureDetail,
} from './http';

export const BFL_BASE_URL = 'https://api.bfl.ai';
const LABEL = 'Black Forest Labs';
const DEFAULT_POLL_INTERVAL_MS = 500;
/** FLUX's largest side when it takes width and height. */
const MAX_SIDE = 1440;

/** Models that take an aspect ratio rather than width and height. */
function usesAspectRatio(providerModel: string): boolean {
  return providerModel.includes('ultra') || providerModel.includes('kontext');
}

/** Only the original FLUX.1 [pro] and [dev] endpoints expose steps and guidance. */
function tunable(providerModel: string): boolean {
  return providerModel === 'flux-dev' || providerModel === 'flux-pro';
}

export function bflFailure(body: unknown): FailureDetail {
  const detail = isRecord(body) ? body['detail'] : body;
  const message = typeof detail === 'string' ? detail : Array.isArray(detail) ? stringField(detail[0], 'msg') : undefined;
  return { message: message ? sanitizeProviderText(message) : undefined, contentRejected: /moderat/i.test(message ?? '') };
}

/**
 * Black Forest Labs (FLUX): `POST {baseUrl}/v1/{providerModel}` with `x-key` answers
 * `{id, polling_url}`; the polling URL says Pending until Ready, then `result.sample` is a signed
 * download link. Moderation ends the task with `Request Moderated` or `Content Moderated`.
 *
 * Options: `baseUrl`, `width`/`height` (multiples of 32, 1024 by default) or `aspectRatio` (ultra,
 * kontext), `outputFormat` (`png` by default), `safetyTolerance`, `pollIntervalMs`. A requested
 * aspect ratio wins over either (width and height then keep about as many pixels).
 */
@Injectable()
export class BflImageProvider implements ImageProvider {
  constructor(private readonly credentials: ProviderCredentials) {}

  capabilities(model: ModelConfig): ModelCapabilities {
    const tune = tunable(model.providerModel);
    return { size: true, seed: true, steps: tune, guidance: tune, negativePrompt: false };
  }

  async generate({ prompt, steps, guidance, seed, aspectRatio, model }: ImageRequest, signal: AbortSignal): Promise<GeneratedImage> {
    const key = this.credentials.require('bfl');
    const baseUrl = trimSlash(stringOption(model, 'baseUrl') ?? BFL_BASE_URL);
    const body: Record<string, unknown> = { prompt, seed, output_format: stringOption(model, 'outputFormat') ?? 'png' };
    if (usesAspectRatio(model.providerModel)) {
      body['aspect_ratio'] = aspectRatio ?? stringOption(model, 'aspectRatio') ?? '1:1';
    } else {
      const width = numberOption(model, 'width') ?? 1024;
      const height = numberOption(model, 'height') ?? 1024;
      const size = aspectRatio ? dimensionsFor(aspectRatio, Math.sqrt(width * height), 32, MAX_SIDE) : { width, height };
      body['width'] = size.width;
      body['height'] = size.height;
    }
    if (tunable(model.providerModel)) {
      // FLUX.1 [dev]/[pro]: steps 1-50, guidance 1.5-5.
      body['steps'] = clamp(steps, 1, 50);
      body['guidance'] = scaleGuidance(guidance, 1.5, 5);
    }
    const safetyTolerance = numberOption(model, 'safetyTolerance');
    if (safetyTolerance !== undefined) body['safety_tolerance'] = safetyTolerance;

    const headers = { 'x-key': key, 'content-type': 'application/json', accept: 'application/json' };
    const submitted = await providerFetch(LABEL, `${baseUrl}/v1/${model.providerModel}`, { method: 'POST', headers, body: JSON.stringify(body) }, signal);
    if (!submitted.ok) throw errorForStatus(LABEL, submitted.status, bflFailure(await errorBody(submitted, signal)), submitted.headers.get('retry-after'));
    const task = await readJson(LABEL, submitted, signal);
    const id = stringField(task, 'id');
    if (!id) throw new ProviderError('PROVIDER_ERROR', `${LABEL} did not accept the task`, true);
    const pollingUrl = stringField(task, 'polling_url') ?? `${baseUrl}/v1/get_result?id=${encodeURIComponent(id)}`;
    if (!sameService(pollingUrl, baseUrl)) throw new ProviderError('PROVIDER_ERROR', `${LABEL} answered with an unexpected polling address`, false);

    const interval = numberOption(model, 'pollIntervalMs') ?? DEFAULT_POLL_INTERVAL_MS;
    for (;;) {
      const polled = await providerFetch(LABEL, pollingUrl, { method: 'GET', headers: { 'x-key': key, accept: 'application/json' } }, signal);
      if (!polled.ok) throw errorForStatus(LABEL, polled.status, bflFailure(await errorBody(polled, signal)), polled.headers.get('retry-after'));
      const state = await readJson(LABEL, polled, signal);
      const status = stringField(state, 'status');
      if (status === 'Ready') return this.download(stringField(isRecord(state) ? state['result'] : undefined, 'sample'), signal);
      if (status === 'Request Moderated' || status === 'Content Moderated') {
        throw new ProviderError('CONTENT_REJECTED', `${LABEL} moderated the ${status === 'Request Moderated' ? 'prompt' : 'image'}`, false);
      }
      if (status === 'Error') throw new ProviderError('PROVIDER_ERROR', `${LABEL} failed to generate the image`, true);
      if (status === 'Task not found') throw new ProviderError('PROVIDER_ERROR', `${LABEL} lost the task`, true);
      // Pending (and any state added later): the model's timeout bounds the wait.
      await delay(interval, signal);
    }
  }

  private async download(sample: string | undefined, signal: AbortSignal): Promise<GeneratedImage> {
    if (!sample) throw new ProviderError('PROVIDER_ERROR', `${LABEL} finished without an image`, true);
    // A signed delivery link: no key goes with it.
    const response = await providerFetch(LABEL, sample, { method: 'GET' }, signal);
    if (!response.ok) throw errorForStatus(LABEL, response.status, {});
    return generatedImage(LABEL, await readBody(LABEL, response, signal));
  }
}

/**
 * The key goes only to BFL: the polling URL must be on the configured API's origin or on one of BFL's
 * regional hosts, never wherever a tampered answer points.
 */
function sameService(pollingUrl: string, baseUrl: string): boolean {
  try {
    const polling = new URL(pollingUrl);
    if (polling.origin === new URL(baseUrl).origin) return true;
    return polling.protocol === 'https:' && /(^|\.)bfl\.(ai|ml)$/.test(polling.hostname);
  } catch {
    return false;
  }
}
