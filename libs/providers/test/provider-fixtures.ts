import { renderImage } from '@pixel-prompt/imaging';
import type { ModelConfig, ProviderName } from '@pixel-prompt/models';
import { rejectionOf } from '@pixel-prompt/testing';
import { ProviderError } from '../src';

/** A small real PNG, as the providers return. */
export const PNG = Buffer.from(
  renderImage({ style: 'aurora', prompt: 'contract', seed: 1, steps: 5, guidance: 7, width: 48, height: 32, thumbnailSize: 16 }).image,
);

/** A registry entry for one model of `provider`, as the contract tests configure it. */
export function modelOf(provider: ProviderName, providerModel: string, options: Record<string, unknown>): ModelConfig {
  return { id: `${provider}-model`, displayName: provider, provider, providerModel, timeoutMs: 60_000, concurrency: 1, enabled: true, options };
}

/** The ProviderError `promise` rejects with; fails the test if it resolves or rejects otherwise. */
export const failure = (promise: Promise<unknown>): Promise<ProviderError> => rejectionOf(promise, ProviderError);
