import type { AspectRatio, ModelCapabilities, ModelErrorCode } from '@pixel-prompt/contracts';
import type { ModelConfig } from '@pixel-prompt/models';

export interface ImageRequest {
  prompt: string;
  steps: number;
  guidance: number;
  seed: number;
  /** What the image should not show; only models whose capabilities say so use it. */
  negativePrompt?: string;
  /**
   * The shape asked for: models with the `size` capability make the nearest shape they can (in
   * place of their registry entry's size); without it, the registry's size stands.
   */
  aspectRatio?: AspectRatio;
  model: ModelConfig;
}

/** Longest side of every thumbnail, in pixels. */
export const THUMBNAIL_SIZE = 256;

export interface GeneratedImage {
  image: Uint8Array;
  thumbnail: Uint8Array;
  mimeType: string;
  width: number;
  height: number;
}

/** One adapter per provider API; the model's registry entry says which one serves it. */
export interface ImageProvider {
  /** Must stop work and reject when `signal` aborts (timeout, cancellation, shutdown). */
  generate(request: ImageRequest, signal: AbortSignal): Promise<GeneratedImage>;
  /** The parameters this model honours; the others are accepted and have no effect. */
  capabilities(model: ModelConfig): ModelCapabilities;
}

export type { ModelCapabilities };

/** A provider failure already mapped to our codes, with a message safe for users and logs. */
export class ProviderError extends Error {
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    /** Whether trying again later may succeed (network trouble, 5xx, rate limits). */
    readonly retryable: boolean,
    /** How long the provider asked us to wait before trying again (Retry-After), when it said. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** Rejects with the signal's reason once it aborts; for providers whose work cannot itself be aborted. */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
