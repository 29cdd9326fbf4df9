import { FakeProviderServer, expectAbortDropsConnection, json, jsonBody, quiet } from '@pixel-prompt/testing';
import { BedrockGuardrailModeration, OpenAiModeration } from '../src';
import { BEDROCK_FAILURES, expectBedrockFailureMapped, failure } from './fakes';

const OPENAI_KEY = 'sk-test-moderation-0123456789abcdefghijklmn';
const AWS_SECRET = 'fakeSecretAccessKeyForModerationTests0123';
const TEXT = 'a red fox in the snow';

/** A moderation result as the endpoint documents it (omni-moderation: 13 categories, scores, input types). */
function moderationResult(flagged: readonly string[]) {
  const names = [
    'harassment', 'harassment/threatening', 'hate', 'hate/threatening', 'illicit', 'illicit/violent', 'self-harm',
    'self-harm/intent', 'self-harm/instructions', 'sexual', 'sexual/minors', 'violence', 'violence/graphic',
  ];
  return {
    id: 'modr-0123',
    model: 'omni-moderation-latest',
    results: [
      {
        flagged: flagged.length > 0,
        categories: Object.fromEntries(names.map((name) => [name, flagged.includes(name)])),
        category_scores: Object.fromEntries(names.map((name) => [name, flagged.includes(name) ? 0.93 : 0.0004])),
        category_applied_input_types: Object.fromEntries(names.map((name) => [name, ['text']])),
      },
    ],
  };
}

describe('OpenAI moderation contract', () => {
  let server: FakeProviderServer;
  let moderation: OpenAiModeration;

  beforeAll(async () => {
    server = await FakeProviderServer.start();
    moderation = new OpenAiModeration({ apiKey: OPENAI_KEY, baseUrl: `${server.url}/` });
  });
  afterAll(() => server.close());

  it('posts {model, input} to /v1/moderations with the bearer key and passes an unflagged text', async () => {
    server.handle((_req, res) => json(res, 200, moderationResult([])));
    expect(await moderation.moderate(TEXT, quiet())).toEqual({ flagged: false });

    expect(server.requests).toHaveLength(1);
    const sent = server.requests[0];
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/moderations' });
    expect(sent?.headers['authorization']).toBe(`Bearer ${OPENAI_KEY}`);
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(jsonBody(sent)).toEqual({ model: 'omni-moderation-latest', input: TEXT });
  });

  it('reports a flagged text with the categories that flagged it', async () => {
    server.handle((_req, res) => json(res, 200, moderationResult(['sexual', 'violence/graphic'])));
    expect(await moderation.moderate(TEXT, quiet())).toEqual({ flagged: true, categories: ['sexual', 'violence/graphic'] });
  });

  it('defaults to omni-moderation-latest on api.openai.com', () => {
    expect(new OpenAiModeration({ apiKey: OPENAI_KEY }) as unknown as { model: string; baseUrl: string }).toMatchObject({
      model: 'omni-moderation-latest',
      baseUrl: 'https://api.openai.com',
    });
  });

  it.each([
    [401, 'AUTH', false, { error: { message: `Incorrect API key provided: ${OPENAI_KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } }],
    [500, 'PROVIDER_ERROR', true, { error: { message: 'The server had an error while processing your request.', type: 'server_error' } }],
    [503, 'PROVIDER_ERROR', true, 'upstream connect error'],
  ] as const)('maps HTTP %i to %s without leaking the key', async (status, code, retryable, body) => {
    server.handle((_req, res) => (typeof body === 'string' ? res.writeHead(status, { 'content-type': 'text/plain' }).end(body) : json(res, status, body)));
    const error = await failure(moderation.moderate(TEXT, quiet()));
    expect(error).toMatchObject({ code, retryable });
    expect(error.message).not.toContain(OPENAI_KEY);
  });

  it('maps 429 to RATE_LIMITED with the Retry-After wait', async () => {
    server.handle((_req, res) => json(res, 429, { error: { message: 'Rate limit reached for omni-moderation-latest', type: 'requests', code: 'rate_limit_exceeded' } }, { 'retry-after': '7' }));
    expect(await failure(moderation.moderate(TEXT, quiet()))).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterSeconds: 7 });
  });

  it('treats an answer without a verdict as a failure, never as a pass', async () => {
    server.handle((_req, res) => json(res, 200, { id: 'modr-1', model: 'omni-moderation-latest', results: [] }));
    expect(await failure(moderation.moderate(TEXT, quiet()))).toMatchObject({ code: 'PROVIDER_ERROR' });
  });

  it('stops a slow answer when the signal aborts', async () => {
    await expectAbortDropsConnection(server, (signal) => moderation.moderate(TEXT, signal));
  });
});

describe('Amazon Bedrock ApplyGuardrail contract (real AWS SDK)', () => {
  let server: FakeProviderServer;
  let moderation: BedrockGuardrailModeration;

  beforeAll(async () => {
    server = await FakeProviderServer.start({ http2: true });
    moderation = new BedrockGuardrailModeration({
      guardrailId: 'gr0abc123xyz',
      guardrailVersion: '3',
      region: 'eu-west-1',
      clientConfig: { endpoint: server.url, credentials: { accessKeyId: 'AKIDMODERATIONTEST', secretAccessKey: AWS_SECRET } },
    });
  });
  afterAll(async () => {
    moderation.destroy();
    await server.close();
  });

  /** An ApplyGuardrail answer as the service documents it. */
  const applied = (action: 'NONE' | 'GUARDRAIL_INTERVENED', assessments: unknown[] = []) => ({
    usage: { topicPolicyUnits: 1, contentPolicyUnits: 1, wordPolicyUnits: 1, sensitiveInformationPolicyUnits: 0, sensitiveInformationPolicyFreeUnits: 0, contextualGroundingPolicyUnits: 0 },
    action,
    outputs: action === 'NONE' ? [] : [{ text: 'Sorry, this request cannot be processed.' }],
    assessments,
    guardrailCoverage: { textCharacters: { guarded: TEXT.length, total: TEXT.length } },
  });

  it('sends a signed ApplyGuardrail request for the text as INPUT and passes it when the guardrail does nothing', async () => {
    server.handle((_req, res) => json(res, 200, applied('NONE')));
    expect(await moderation.moderate(TEXT, quiet())).toEqual({ flagged: false });

    const sent = server.requests[0];
    expect(sent?.method).toBe('POST');
    expect(decodeURIComponent(sent?.path ?? '')).toBe('/guardrail/gr0abc123xyz/version/3/apply');
    expect(sent?.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDMODERATIONTEST\/\d{8}\/eu-west-1\/bedrock\/aws4_request/);
    expect(JSON.stringify(sent?.headers)).not.toContain(AWS_SECRET);
    expect(jsonBody(sent)).toEqual({ source: 'INPUT', content: [{ text: { text: TEXT } }] });
  });

  it('reports an intervention with the filters and topics that blocked the text', async () => {
    server.handle((_req, res) =>
      json(
        res,
        200,
        applied('GUARDRAIL_INTERVENED', [
          {
            contentPolicy: {
              filters: [
                { type: 'SEXUAL', confidence: 'HIGH', filterStrength: 'HIGH', action: 'BLOCKED', detected: true },
                { type: 'VIOLENCE', confidence: 'LOW', filterStrength: 'HIGH', action: 'NONE', detected: false },
              ],
            },
            topicPolicy: { topics: [{ name: 'Weapons', type: 'DENY', action: 'BLOCKED', detected: true }] },
          },
        ]),
      ),
    );
    expect(await moderation.moderate(TEXT, quiet())).toEqual({ flagged: true, categories: ['SEXUAL', 'topic:Weapons'] });
  });

  it.each(BEDROCK_FAILURES)('maps %s (HTTP %i) to %s, in one attempt', async (...failed) => {
    await expectBedrockFailureMapped(server, (signal) => moderation.moderate(TEXT, signal), failed, AWS_SECRET);
  });

  it('aborts the SDK call when the signal fires', async () => {
    await expectAbortDropsConnection(server, (signal) => moderation.moderate(TEXT, signal));
  });
});
