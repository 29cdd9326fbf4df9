import { Injectable } from '@nestjs/common';
import type { ModelCapabilities } from '@pixel-prompt/contracts';
import type { ModelConfig } from '@pixel-prompt/models';
import sharp from 'sharp';
import { generatedImage } from './http';
import type { GeneratedImage, ImageProvider, ImageRequest } from './image-provider';
import { ProviderError } from './image-provider';

export const CHAOS_CAPABILITIES: ModelCapabilities = { size: false, seed: false, steps: false, guidance: false, negativePrompt: false };

export const CHAOS_MODES = ['slow', 'fail', 'fail-once', 'hang', 'server-error', 'rate-limited'] as const;
export type ChaosMode = (typeof CHAOS_MODES)[number];

interface ChaosOptions {
  mode: ChaosMode;
  /** How long each call takes before it answers or fails. */
  delayMs: number;
  /** Share of calls that misbehave (0-1); the others answer as `slow` does. Not for `fail-once`. */
  failureRate: number;
  /** The Retry-After of `rate-limited`. */
  retryAfterSeconds: number;
}

function number(value: unknown, fallback: number, min: number, max: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

function chaosOptions(model: ModelConfig): ChaosOptions | undefined {
  const { mode, delayMs, failureRate, retryAfterSeconds } = model.options;
  if (!CHAOS_MODES.includes(mode as ChaosMode)) return undefined;
  return {
    mode: mode as ChaosMode,
    delayMs: number(delayMs, 0, 0, 600_000),
    failureRate: number(failureRate, 1, 0, 1),
    retryAfterSeconds: number(retryAfterSeconds, 1, 0, 3600),
  };
}

/** Resolves after `ms` (never when undefined), or rejects with the signal's reason as soon as it aborts. */
function sleep(ms: number | undefined, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer =
      ms === undefined
        ? undefined
        : setTimeout(() => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Requests `fail-once` has failed, remembered per process; bounded, as a drill may run for long. */
const FAILED_ONCE_LIMIT = 10_000;

/** A 16×16 PNG, gone through the same decoding as a hosted provider's answer (so it has a thumbnail). */
async function smallImage(seed: number): Promise<GeneratedImage> {
  const background = { r: seed % 256, g: (seed >> 8) % 256, b: (seed >> 16) % 256 };
  const png = await sharp({ create: { width: 16, height: 16, channels: 3, background } }).png().toBuffer();
  return generatedImage('chaos', new Uint8Array(png));
}

/**
 * A model that misbehaves on purpose, for tests, failure drills and the chaos suite (tools/chaos).
 * `options.mode`: `slow` answers a small image after `delayMs`; `fail` rejects (not retryable);
 * `fail-once` rejects the first call for a prompt and seed (not retryable) and answers the next, so
 * retrying a failed model can be seen to work; `hang` never answers until the call is aborted
 * (timeout, cancellation); `server-error` fails as a provider's 5xx does (retryable); `rate-limited`
 * as its 429 with `Retry-After: retryAfterSeconds`. `failureRate` lets only that share of calls
 * misbehave, so retries can succeed; every call takes `delayMs` first.
 */
@Injectable()
export class ChaosImageProvider implements ImageProvider {
  private readonly failedOnce = new Set<string>();

  capabilities(): ModelCapabilities {
    return CHAOS_CAPABILITIES;
  }

  async generate({ model, prompt, seed }: ImageRequest, signal: AbortSignal): Promise<GeneratedImage> {
    const options = chaosOptions(model);
    if (!options) throw new ProviderError('UNAVAILABLE', `chaos model ${model.id} has no valid mode`, false);
    const misbehaves =
      options.mode === 'fail-once'
        ? this.firstCall(`${model.id}\n${seed}\n${prompt}`)
        : options.mode !== 'slow' && Math.random() < options.failureRate;
    await sleep(misbehaves && options.mode === 'hang' ? undefined : options.delayMs, signal);
    if (!misbehaves) return smallImage(seed);
    switch (options.mode) {
      case 'fail':
      case 'fail-once':
        throw new ProviderError('PROVIDER_ERROR', 'The model failed to generate an image.', false);
      case 'server-error':
        throw new ProviderError('PROVIDER_ERROR', 'The model’s service had an internal error (HTTP 500).', true);
      default:
        throw new ProviderError('RATE_LIMITED', 'The model’s service is busy: too many requests.', true, options.retryAfterSeconds);
    }
  }

  /** For `fail-once`: whether this is the first call for `request`; the call after a first one is not. */
  private firstCall(request: string): boolean {
    if (this.failedOnce.delete(request)) return false;
    if (this.failedOnce.size >= FAILED_ONCE_LIMIT) this.failedOnce.clear();
    this.failedOnce.add(request);
    return true;
  }
}

