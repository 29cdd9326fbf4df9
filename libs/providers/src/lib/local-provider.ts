import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ModelCapabilities } from '@pixel-prompt/contracts';
import { RenderPool, STYLE_IDS, type StyleId } from '@pixel-prompt/imaging';
import { dimensionsFor } from './aspect-ratio';
import type { GeneratedImage, ImageProvider, ImageRequest } from './image-provider';
import { ProviderError, THUMBNAIL_SIZE } from './image-provider';

export const DEFAULT_IMAGE_SIZE = 1024;
/** The renderer's largest side. */
const MAX_IMAGE_SIDE = 2048;

function isStyle(value: string): value is StyleId {
  return (STYLE_IDS as readonly string[]).includes(value);
}

function sizeOption(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) ? value : DEFAULT_IMAGE_SIZE;
}

/**
 * The built-in models: deterministic procedural images rendered in worker threads, so the
 * event loop stays free (Bull renews job locks from it). `providerModel` names the style;
 * `options.width` / `options.height` the size (1024 by default); a requested aspect ratio keeps
 * about that many pixels.
 */
/** Every built-in style honours every control but a negative prompt. */
export const LOCAL_CAPABILITIES: ModelCapabilities = { size: true, seed: true, steps: true, guidance: true, negativePrompt: false };

@Injectable()
export class LocalImageProvider implements ImageProvider, OnApplicationShutdown {
  constructor(private readonly pool: RenderPool) {}

  capabilities(): ModelCapabilities {
    return LOCAL_CAPABILITIES;
  }

  async generate({ prompt, steps, guidance, seed, aspectRatio, model }: ImageRequest, signal: AbortSignal): Promise<GeneratedImage> {
    if (!isStyle(model.providerModel)) {
      throw new ProviderError('UNAVAILABLE', `Unknown local style "${model.providerModel}".`, false);
    }
    const width = sizeOption(model.options['width']);
    const height = sizeOption(model.options['height']);
    const size = aspectRatio ? dimensionsFor(aspectRatio, Math.sqrt(width * height), 8, MAX_IMAGE_SIDE) : { width, height };
    const rendered = await this.pool.render(
      {
        style: model.providerModel,
        prompt,
        seed,
        steps,
        guidance,
        width: size.width,
        height: size.height,
        thumbnailSize: THUMBNAIL_SIZE,
      },
      signal,
    );
    return {
      image: rendered.image,
      thumbnail: rendered.thumbnail,
      mimeType: rendered.mimeType,
      width: rendered.width,
      height: rendered.height,
    };
  }

  // After onModuleDestroy, where the queues finish their active jobs, which still render.
  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }
}
