import { exitWithFatal } from '@pixel-prompt/config';
import { DEFAULT_MODELS } from './default-models';
import { ModelRegistry, ModelRegistryError, loadModelRegistry, parseModelRegistry } from './registry';

/** The registry at `path`, or the built-in one; an invalid file stops the boot with one clear line. */
export function loadModelRegistryOrExit(path: string | undefined, service: string): ModelRegistry {
  try {
    return path ? loadModelRegistry(path) : parseModelRegistry(DEFAULT_MODELS, 'built-in');
  } catch (error) {
    if (!(error instanceof ModelRegistryError)) throw error;
    return exitWithFatal(service, error.message);
  }
}
