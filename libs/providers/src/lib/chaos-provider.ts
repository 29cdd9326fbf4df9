import { Injectable } from '@nestjs/common';
import type { ModelCapabilities } from '@pixel-prompt/contracts';
import type { GeneratedImage, ImageProvider, ImageRequest } from './image-provider';
import { ProviderError } from './image-provider';

/**
 * A model that misbehaves on purpose, for tests and failure drills: `options.mode` `fail` rejects at
 * once (not retryable), `hang` never answers until the call is aborted (timeout, cancellation).
 */
export const CHAOS_CAPABILITIES: ModelCapabilities = { size: false, seed: false, steps: false, guidance: false, negativePrompt: false };

@Injectable()
export class ChaosImageProvider implements ImageProvider {
  capabilities(): ModelCapabilities {
    return CHAOS_CAPABILITIES;
  }

  generate({ model }: ImageRequest, signal: AbortSignal): Promise<GeneratedImage> {
    const mode = model.options['mode'];
    if (mode === 'fail') {
      return Promise.reject(new ProviderError('PROVIDER_ERROR', 'The model failed to generate an image.', false));
    }
    if (mode === 'hang') {
      return new Promise((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    return Promise.reject(new ProviderError('UNAVAILABLE', `chaos model ${model.id} has no valid mode`, false));
  }
}
