import { type DynamicModule, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { ModelCapabilities } from '@pixel-prompt/contracts';
import { RenderPool } from '@pixel-prompt/imaging';
import type { ModelConfig, ProviderName } from '@pixel-prompt/models';
import { BedrockImageProvider } from './bedrock-provider';
import { BflImageProvider } from './bfl-provider';
import { CHAOS_CAPABILITIES, ChaosImageProvider } from './chaos-provider';
import { GoogleImageProvider } from './google-provider';
import { ProviderCredentials, type KeyedProvider } from './http';
import { type ImageProvider, ProviderError } from './image-provider';
import { LOCAL_CAPABILITIES, LocalImageProvider } from './local-provider';
import { OpenAiCompatibleImageProvider, OpenAiImageProvider, RecraftImageProvider } from './openai-provider';
import { StabilityImageProvider } from './stability-provider';

/** The hosted adapters, which need nothing but the keys. */
export interface HostedProviders {
  openai: OpenAiImageProvider;
  'openai-compatible': OpenAiCompatibleImageProvider;
  stability: StabilityImageProvider;
  bfl: BflImageProvider;
  bedrock: BedrockImageProvider;
  google: GoogleImageProvider;
  recraft: RecraftImageProvider;
}

export function hostedProviders(credentials: ProviderCredentials): HostedProviders {
  return {
    openai: new OpenAiImageProvider(credentials),
    'openai-compatible': new OpenAiCompatibleImageProvider(credentials),
    stability: new StabilityImageProvider(credentials),
    bfl: new BflImageProvider(credentials),
    bedrock: new BedrockImageProvider(),
    google: new GoogleImageProvider(credentials),
    recraft: new RecraftImageProvider(credentials),
  };
}

let keylessHosted: HostedProviders | undefined;

/**
 * Which generation controls `model` honours, from its adapter's own declaration. Needs no keys and
 * no render threads, so the gateway can tell clients without being able to run any model.
 */
export function capabilitiesOf(model: ModelConfig): ModelCapabilities {
  switch (model.provider) {
    case 'local':
      return LOCAL_CAPABILITIES;
    case 'chaos':
      return CHAOS_CAPABILITIES;
    default:
      keylessHosted ??= hostedProviders(new ProviderCredentials());
      return keylessHosted[model.provider].capabilities(model);
  }
}

/** The adapter for each provider name a registry may use. */
@Injectable()
export class Providers implements OnApplicationShutdown {
  private readonly byName: Partial<Record<ProviderName, ImageProvider>>;
  private readonly hosted: HostedProviders;

  constructor(local: LocalImageProvider, chaos: ChaosImageProvider, readonly credentials: ProviderCredentials) {
    this.hosted = hostedProviders(credentials);
    this.byName = { local, chaos, ...this.hosted };
  }

  // After the queues have finished their active jobs (onModuleDestroy).
  onApplicationShutdown(): void {
    this.hosted.bedrock.destroy();
  }

  image(model: ModelConfig): ImageProvider {
    const provider = this.byName[model.provider];
    if (!provider) throw new ProviderError('UNAVAILABLE', `No adapter for provider "${model.provider}".`, false);
    return provider;
  }

  /** The variable that must be set before `model` can run; undefined when it can. */
  missingCredential(model: ModelConfig): string | undefined {
    return this.credentials.missingFor(model);
  }
}

export interface ProvidersOptions {
  /** Worker threads for the built-in models. */
  renderThreads: number;
  /** Absolute path of the JavaScript file the render threads run (it calls runRenderWorker()). */
  renderWorkerEntry: string;
  /** API keys of the hosted providers, read at boot; missing ones make their models unavailable. */
  apiKeys?: Partial<Record<KeyedProvider, string>>;
}

@Module({})
export class ProvidersModule {
  static forRoot({ renderThreads, renderWorkerEntry, apiKeys = {} }: ProvidersOptions): DynamicModule {
    return {
      module: ProvidersModule,
      global: true,
      providers: [
        { provide: RenderPool, useFactory: () => new RenderPool({ size: renderThreads, workerEntry: renderWorkerEntry }) },
        { provide: ProviderCredentials, useValue: new ProviderCredentials(apiKeys) },
        LocalImageProvider,
        ChaosImageProvider,
        Providers,
      ],
      exports: [Providers],
    };
  }
}
