import { type DynamicModule, Injectable, Module } from '@nestjs/common';
import { RenderPool } from '@pixel-prompt/imaging';
import type { ModelConfig } from '@pixel-prompt/models';
import { ChaosImageProvider } from './chaos-provider';
import { type ImageProvider, ProviderError } from './image-provider';
import { LocalImageProvider } from './local-provider';

/** The adapter for each provider name a registry may use. */
@Injectable()
export class Providers {
  private readonly byName: Record<string, ImageProvider>;

  constructor(local: LocalImageProvider, chaos: ChaosImageProvider) {
    this.byName = { local, chaos };
  }

  image(model: ModelConfig): ImageProvider {
    const provider = this.byName[model.provider];
    if (!provider) throw new ProviderError('UNAVAILABLE', `No adapter for provider "${model.provider}".`, false);
    return provider;
  }
}

export interface ProvidersOptions {
  /** Worker threads for the built-in models. */
  renderThreads: number;
  /** Absolute path of the JavaScript file the render threads run (it calls runRenderWorker()). */
  renderWorkerEntry: string;
}

@Module({})
export class ProvidersModule {
  static forRoot({ renderThreads, renderWorkerEntry }: ProvidersOptions): DynamicModule {
    return {
      module: ProvidersModule,
      global: true,
      providers: [
        { provide: RenderPool, useFactory: () => new RenderPool({ size: renderThreads, workerEntry: renderWorkerEntry }) },
        LocalImageProvider,
        ChaosImageProvider,
        Providers,
      ],
      exports: [Providers],
    };
  }
}
