import type * as BedrockRuntime from '@aws-sdk/client-bedrock-runtime';
import type { BedrockRuntimeClient, BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';

/**
 * The Bedrock runtime SDK, loaded when first used rather than at start-up: loading it took about
 * 7% of a service's start, 43 ms (docs/PERFORMANCE.md), and only deployments configured for Bedrock
 * (its image models, ENHANCER or MODERATION) ever call it.
 */
export function bedrockRuntime(): Promise<typeof BedrockRuntime> {
  return import('@aws-sdk/client-bedrock-runtime');
}

/** A Bedrock runtime client, made with `config` on first use. */
export class LazyBedrockClient {
  private client?: Promise<BedrockRuntimeClient>;

  constructor(private readonly config: BedrockRuntimeClientConfig) {}

  get(): Promise<BedrockRuntimeClient> {
    this.client ??= bedrockRuntime().then(({ BedrockRuntimeClient: Client }) => new Client(this.config));
    return this.client;
  }

  /** Closes the SDK's connections, if a client was made. */
  destroy(): void {
    void this.client?.then((client) => client.destroy());
    this.client = undefined;
  }
}
