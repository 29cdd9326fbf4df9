import { OPENAI_BASE_URL, ProviderError, isRecord, trimSlash } from '@pixel-prompt/providers';
import { postOpenAiJson } from '../openai-request';
import { type ModerationProvider, type ModerationVerdict, NOT_FLAGGED } from './moderation-provider';

export const OPENAI_MODERATION_MODEL = 'omni-moderation-latest';
const LABEL = 'OpenAI moderation';

export interface OpenAiModerationOptions {
  apiKey: string;
  model?: string;
  /** Another server speaking the same wire format (tests, proxies). */
  baseUrl?: string;
}

/** OpenAI's moderation endpoint, `POST {baseUrl}/v1/moderations` with `{model, input}`; free of charge. */
export class OpenAiModeration implements ModerationProvider {
  readonly name = 'openai';
  private readonly model: string;
  private readonly baseUrl: string;

  constructor(private readonly options: OpenAiModerationOptions) {
    this.model = options.model ?? OPENAI_MODERATION_MODEL;
    this.baseUrl = trimSlash(options.baseUrl ?? OPENAI_BASE_URL);
  }

  async moderate(text: string, signal: AbortSignal): Promise<ModerationVerdict> {
    const answer = await postOpenAiJson(LABEL, `${this.baseUrl}/v1/moderations`, this.options.apiKey, { model: this.model, input: text }, signal);
    // One input, one result: {flagged, categories: {sexual: true, ...}, category_scores: {...}}.
    const result: unknown = isRecord(answer) && Array.isArray(answer['results']) ? answer['results'][0] : undefined;
    if (!isRecord(result) || typeof result['flagged'] !== 'boolean') {
      throw new ProviderError('PROVIDER_ERROR', `${LABEL} answered without a verdict`, true);
    }
    if (!result['flagged']) return NOT_FLAGGED;
    const categories = isRecord(result['categories']) ? Object.keys(result['categories']).filter((name) => (result['categories'] as Record<string, unknown>)[name] === true) : [];
    return { flagged: true, categories };
  }
}
