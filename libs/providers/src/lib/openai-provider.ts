import { Injectable } from '@nestjs/common';
import type { ModelCapabilities } from '@pixel-prompt/contracts';
import type { ModelConfig } from '@pixel-prompt/models';
import { dimensionsFor, nearestSize } from './aspect-ratio';
import type { GeneratedImage, ImageProvider, ImageRequest } from './image-provider';
import { ProviderError } from './image-provider';
import {
  ProviderCredentials,
  decodeBase64Image,
  errorBody,
  errorForStatus,
  generatedImage,
  isRecord,
  providerFetch,
  readBody,
  readJson,
  sanitizeProviderText,
  stringField,
  stringOption,
  trimSlash,
  type FailureDetail,
} from './http';

export const OPENAI_BASE_URL = 'https://api.openai.com';

/** The Images API has no seed, steps, guidance or negative prompt; only the size is ours to choose. */
/** The sizes OpenAI's models accept, by model name prefix. */
const OPENAI_SIZES: Record<string, readonly string[]> = {
  'gpt-image': ['1024x1024', '1536x1024', '1024x1536'],
  'dall-e-3': ['1024x1024', '1792x1024', '1024x1792'],
  'dall-e-2': ['1024x1024'],
};

/** Recraft's sizes for our shapes (it takes more). */
const RECRAFT_SIZES = ['1024x1024', '1365x1024', '1024x1365', '1820x1024', '1024x1820'] as const;

export const OPENAI_CAPABILITIES: ModelCapabilities = { size: true, seed: false, steps: false, guidance: false, negativePrompt: false };

const CONTENT_CODES = ['content_policy_violation', 'moderation_blocked'];
const QUOTA_CODES = ['insufficient_quota', 'billing_hard_limit_reached', 'billing_not_active'];

export function openAiFailure(body: unknown): FailureDetail {
  // OpenAI nests the error; Recraft and some compatible servers answer `{code, message}` flat.
  const error = isRecord(body) && isRecord(body['error']) ? body['error'] : body;
  const code = stringField(error, 'code') ?? stringField(error, 'type');
  const message = stringField(error, 'message') ?? (typeof body === 'string' ? body : undefined);
  return {
    providerCode: code,
    message: message ? sanitizeProviderText(message) : undefined,
    contentRejected: (code !== undefined && CONTENT_CODES.includes(code)) || /safety system|content polic/i.test(message ?? ''),
    quotaExhausted: code !== undefined && QUOTA_CODES.includes(code),
  };
}

/**
 * OpenAI Images (`POST {baseUrl}/v1/images/generations`) and servers speaking the same wire format.
 * gpt-image models always answer base64; DALL·E and most compatible servers need
 * `response_format: b64_json`, and a server that still answers with a URL has it downloaded.
 *
 * Options: `baseUrl`, `size` (`1024x1024`, ...), `quality`, `style`, `background`, `outputFormat`,
 * `moderation`, `responseFormat` (`b64_json`, or `none` to leave it out).
 */
abstract class OpenAiImagesProvider implements ImageProvider {
  protected abstract readonly label: string;

  constructor(protected readonly credentials: ProviderCredentials) {}

  protected abstract apiKey(): string | undefined;
  protected abstract baseUrl(model: ModelConfig): string;

  capabilities(_model?: ModelConfig): ModelCapabilities {
    return OPENAI_CAPABILITIES;
  }

  /** Fields a provider adds to the OpenAI body. */
  protected extraBody(_request: ImageRequest): Record<string, unknown> {
    return {};
  }

  /**
   * The `size` to send: for a requested aspect ratio the nearest size the model takes (OpenAI's
   * models take a few fixed ones; other servers get about 1024² pixels in that shape), else the
   * registry's `size` option.
   */
  protected sizeFor({ aspectRatio, model }: ImageRequest): string | undefined {
    if (!aspectRatio) return stringOption(model, 'size');
    const fixed = Object.entries(OPENAI_SIZES).find(([prefix]) => model.providerModel.startsWith(prefix))?.[1];
    if (fixed) return nearestSize(aspectRatio, fixed);
    const { width, height } = dimensionsFor(aspectRatio, 1024, 64);
    return `${width}x${height}`;
  }

  protected defaultResponseFormat(model: ModelConfig): string {
    return model.providerModel.startsWith('gpt-image') ? 'none' : 'b64_json';
  }

  async generate(request: ImageRequest, signal: AbortSignal): Promise<GeneratedImage> {
    const { prompt, model } = request;
    const key = this.apiKey();
    const body: Record<string, unknown> = { model: model.providerModel, prompt, n: 1, ...this.extraBody(request) };
    const size = this.sizeFor(request);
    if (size) body['size'] = size;
    for (const [option, field] of [['quality', 'quality'], ['style', 'style'], ['background', 'background'], ['outputFormat', 'output_format'], ['moderation', 'moderation']] as const) {
      const value = stringOption(model, option);
      if (value) body[field] = value;
    }
    const responseFormat = stringOption(model, 'responseFormat') ?? this.defaultResponseFormat(model);
    if (responseFormat !== 'none') body['response_format'] = responseFormat;

    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (key) headers['authorization'] = `Bearer ${key}`;
    const response = await providerFetch(this.label, `${this.baseUrl(model)}/v1/images/generations`, { method: 'POST', headers, body: JSON.stringify(body) }, signal);
    if (!response.ok) {
      throw errorForStatus(this.label, response.status, openAiFailure(await errorBody(response, signal)), response.headers.get('retry-after'));
    }
    const answer = await readJson(this.label, response, signal);
    const first = isRecord(answer) && Array.isArray(answer['data']) ? (answer['data'][0] as unknown) : undefined;
    const b64 = stringField(first, 'b64_json');
    if (b64) return decodeBase64Image(this.label, b64);
    const url = stringField(first, 'url');
    if (!url) throw new ProviderError('PROVIDER_ERROR', `${this.label} answered without an image`, true);
    // The link is pre-signed: our key must not travel to wherever it points.
    const download = await providerFetch(this.label, url, { method: 'GET' }, signal);
    if (!download.ok) throw errorForStatus(this.label, download.status, {});
    return generatedImage(this.label, await readBody(this.label, download, signal));
  }
}

@Injectable()
export class OpenAiImageProvider extends OpenAiImagesProvider {
  protected readonly label = 'OpenAI';

  protected apiKey(): string {
    return this.credentials.require('openai');
  }

  protected baseUrl(model: ModelConfig): string {
    return trimSlash(stringOption(model, 'baseUrl') ?? OPENAI_BASE_URL);
  }
}

/** Any server with OpenAI's images endpoint (LocalAI, vLLM-based gateways, LiteLLM, ...); the key is optional. */
@Injectable()
export class OpenAiCompatibleImageProvider extends OpenAiImagesProvider {
  protected readonly label = 'The image server';

  protected apiKey(): string | undefined {
    return this.credentials.key('openai-compatible');
  }

  protected baseUrl(model: ModelConfig): string {
    const url = stringOption(model, 'baseUrl');
    if (!url) throw new ProviderError('UNAVAILABLE', `Model ${model.id} has no options.baseUrl.`, false);
    return trimSlash(url);
  }
}

export const RECRAFT_BASE_URL = 'https://external.api.recraft.ai';

/**
 * Recraft (`POST {baseUrl}/v1/images/generations`, OpenAI's format plus `style`, `substyle` and
 * `negative_prompt`). Raster styles only: vector styles answer SVG, which the gallery does not store.
 *
 * Options: `baseUrl`, `size` (`1024x1024` or `16:9`, depending on the model), `style`
 * (`realistic_image`, `digital_illustration`, ...), `substyle`.
 */
@Injectable()
export class RecraftImageProvider extends OpenAiImagesProvider {
  protected readonly label = 'Recraft';

  override capabilities(model?: ModelConfig): ModelCapabilities {
    // negative_prompt exists for Recraft V2 and V3 only.
    const negativePrompt = model !== undefined && /^recraftv[23]$/.test(model.providerModel);
    return { size: true, seed: false, steps: false, guidance: false, negativePrompt };
  }

  protected override sizeFor(request: ImageRequest): string | undefined {
    return request.aspectRatio ? nearestSize(request.aspectRatio, RECRAFT_SIZES) : stringOption(request.model, 'size');
  }

  protected override extraBody({ negativePrompt, model }: ImageRequest): Record<string, unknown> {
    const extra: Record<string, unknown> = {};
    const substyle = stringOption(model, 'substyle');
    if (substyle) extra['substyle'] = substyle;
    if (negativePrompt && this.capabilities(model).negativePrompt) extra['negative_prompt'] = negativePrompt;
    return extra;
  }

  protected override defaultResponseFormat(): string {
    return 'b64_json';
  }

  protected apiKey(): string {
    return this.credentials.require('recraft');
  }

  protected baseUrl(model: ModelConfig): string {
    return trimSlash(stringOption(model, 'baseUrl') ?? RECRAFT_BASE_URL);
  }
}
