import { ProviderError } from '@pixel-prompt/providers';
import { FakeProviderServer, expectAbortDropsConnection, json, jsonBody, quiet } from '@pixel-prompt/testing';
import { BEDROCK_FAILURES, expectBedrockFailureMapped, failure } from './fakes';
import { BedrockConverseEnhancer, ENHANCED_PROMPT_MAX_LENGTH, ENHANCER_SYSTEM_PROMPT, GeminiEnhancer, OpenAiChatEnhancer, cleanEnhancedPrompt } from '../src';

const OPENAI_KEY = 'sk-test-enhancer-0123456789abcdefghijklmnop';
const GEMINI_KEY = 'AIzaSyEnhancerContractTest0123456789abcd';
const AWS_SECRET = 'fakeSecretAccessKeyForEnhancerTests012345';
const PROMPT = 'a red fox in the snow';
const ENHANCED = 'A red fox pauses in fresh snow at dawn. Soft golden light rims its fur.';

describe('cleanEnhancedPrompt', () => {
  it('trims and strips the quotes models wrap answers in', () => {
    expect(cleanEnhancedPrompt('X', '  "A fox."\n')).toBe('A fox.');
    expect(cleanEnhancedPrompt('X', '\u201c \'A fox.\' \u201d')).toBe('A fox.');
    // A quote inside the prompt is the user's, not a wrapper.
    expect(cleanEnhancedPrompt('X', 'A sign that says "open".')).toBe('A sign that says "open".');
  });

  it('caps a long answer at a word boundary', () => {
    const long = 'word '.repeat(400);
    const capped = cleanEnhancedPrompt('X', long);
    expect(capped.length).toBeLessThanOrEqual(ENHANCED_PROMPT_MAX_LENGTH);
    expect(capped.length).toBeGreaterThan(ENHANCED_PROMPT_MAX_LENGTH - 10);
    expect(capped.endsWith('word')).toBe(true);
  });

  it.each([undefined, '', '   ', '""', '\u201c\u201d'])('treats %p as a failure', (answer) => {
    expect(() => cleanEnhancedPrompt('X', answer)).toThrow(ProviderError);
  });
});

describe('OpenAI chat enhancer contract', () => {
  let server: FakeProviderServer;
  let enhancer: OpenAiChatEnhancer;

  beforeAll(async () => {
    server = await FakeProviderServer.start();
    enhancer = new OpenAiChatEnhancer({ apiKey: OPENAI_KEY, model: 'gpt-4o-mini', baseUrl: `${server.url}/` });
  });
  afterAll(() => server.close());

  it('posts the system prompt and the user prompt to /v1/chat/completions with the bearer key', async () => {
    server.handle((_req, res) =>
      json(res, 200, { id: 'chatcmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: `"${ENHANCED}"`, refusal: null }, finish_reason: 'stop' }] }),
    );
    expect(await enhancer.enhance(PROMPT, quiet())).toBe(ENHANCED);

    expect(server.requests).toHaveLength(1);
    const sent = server.requests[0];
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
    expect(sent?.headers['authorization']).toBe(`Bearer ${OPENAI_KEY}`);
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(jsonBody(sent)).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: ENHANCER_SYSTEM_PROMPT },
        { role: 'user', content: PROMPT },
      ],
    });
  });

  it('defaults to gpt-4o-mini on api.openai.com', () => {
    // The defaults are private fields: reading them beats calling the real API from a test.
    expect((new OpenAiChatEnhancer({ apiKey: OPENAI_KEY }) as unknown as { model: string; baseUrl: string })).toMatchObject({
      model: 'gpt-4o-mini',
      baseUrl: 'https://api.openai.com',
    });
  });

  it.each([
    [401, 'AUTH', false, { error: { message: `Incorrect API key provided: ${OPENAI_KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } }],
    [500, 'PROVIDER_ERROR', true, { error: { message: 'The server had an error while processing your request.', type: 'server_error' } }],
    [503, 'PROVIDER_ERROR', true, 'upstream connect error'],
  ] as const)('maps HTTP %i to %s without leaking the key', async (status, code, retryable, body) => {
    server.handle((_req, res) => (typeof body === 'string' ? res.writeHead(status).end(body) : json(res, status, body)));
    const error = await failure(enhancer.enhance(PROMPT, quiet()));
    expect(error).toMatchObject({ code, retryable });
    expect(error.message).not.toContain(OPENAI_KEY);
  });

  it('maps 429 to RATE_LIMITED with the Retry-After wait', async () => {
    server.handle((_req, res) => json(res, 429, { error: { message: 'Rate limit reached for gpt-4o-mini', type: 'requests', code: 'rate_limit_exceeded' } }, { 'retry-after': '7' }));
    expect(await failure(enhancer.enhance(PROMPT, quiet()))).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterSeconds: 7 });
  });

  it('treats an empty answer as a failure', async () => {
    server.handle((_req, res) => json(res, 200, { choices: [{ index: 0, message: { role: 'assistant', content: '  ' }, finish_reason: 'stop' }] }));
    expect(await failure(enhancer.enhance(PROMPT, quiet()))).toMatchObject({ code: 'PROVIDER_ERROR' });
  });

  it('treats a refusal as a content rejection', async () => {
    server.handle((_req, res) => json(res, 200, { choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: "I can't help with that." }, finish_reason: 'stop' }] }));
    expect(await failure(enhancer.enhance(PROMPT, quiet()))).toMatchObject({ code: 'CONTENT_REJECTED' });
  });

  it('stops a slow answer when the signal aborts', async () => {
    await expectAbortDropsConnection(server, (signal) => enhancer.enhance(PROMPT, signal));
  });
});

describe('Gemini enhancer contract', () => {
  let server: FakeProviderServer;
  let enhancer: GeminiEnhancer;

  beforeAll(async () => {
    server = await FakeProviderServer.start();
    enhancer = new GeminiEnhancer({ apiKey: GEMINI_KEY, model: 'gemini-2.5-flash', baseUrl: server.url });
  });
  afterAll(() => server.close());

  const answer = (parts: unknown[], finishReason = 'STOP') => ({ candidates: [{ content: { role: 'model', parts }, finishReason, index: 0 }] });

  it('calls models/{model}:generateContent with the key in x-goog-api-key, never in the URL', async () => {
    server.handle((_req, res) => json(res, 200, answer([{ text: 'Thinking about foxes', thought: true }, { text: `${ENHANCED}\n` }])));
    expect(await enhancer.enhance(PROMPT, quiet())).toBe(ENHANCED);

    const sent = server.requests[0];
    expect(sent).toMatchObject({ method: 'POST', path: '/v1beta/models/gemini-2.5-flash:generateContent' });
    expect(sent?.headers['x-goog-api-key']).toBe(GEMINI_KEY);
    expect(sent?.path).not.toContain(GEMINI_KEY);
    expect(jsonBody(sent)).toEqual({
      systemInstruction: { parts: [{ text: ENHANCER_SYSTEM_PROMPT }] },
      contents: [{ role: 'user', parts: [{ text: PROMPT }] }],
    });
  });

  it('maps an invalid key (which Google answers with 400) and a 401 to AUTH without leaking the key', async () => {
    for (const status of [400, 401]) {
      server.handle((_req, res) =>
        json(res, status, { error: { code: status, message: `API key not valid. Please pass a valid API key. ${GEMINI_KEY}`, status: 'INVALID_ARGUMENT', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }] } }),
      );
      const error = await failure(enhancer.enhance(PROMPT, quiet()));
      expect(error).toMatchObject({ code: 'AUTH', retryable: false });
      expect(error.message).not.toContain(GEMINI_KEY);
    }
  });

  it('maps 429 to RATE_LIMITED with the wait from Retry-After or RetryInfo', async () => {
    server.handle((_req, res) => json(res, 429, { error: { code: 429, message: 'Resource has been exhausted', status: 'RESOURCE_EXHAUSTED' } }, { 'retry-after': '12' }));
    expect(await failure(enhancer.enhance(PROMPT, quiet()))).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterSeconds: 12 });
    server.handle((_req, res) =>
      json(res, 429, { error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '30s' }] } }),
    );
    expect(await failure(enhancer.enhance(PROMPT, quiet()))).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 30 });
  });

  it('maps 5xx to a retryable PROVIDER_ERROR', async () => {
    server.handle((_req, res) => json(res, 503, { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }));
    expect(await failure(enhancer.enhance(PROMPT, quiet()))).toMatchObject({ code: 'PROVIDER_ERROR', retryable: true });
  });

  it('treats an empty answer as a failure and a blocked prompt as a content rejection', async () => {
    server.handle((_req, res) => json(res, 200, answer([{ text: '' }])));
    expect(await failure(enhancer.enhance(PROMPT, quiet()))).toMatchObject({ code: 'PROVIDER_ERROR' });
    server.handle((_req, res) => json(res, 200, { promptFeedback: { blockReason: 'SAFETY' } }));
    expect(await failure(enhancer.enhance(PROMPT, quiet()))).toMatchObject({ code: 'CONTENT_REJECTED' });
  });

  it('stops a slow answer when the signal aborts', async () => {
    await expectAbortDropsConnection(server, (signal) => enhancer.enhance(PROMPT, signal));
  });
});

describe('Amazon Bedrock Converse enhancer contract (real AWS SDK)', () => {
  let server: FakeProviderServer;
  let enhancer: BedrockConverseEnhancer;

  beforeAll(async () => {
    server = await FakeProviderServer.start({ http2: true });
    enhancer = new BedrockConverseEnhancer({
      model: 'amazon.nova-lite-v1:0',
      region: 'eu-west-1',
      clientConfig: { endpoint: server.url, credentials: { accessKeyId: 'AKIDENHANCERTEST', secretAccessKey: AWS_SECRET } },
    });
  });
  afterAll(async () => {
    enhancer.destroy();
    await server.close();
  });

  const converse = (text: string, stopReason = 'end_turn') => ({
    output: { message: { role: 'assistant', content: [{ text }] } },
    stopReason,
    usage: { inputTokens: 120, outputTokens: 40, totalTokens: 160 },
    metrics: { latencyMs: 420 },
  });

  it('sends a signed Converse request with the system prompt and the user prompt', async () => {
    server.handle((_req, res) => json(res, 200, converse(` '${ENHANCED}' `)));
    expect(await enhancer.enhance(PROMPT, quiet())).toBe(ENHANCED);

    const sent = server.requests[0];
    expect(sent?.method).toBe('POST');
    expect(decodeURIComponent(sent?.path ?? '')).toBe('/model/amazon.nova-lite-v1:0/converse');
    expect(sent?.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDENHANCERTEST\/\d{8}\/eu-west-1\/bedrock\/aws4_request/);
    expect(JSON.stringify(sent?.headers)).not.toContain(AWS_SECRET);
    expect(jsonBody(sent)).toEqual({
      system: [{ text: ENHANCER_SYSTEM_PROMPT }],
      messages: [{ role: 'user', content: [{ text: PROMPT }] }],
    });
  });

  it.each(BEDROCK_FAILURES)('maps %s (HTTP %i) to %s', async (...failed) => {
    await expectBedrockFailureMapped(server, (signal) => enhancer.enhance(PROMPT, signal), failed, AWS_SECRET);
  });

  it('treats an empty answer as a failure and a guardrail stop as a content rejection', async () => {
    server.handle((_req, res) => json(res, 200, converse('')));
    expect(await failure(enhancer.enhance(PROMPT, quiet()))).toMatchObject({ code: 'PROVIDER_ERROR' });
    server.handle((_req, res) => json(res, 200, converse('Sorry.', 'guardrail_intervened')));
    expect(await failure(enhancer.enhance(PROMPT, quiet()))).toMatchObject({ code: 'CONTENT_REJECTED' });
  });

  it('aborts the SDK call when the signal fires', async () => {
    await expectAbortDropsConnection(server, (signal) => enhancer.enhance(PROMPT, signal));
  });
});
