import { STYLE_IDS } from '@pixel-prompt/imaging';
import type { ModelRegistryFile } from './registry';

function displayName(style: string): string {
  return style
    .split(/[-_]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

/**
 * The registry used when MODEL_REGISTRY_PATH is unset: the 9 built-in procedural models, so the
 * whole product runs with no API key. Real providers are configured with a registry file.
 */
export const DEFAULT_MODELS: ModelRegistryFile = {
  models: STYLE_IDS.map((style) => ({
    id: style,
    displayName: displayName(style),
    provider: 'local',
    providerModel: style,
    timeoutMs: 60_000,
    concurrency: 2,
  })),
};
