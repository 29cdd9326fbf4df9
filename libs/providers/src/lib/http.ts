import { Injectable } from '@nestjs/common';
import type { ModelConfig } from '@pixel-prompt/models';
import type { GeneratedImage } from './image-provider';
import { ProviderError } from './image-provider';

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

export interface ImageInfo {
  mimeType: string;
  width: number;
  height: number;
}

/**
 * Type and size from the header of a PNG, JPEG or WebP file: enough to record the image without a
 * decoder (none is installed), and a check that the provider really sent an image.
 */
export function imageInfo(bytes: Uint8Array): ImageInfo | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString('latin1', 12, 16) === 'IHDR') {
    return { mimeType: 'image/png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let offset = 2;
    while (offset + 9 < b.length) {
      if (b[offset] !== 0xff) return undefined;
      const marker = b[offset + 1] ?? 0;
      const length = b.readUInt16BE(offset + 2);
      // SOF0-SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { mimeType: 'image/jpeg', height: b.readUInt16BE(offset + 5), width: b.readUInt16BE(offset + 7) };
      }
      offset += 2 + length;
    }
    return undefined;
  }
  if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    const chunk = b.toString('latin1', 12, 16);
    if (chunk === 'VP8X') return { mimeType: 'image/webp', width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
    if (chunk === 'VP8 ') return { mimeType: 'image/webp', width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    if (chunk === 'VP8L') {
      const bits = b.readUInt32LE(21);
      return { mimeType: 'image/webp', width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
    }
  }
  return undefined;
}

/**
 * The provider's image as our result. No decoder for arbitrary PNG/JPEG/WebP is installed, so the
 * thumbnail is the image itself; browsers scale it down.
 */
export function generatedImage(provider: string, bytes: Uint8Array): GeneratedImage {
  const info = imageInfo(bytes);
  if (!info) throw new ProviderError('PROVIDER_ERROR', `${provider} answered with something other than a PNG, JPEG or WebP image`, true);
  return { image: bytes, thumbnail: bytes, ...info };
}

export function decodeBase64Image(provider: string, value: unknown): GeneratedImage {
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
