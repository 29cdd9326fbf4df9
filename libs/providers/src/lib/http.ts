import { Injectable } from '@nestjs/common';
import type { ModelConfig } from '@pixel-prompt/models';
import sharp from 'sharp';
import type { GeneratedImage } from './image-provider';
import { ProviderError, THUMBNAIL_SIZE } from './image-provider';

const MAX_DETAIL_LENGTH = 200;

/**
 * Provider error text made safe for users and logs: providers sometimes echo the key or a signed URL
 * back, so anything shaped like a credential is masked, and the text is capped.
 */
export function sanitizeProviderText(text: string): string {
  const masked = text
    .replace(/https?:\/\/\S+/gi, '[url]')
    .replace(/\b(bearer|basic)\s+\S+/gi, '$1 [redacted]')
    .replace(/\b(sk|pk|rk|key|api[_-]?key|token|secret)[-_:=]\s*\S+/gi, '$1-[redacted]')
    .replace(/\bAIza[0-9A-Za-z_-]{10,}/g, '[redacted]')
    // Long unbroken runs of key-like characters: API keys, tokens, signatures.
    .replace(/[A-Za-z0-9_+/=-]{24,}/g, '[redacted]')
    .replace(/\s+/g, ' ')
    .trim();
  return masked.length > MAX_DETAIL_LENGTH ? `${masked.slice(0, MAX_DETAIL_LENGTH - 1)}…` : masked;
}

/** Retry-After as seconds (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed));
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

export interface FailureDetail {
  /** The provider's own error code or type, when its body carries one. */
  providerCode?: string;
  /** The provider's human message, already sanitised. */
  message?: string;
  /** Whether the provider says the prompt or the output broke its content policy. */
  contentRejected?: boolean;
  /** Whether the provider says the account ran out of credit or quota. */
  quotaExhausted?: boolean;
}

/**
 * Our code for a failed HTTP answer: 401/403 AUTH, 402 or quota QUOTA, 429 RATE_LIMITED (retryable),
 * content policy CONTENT_REJECTED, 5xx PROVIDER_ERROR (retryable), other 4xx PROVIDER_ERROR.
 */
export function errorForStatus(provider: string, status: number, detail: FailureDetail, retryAfter?: string | null): ProviderError {
  const said = detail.message ? `: ${detail.message}` : '';
  if (detail.contentRejected) return new ProviderError('CONTENT_REJECTED', `${provider} refused the prompt or image under its content policy${said}`, false);
  if (status === 402 || detail.quotaExhausted) return new ProviderError('QUOTA', `${provider} account is out of credit or quota${said}`, false);
  if (status === 401 || status === 403) return new ProviderError('AUTH', `${provider} rejected our credentials (HTTP ${status})`, false);
  if (status === 429) {
    return new ProviderError('RATE_LIMITED', `${provider} is rate limiting us${said}`, true, retryAfterSeconds(retryAfter));
  }
  if (status >= 500) return new ProviderError('PROVIDER_ERROR', `${provider} failed (HTTP ${status})${said}`, true);
  return new ProviderError('PROVIDER_ERROR', `${provider} refused the request (HTTP ${status})${said}`, false);
}

/**
 * fetch with failures mapped: an abort rejects with the signal's reason (the caller reports TIMEOUT or
 * cancellation), anything else before an answer is network trouble, retryable. The URL is not in the
 * message: some carry signatures.
 */
export async function providerFetch(provider: string, url: string, init: RequestInit, signal: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new ProviderError('PROVIDER_ERROR', `${provider} could not be reached (${networkCause(error)})`, true);
  }
}

/** Reads a body to the end; an abort or a broken connection mid-body is mapped as in providerFetch. */
export async function readBody(provider: string, response: Response, signal: AbortSignal): Promise<Uint8Array> {
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new ProviderError('PROVIDER_ERROR', `${provider} answer was cut off (${networkCause(error)})`, true);
  }
}

export async function readJson(provider: string, response: Response, signal: AbortSignal): Promise<unknown> {
  const body = await readBody(provider, response, signal);
  try {
    return JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
  } catch {
    throw new ProviderError('PROVIDER_ERROR', `${provider} answered with something other than JSON`, true);
  }
}

function networkCause(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : 'network error';
}

/** A best-effort read of an error body, for the detail in our message; never throws. */
export async function errorBody(response: Response, signal: AbortSignal): Promise<unknown> {
  try {
    const text = await response.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  } catch {
    if (signal.aborted) throw signal.reason;
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringField(value: unknown, key: string): string | undefined {
  return isRecord(value) && typeof value[key] === 'string' ? value[key] : undefined;
}

const MIME_TYPES: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

/** Larger inputs are refused rather than decoded: no model we use returns more than 16 MP. */
const MAX_INPUT_PIXELS = 64_000_000;

/**
 * The provider's image as our result. Decoding it once proves it really is an image, gives its size,
 * and makes the thumbnail, in the image's own format so both share one MIME type. sharp decodes on
 * libuv's thread pool, so the event loop (and Bull's lock renewal) keeps running meanwhile.
 */
export async function generatedImage(provider: string, bytes: Uint8Array): Promise<GeneratedImage> {
  const notAnImage = new ProviderError('PROVIDER_ERROR', `${provider} answered with something other than a PNG, JPEG or WebP image`, true);
  const source = sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS });
  const metadata = await source.metadata().catch(() => undefined);
  const mimeType = metadata?.format ? MIME_TYPES[metadata.format] : undefined;
  if (!metadata || !mimeType) throw notAnImage;
  const thumbnail = await source
    .rotate() // applies EXIF orientation, as browsers do for the full image
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
    .toFormat(metadata.format as keyof sharp.FormatEnum, { quality: 80 })
    .toBuffer()
    .catch(() => {
      throw notAnImage;
    });
  return { image: bytes, thumbnail: new Uint8Array(thumbnail), mimeType, width: metadata.width, height: metadata.height };
}

export async function decodeBase64Image(provider: string, value: unknown): Promise<GeneratedImage> {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ProviderError('PROVIDER_ERROR', `${provider} answered without an image`, true);
  }
  return generatedImage(provider, new Uint8Array(Buffer.from(value, 'base64')));
}

/** A string option from the model's registry entry. */
export function stringOption(model: ModelConfig, key: string): string | undefined {
  const value = model.options[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function numberOption(model: ModelConfig, key: string): number | undefined {
  const value = model.options[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Where each keyed provider's key comes from, for boot messages. */
export const PROVIDER_KEY_VARIABLES = {
  openai: 'OPENAI_API_KEY',
  'openai-compatible': 'OPENAI_COMPATIBLE_API_KEY',
  stability: 'STABILITY_API_KEY',
  bfl: 'BFL_API_KEY',
  google: 'GEMINI_API_KEY',
  recraft: 'RECRAFT_API_KEY',
} as const;

export type KeyedProvider = keyof typeof PROVIDER_KEY_VARIABLES;

/** Providers that cannot work without a key (the OpenAI-compatible one may be an open local server). */
const KEY_REQUIRED: readonly string[] = ['openai', 'stability', 'bfl', 'google', 'recraft'];

/**
 * The API keys, read once at boot by the service's configuration. Keys stay inside this object and the
 * request headers that need them: never in logs, messages or errors.
 */
@Injectable()
export class ProviderCredentials {
  constructor(private readonly keys: Partial<Record<KeyedProvider, string>> = {}) {}

  key(provider: KeyedProvider): string | undefined {
    return this.keys[provider];
  }

  /** The variable to set when `model`'s provider needs a key it does not have; undefined when usable. */
  missingFor(model: ModelConfig): string | undefined {
    if (!KEY_REQUIRED.includes(model.provider) || this.keys[model.provider as KeyedProvider]) return undefined;
    return PROVIDER_KEY_VARIABLES[model.provider as KeyedProvider];
  }

  /** The key, or a fail-fast UNAVAILABLE that names the variable (the boot log already did). */
  require(provider: KeyedProvider): string {
    const key = this.keys[provider];
    if (!key) throw new ProviderError('UNAVAILABLE', `This model is not configured: ${PROVIDER_KEY_VARIABLES[provider]} is not set.`, false);
    return key;
  }
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Our guidance (0-20) on a provider's own scale, to one decimal. */
export function scaleGuidance(guidance: number, min: number, max: number): number {
  return Math.round((min + (clamp(guidance, 0, 20) / 20) * (max - min)) * 10) / 10;
}
