import type { BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import { GENERATION_LIMITS } from '@pixel-prompt/contracts';
import {
  GOOGLE_BASE_URL,
  LazyBedrockClient,
  OPENAI_BASE_URL,
  ProviderError,
  bedrockRuntime,
  errorBody,
  errorForStatus,
  googleFailure,
  isRecord,
  providerFetch,
  readJson,
  stringField,
  trimSlash,
} from '@pixel-prompt/providers';
import { bedrockCallFailure } from '../bedrock-failure';
import { postOpenAiJson } from '../openai-request';
import type { PromptEnhancer } from './prompt-enhancer';

/** The one instruction every LLM enhancer sends, so switching providers changes the voice, not the task. */
export const ENHANCER_SYSTEM_PROMPT =
  "You rewrite short prompts for an image-generation model. Rewrite the user's image prompt as a richer prompt " +
  'of 2 to 4 sentences that covers the subject, the style, the lighting, the composition and fine detail. ' +
  'Keep the subject the user described and any style or medium they named; add nothing that contradicts them ' +
  'and no people, text or violence they did not ask for. Reply with the rewritten prompt only: no preamble, ' +
  'no quotes, no lists, no explanations.';

/** Longest enhanced prompt we hand back: it must still fit the generate request's prompt limit. */
export const ENHANCED_PROMPT_MAX_LENGTH = Math.min(1000, GENERATION_LIMITS.promptMaxLength);

const QUOTE_PAIRS: Record<string, string> = { '"': '"', "'": "'", '`': '`', '\u201c': '\u201d', '\u2018': '\u2019', '\u00ab': '\u00bb' };

/**
 * The model's answer as an enhanced prompt: trimmed, without the quotes models like to wrap it in,
 * capped (at a word boundary when one is near). Nothing left is a failure: an empty "enhancement" must
 * not reach the user as if it were one.
 */
export function cleanEnhancedPrompt(provider: string, answer: string | undefined): string {
  let text = (answer ?? '').trim();
  for (;;) {
    const close = QUOTE_PAIRS[text.charAt(0)];
    if (text.length < 2 || close === undefined || !text.endsWith(close)) break;
    text = text.slice(1, -1).trim();
  }
  if (text.length > ENHANCED_PROMPT_MAX_LENGTH) {
    const cut = text.slice(0, ENHANCED_PROMPT_MAX_LENGTH);
    const space = cut.lastIndexOf(' ');
    text = (space > ENHANCED_PROMPT_MAX_LENGTH - 100 ? cut.slice(0, space) : cut).trimEnd();
  }
  if (text === '') throw new ProviderError('PROVIDER_ERROR', `${provider} answered with an empty prompt`, true);
  return text;
}

export interface HttpEnhancerOptions {
  apiKey: string;
  /** The provider's model name; each enhancer has a small, cheap default. */
  model?: string;
  /** Another server speaking the same wire format (tests, proxies, OpenAI-compatible servers). */
  baseUrl?: string;
}

export const OPENAI_ENHANCER_MODEL = 'gpt-4o-mini';
const OPENAI_LABEL = 'OpenAI';

/** OpenAI Chat Completions (`POST {baseUrl}/v1/chat/completions`), or any server speaking it. */
export class OpenAiChatEnhancer implements PromptEnhancer {
  private readonly model: string;
  private readonly baseUrl: string;

  constructor(private readonly options: HttpEnhancerOptions) {
    this.model = options.model ?? OPENAI_ENHANCER_MODEL;
    this.baseUrl = trimSlash(options.baseUrl ?? OPENAI_BASE_URL);
  }

  async enhance(prompt: string, signal: AbortSignal): Promise<string> {
    const body = {
      model: this.model,
      messages: [
        { role: 'system', content: ENHANCER_SYSTEM_PROMPT },
        { role: 'user', content: prompt },
      ],
    };
    const answer = await postOpenAiJson(OPENAI_LABEL, `${this.baseUrl}/v1/chat/completions`, this.options.apiKey, body, signal);
    const choice: unknown = isRecord(answer) && Array.isArray(answer['choices']) ? answer['choices'][0] : undefined;
    const message = isRecord(choice) ? choice['message'] : undefined;
    if (stringField(choice, 'finish_reason') === 'content_filter' || stringField(message, 'refusal')) {
      throw new ProviderError('CONTENT_REJECTED', `${OPENAI_LABEL} refused the prompt under its content policy`, false);
    }
    return cleanEnhancedPrompt(OPENAI_LABEL, stringField(message, 'content'));
  }
}

export const GEMINI_ENHANCER_MODEL = 'gemini-2.5-flash';
const GOOGLE_LABEL = 'Google';

/** Gemini API `POST {baseUrl}/v1beta/models/{model}:generateContent`; the key in `x-goog-api-key`, never the URL. */
export class GeminiEnhancer implements PromptEnhancer {
  private readonly model: string;
  private readonly baseUrl: string;

  constructor(private readonly options: HttpEnhancerOptions) {
    this.model = options.model ?? GEMINI_ENHANCER_MODEL;
    this.baseUrl = trimSlash(options.baseUrl ?? GOOGLE_BASE_URL);
  }

  async enhance(prompt: string, signal: AbortSignal): Promise<string> {
    const body = {
      systemInstruction: { parts: [{ text: ENHANCER_SYSTEM_PROMPT }] },
      contents: [{ role: 'user', parts: [{ text: prompt }] }],
    };
    const response = await providerFetch(
      GOOGLE_LABEL,
      `${this.baseUrl}/v1beta/models/${encodeURIComponent(this.model)}:generateContent`,
      {
        method: 'POST',
        headers: { 'x-goog-api-key': this.options.apiKey, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      },
      signal,
    );
    if (!response.ok) {
      const failure = googleFailure(await errorBody(response, signal));
      if (failure.invalidKey) throw new ProviderError('AUTH', `${GOOGLE_LABEL} rejected our API key`, false);
      throw errorForStatus(GOOGLE_LABEL, response.status, failure, response.headers.get('retry-after') ?? failure.retryAfter);
    }
    const answer = await readJson(GOOGLE_LABEL, response, signal);
    const feedback = isRecord(answer) ? answer['promptFeedback'] : undefined;
    if (stringField(feedback, 'blockReason')) {
      throw new ProviderError('CONTENT_REJECTED', `${GOOGLE_LABEL} blocked the prompt under its content policy`, false);
    }
    const candidate: unknown = isRecord(answer) && Array.isArray(answer['candidates']) ? answer['candidates'][0] : undefined;
    const content = isRecord(candidate) ? candidate['content'] : undefined;
    const parts: unknown[] = isRecord(content) && Array.isArray(content['parts']) ? content['parts'] : [];
    // Thinking models may add thought parts (`thought: true`); only the answer is the prompt.
    const text = parts
      .filter((part) => !(isRecord(part) && part['thought'] === true))
      .map((part) => stringField(part, 'text') ?? '')
      .join('');
    if (text.trim() === '' && stringField(candidate, 'finishReason') === 'SAFETY') {
      throw new ProviderError('CONTENT_REJECTED', `${GOOGLE_LABEL} filtered the answer under its content policy`, false);
    }
    return cleanEnhancedPrompt(GOOGLE_LABEL, text);
  }
}

export const BEDROCK_ENHANCER_MODEL = 'amazon.nova-lite-v1:0';
const BEDROCK_LABEL = 'Amazon Bedrock';

export interface BedrockEnhancerOptions {
  /** A Bedrock model or inference-profile id that supports Converse. */
  model?: string;
  region: string;
  /** For tests (a local endpoint, static credentials); production uses the default credential chain. */
  clientConfig?: Partial<BedrockRuntimeClientConfig>;
}

/** Amazon Bedrock Converse through the AWS SDK; credentials from the default chain (IRSA on EKS). */
export class BedrockConverseEnhancer implements PromptEnhancer {
  private readonly model: string;
  private readonly client: LazyBedrockClient;

  constructor(options: BedrockEnhancerOptions) {
    this.model = options.model ?? BEDROCK_ENHANCER_MODEL;
    // One attempt: a user is waiting on /enhance, and the controller's timeout bounds the whole call.
    this.client = new LazyBedrockClient({ maxAttempts: 1, ...options.clientConfig, region: options.region });
  }

  async enhance(prompt: string, signal: AbortSignal): Promise<string> {
    const { ConverseCommand } = await bedrockRuntime();
    const command = new ConverseCommand({
      modelId: this.model,
      system: [{ text: ENHANCER_SYSTEM_PROMPT }],
      messages: [{ role: 'user', content: [{ text: prompt }] }],
    });
    let text: string;
    let stopReason: string | undefined;
    try {
      const response = await (await this.client.get()).send(command, { abortSignal: signal });
      stopReason = response.stopReason;
      text = (response.output?.message?.content ?? []).map((block) => block.text ?? '').join('');
    } catch (error) {
      throw bedrockCallFailure(error, signal);
    }
    if (stopReason === 'guardrail_intervened' || stopReason === 'content_filtered') {
      throw new ProviderError('CONTENT_REJECTED', `${BEDROCK_LABEL} refused the prompt under its content policy`, false);
    }
    return cleanEnhancedPrompt(BEDROCK_LABEL, text);
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
