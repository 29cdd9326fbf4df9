import { Injectable } from '@nestjs/common';
import type { ModelCapabilities } from '@pixel-prompt/contracts';
import sharp from 'sharp';
import { generatedImage } from './http';
import type { GeneratedImage, ImageProvider, ImageRequest } from './image-provider';
import { ProviderError } from './image-provider';

/**
 * A model that misbehaves on purpose, for tests and failure drills: `options.mode` `fail` rejects at
 * once (not retryable), `hang` never answers until the call is aborted (timeout, cancellation),
 * `fail-once` fails the first call for a prompt and seed (not retryable) and draws a plain grey
 * image for the next, so retrying a failed model can be seen to work.
 */
export const CHAOS_CAPABILITIES: ModelCapabilities = { size: false, seed: false, steps: false, guidance: false, negativePrompt: false };

/** Requests `fail-once` has failed, remembered per process; bounded, as a drill may run for long. */
const FAILED_ONCE_LIMIT = 10_000;

@Injectable()
export class ChaosImageProvider implements ImageProvider {
  private readonly failedOnce = new Set<string>();

  capabilities(): ModelCapabilities {
    return CHAOS_CAPABILITIES;
  }

  generate({ model, prompt, seed }: ImageRequest, signal: AbortSignal): Promise<GeneratedImage> {
    const mode = model.options['mode'];
    if (mode === 'fail') return Promise.reject(failure());
    if (mode === 'hang') {
      return new Promise((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    if (mode === 'fail-once') {
      const key = `${model.id}\n${seed}\n${prompt}`;
      if (this.failedOnce.delete(key)) return plainImage();
      if (this.failedOnce.size >= FAILED_ONCE_LIMIT) this.failedOnce.clear();
      this.failedOnce.add(key);
      return Promise.reject(failure());
    }
    return Promise.reject(new ProviderError('UNAVAILABLE', `chaos model ${model.id} has no valid mode`, false));
  }
}

function failure(): ProviderError {
  return new ProviderError('PROVIDER_ERROR', 'The model failed to generate an image.', false);
}

async function plainImage(): Promise<GeneratedImage> {
  const png = await sharp({ create: { width: 256, height: 256, channels: 3, background: '#808080' } }).png().toBuffer();
  return generatedImage('The chaos model', new Uint8Array(png));
}
