import { OPENAI_BASE_URL, ProviderError, errorBody, errorForStatus, isRecord, openAiFailure, providerFetch, readJson, trimSlash } from '@pixel-prompt/providers';
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
    const response = await providerFetch(
      LABEL,
      `${this.baseUrl}/v1/moderations`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ model: this.model, input: text }),
      },
      signal,
    );
    if (!response.ok) {
      throw errorForStatus(LABEL, response.status, openAiFailure(await errorBody(response, signal)), response.headers.get('retry-after'));
    }
    const answer = await readJson(LABEL, response, signal);
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
