import type { ApplyGuardrailCommandOutput, BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import { LazyBedrockClient, ProviderError, bedrockRuntime } from '@pixel-prompt/providers';
import { bedrockCallFailure } from '../bedrock-failure';
import { type ModerationProvider, type ModerationVerdict, NOT_FLAGGED } from './moderation-provider';

export interface BedrockGuardrailOptions {
  /** The guardrail's id or ARN, and its version (a number, or DRAFT). */
  guardrailId: string;
  guardrailVersion: string;
  region: string;
  /** For tests (a local endpoint, static credentials); production uses the default credential chain. */
  clientConfig?: Partial<BedrockRuntimeClientConfig>;
}

/**
 * An Amazon Bedrock guardrail applied to the text alone (`ApplyGuardrail`, source INPUT: the text is
 * what the image models will be given), through the AWS SDK with the default credential chain.
 */
export class BedrockGuardrailModeration implements ModerationProvider {
  readonly name = 'bedrock';
  private readonly client: LazyBedrockClient;

  constructor(private readonly options: BedrockGuardrailOptions) {
    // One attempt: a user is waiting, and the caller's timeout bounds the whole call.
    this.client = new LazyBedrockClient({ maxAttempts: 1, ...options.clientConfig, region: options.region });
  }

  async moderate(text: string, signal: AbortSignal): Promise<ModerationVerdict> {
    const { ApplyGuardrailCommand } = await bedrockRuntime();
    const command = new ApplyGuardrailCommand({
      guardrailIdentifier: this.options.guardrailId,
      guardrailVersion: this.options.guardrailVersion,
      source: 'INPUT',
      content: [{ text: { text } }],
    });
    let response: ApplyGuardrailCommandOutput;
    try {
      response = await (await this.client.get()).send(command, { abortSignal: signal });
    } catch (error) {
      throw bedrockCallFailure(error, signal);
    }
    if (response.action === 'NONE') return NOT_FLAGGED;
    if (response.action === 'GUARDRAIL_INTERVENED') return { flagged: true, categories: categoriesOf(response) };
    throw new ProviderError('PROVIDER_ERROR', 'Amazon Bedrock guardrail answered without a verdict', true);
  }

  /** Closes the SDK's connections (tests). */
  destroy(): void {
    this.client.destroy();
  }

  /** Nest calls this on shutdown for the gateway's factory-provided instance. */
  onModuleDestroy(): void {
    this.destroy();
  }
}

/** What the guardrail acted on: its content filters' types, denied topics and word lists. */
function categoriesOf(response: ApplyGuardrailCommandOutput): string[] {
  const categories = new Set<string>();
  for (const assessment of response.assessments ?? []) {
    for (const filter of assessment.contentPolicy?.filters ?? []) if (filter.action === 'BLOCKED' && filter.type) categories.add(filter.type);
    for (const topic of assessment.topicPolicy?.topics ?? []) if (topic.action === 'BLOCKED' && topic.name) categories.add(`topic:${topic.name}`);
    if ((assessment.wordPolicy?.customWords?.length ?? 0) + (assessment.wordPolicy?.managedWordLists?.length ?? 0) > 0) categories.add('words');
  }
  return [...categories];
}
