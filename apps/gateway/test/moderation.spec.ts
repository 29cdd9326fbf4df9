import { ConfigError, loadConfig } from '@pixel-prompt/config';
import { type ErrorBody, isErrorBody } from '@pixel-prompt/contracts';
import { BedrockGuardrailModeration, OpenAiModeration, createModerationProvider } from '@pixel-prompt/prompts';
import {
  FakeProviderServer,
  type RunningService,
  TestRedis,
  hangingHandler,
  json,
  jsonBody,
  startService,
  stopAllProcesses,
  waitFor,
} from '@pixel-prompt/testing';
import { configSchema } from '../src/config';

const OPENAI_KEY = 'sk-gateway-moderation-test-0123456789';

/** OpenAI's moderation answer for one input; `flagged` names the categories that flagged it. */
const verdict = (...flagged: string[]) => ({
  id: 'modr-1',
  model: 'omni-moderation-latest',
  results: [{ flagged: flagged.length > 0, categories: Object.fromEntries(flagged.map((name) => [name, true])), category_scores: {} }],
});

/**
 * The hosted moderation stage on the built gateway, against a local server speaking OpenAI's
 * moderation API: where it runs, what it refuses, and that it fails closed.
 */
describe('gateway moderation stage (built, as a process, real Redis, fake OpenAI moderation)', () => {
  let redis: TestRedis;
  let moderation: FakeProviderServer;
  let gateway: RunningService;

  // The default MODERATION_TIMEOUT_MS (5 s), so a slow first call on a busy machine is not refused;
  // the timeout itself is tested on a gateway of its own.
  const gatewayEnv = () => ({
    REDIS_URL: redis.url,
    TRUSTED_PROXY_HOPS: '1',
    MODERATION: 'openai',
    MODERATION_BASE_URL: moderation.url,
    OPENAI_API_KEY: OPENAI_KEY,
  });

  beforeAll(async () => {
    [redis, moderation] = await Promise.all([TestRedis.start(), FakeProviderServer.start()]);
    gateway = await startService('gateway', gatewayEnv(), { until: 'ready' });
  });

  afterAll(async () => {
    await stopAllProcesses();
    await Promise.all([redis.dispose(), moderation.close()]);
  });

  const post = (path: string, body: unknown, ip: string, to: RunningService = gateway) =>
    fetch(`${to.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': ip },
      body: JSON.stringify(body),
    });

  async function errorOf(res: Response): Promise<ErrorBody> {
    const body: unknown = await res.json();
    if (!isErrorBody(body)) throw new Error(`not an error body: ${JSON.stringify(body)}`);
    return body;
  }

  const moderated = () => moderation.requests.map((request) => jsonBody(request)['input']);

  async function metric(name: string, labels: string): Promise<number> {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
    return line ? Number(line.split(' ')[1]) : 0;
  }

  it('moderates an admitted prompt with the configured key and model, and accepts it when not flagged', async () => {
    moderation.handle((_req, res) => json(res, 200, verdict()));
    const res = await post('/generate', { prompt: 'a lighthouse at dawn', models: ['ink'] }, '198.51.100.30');
    expect(res.status).toBe(202);
    expect(moderated()).toEqual(['a lighthouse at dawn']);
    expect(moderation.requests[0]?.headers['authorization']).toBe(`Bearer ${OPENAI_KEY}`);
    expect(jsonBody(moderation.requests[0])['model']).toBe('omni-moderation-latest');
  });

  it('refuses a flagged prompt with 400 INAPPROPRIATE_CONTENT and counts it by stage', async () => {
    const before = await metric('pixel_prompt_content_filter_refusals_total', 'stage="moderation",text="prompt"');
    moderation.handle((_req, res) => json(res, 200, verdict('violence')));
    const res = await post('/generate', { prompt: 'a quiet street', models: ['ink'] }, '198.51.100.31');
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ error: 'INAPPROPRIATE_CONTENT' });
    expect(await metric('pixel_prompt_content_filter_refusals_total', 'stage="moderation",text="prompt"')).toBe(before + 1);
    expect(await metric('pixel_prompt_moderation_checks_total', 'provider="openai",outcome="flagged"')).toBeGreaterThanOrEqual(1);
  });

  it('moderates a negative prompt too, and refuses the generation when it is flagged', async () => {
    moderation.handle((_req, res) => json(res, 200, verdict()));
    const ok = await post('/generate', { prompt: 'a foggy pier', negativePrompt: 'gulls', models: ['ink'] }, '198.51.100.36');
    expect(ok.status).toBe(202);
    expect(moderated()).toEqual(['a foggy pier', 'gulls']);

    moderation.handle((req, res) => json(res, 200, jsonBody(req)['input'] === 'a foggy pier' ? verdict() : verdict('harassment')));
    const refused = await post('/generate', { prompt: 'a foggy pier', negativePrompt: 'something flagged', models: ['ink'] }, '198.51.100.36');
    expect(refused.status).toBe(400);
    expect(await errorOf(refused)).toMatchObject({ error: 'INAPPROPRIATE_CONTENT' });
    expect(await metric('pixel_prompt_content_filter_refusals_total', 'stage="moderation",text="negative_prompt"')).toBe(1);
  });

  it('never sends a prompt the word list refuses to the moderation service', async () => {
    moderation.handle((_req, res) => json(res, 200, verdict()));
    const res = await post('/generate', { prompt: 'a n.u.d.e figure', models: ['ink'] }, '198.51.100.32');
    expect(res.status).toBe(400);
    expect(moderation.requests).toHaveLength(0);
  });

  it('moderates both the /enhance input and the enhanced prompt, and refuses a flagged enhancement', async () => {
    moderation.handle((_req, res) => json(res, 200, verdict()));
    const ok = await post('/enhance', { prompt: 'a red fox in the snow' }, '198.51.100.33');
    expect(ok.status).toBe(200);
    const { enhanced } = (await ok.json()) as { enhanced: string };
    expect(moderated()).toEqual(['a red fox in the snow', enhanced]);

    // The input passes, the enhancement is flagged: refused, never handed back.
    moderation.handle((req, res) => json(res, 200, jsonBody(req)['input'] === 'a quiet harbour' ? verdict() : verdict('sexual')));
    const refused = await post('/enhance', { prompt: 'a quiet harbour' }, '198.51.100.33');
    expect(refused.status).toBe(400);
    expect(await errorOf(refused)).toMatchObject({ error: 'INAPPROPRIATE_CONTENT' });
    expect(await metric('pixel_prompt_content_filter_refusals_total', 'stage="moderation",text="enhanced_prompt"')).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['a 500', (res: import('node:http').ServerResponse) => json(res, 500, { error: { message: 'The server had an error', type: 'server_error' } }), '15'],
    ['a 429 with Retry-After', (res: import('node:http').ServerResponse) => json(res, 429, { error: { message: 'Rate limit reached', type: 'requests' } }, { 'retry-after': '42' }), '42'],
  ])('fails closed on %s: 503 SERVICE_UNAVAILABLE with Retry-After, and no job', async (_case, answer, retryAfter) => {
    moderation.handle((_req, res) => answer(res));
    const res = await post('/generate', { prompt: 'a windmill in a field', models: ['ink'] }, '198.51.100.34');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe(retryAfter);
    expect(await errorOf(res)).toMatchObject({ error: 'SERVICE_UNAVAILABLE', retryAfter: Number(retryAfter) });
    expect(await metric('pixel_prompt_moderation_checks_total', 'provider="openai",outcome="unavailable"')).toBeGreaterThanOrEqual(1);
  });

  it('fails closed when the service does not answer within MODERATION_TIMEOUT_MS', async () => {
    const impatient = await startService('gateway', { ...gatewayEnv(), MODERATION_TIMEOUT_MS: '500' }, { until: 'ready' });
    // One answered call first, so the hanging call below is not given up before it is even sent (a
    // fresh process's first call can take longer than 500 ms on a busy machine).
    moderation.handle((_req, res) => json(res, 200, verdict()));
    await waitFor(async () => (await post('/enhance', { prompt: 'a kite' }, '198.51.100.35', impatient)).status === 200, { what: 'a moderated call' });
    const hanging = hangingHandler();
    moderation.handle(hanging.handler);
    const res = await post('/enhance', { prompt: 'a kite over the dunes' }, '198.51.100.35', impatient);
    expect(res.status).toBe(503);
    expect(await errorOf(res)).toMatchObject({ error: 'SERVICE_UNAVAILABLE' });
    // The call reached the service, and the gateway gave up on it and closed it.
    await hanging.received;
    await hanging.dropped;
  });

  it('never writes the key to its logs', () => {
    expect(JSON.stringify(gateway.logs())).not.toContain(OPENAI_KEY);
  });
});

describe('MODERATION configuration', () => {
  const load = (env: Record<string, string>) => loadConfig(configSchema, { REDIS_URL: 'redis://127.0.0.1:6379', ...env });

  function problems(env: Record<string, string>): { variable: string; problem: string }[] {
    try {
      load(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems;
    }
    throw new Error('expected the configuration to be refused');
  }

  it('is off by default', () => {
    const config = load({});
    expect(config.MODERATION).toBe('off');
    expect(createModerationProvider(config)).toBeNull();
  });

  it('builds OpenAI moderation with the shared key, and a Bedrock guardrail from its id and version', () => {
    expect(createModerationProvider(load({ MODERATION: 'openai', OPENAI_API_KEY: OPENAI_KEY }))).toBeInstanceOf(OpenAiModeration);
    const guardrail = createModerationProvider(load({ MODERATION: 'bedrock', MODERATION_GUARDRAIL_ID: 'gr0abc123', MODERATION_GUARDRAIL_VERSION: 'DRAFT' }));
    expect(guardrail).toBeInstanceOf(BedrockGuardrailModeration);
    (guardrail as BedrockGuardrailModeration).destroy();
  });

  it('refuses to boot with a provider missing what it needs, or with settings of another provider', () => {
    expect(problems({ MODERATION: 'openai' })).toEqual([{ variable: 'OPENAI_API_KEY', problem: 'is required but not set' }]);
    // One problem for one missing key, however many features need it.
    expect(problems({ MODERATION: 'openai', ENHANCER: 'openai' })).toEqual([{ variable: 'OPENAI_API_KEY', problem: 'is required but not set' }]);
    expect(problems({ MODERATION: 'bedrock' }).map((p) => p.variable)).toEqual(['MODERATION_GUARDRAIL_ID', 'MODERATION_GUARDRAIL_VERSION']);
    expect(problems({ MODERATION: 'bedrock', MODERATION_GUARDRAIL_ID: 'Not An Id', MODERATION_GUARDRAIL_VERSION: '0' }).map((p) => p.variable)).toEqual([
      'MODERATION_GUARDRAIL_ID',
      'MODERATION_GUARDRAIL_VERSION',
    ]);
    expect(problems({ MODERATION_GUARDRAIL_ID: 'gr0abc123', MODERATION_BASE_URL: 'http://moderation.internal' }).map((p) => p.variable).sort()).toEqual([
      'MODERATION_BASE_URL',
      'MODERATION_GUARDRAIL_ID',
    ]);
    expect(problems({ MODERATION: 'azure' }).map((p) => p.variable)).toEqual(['MODERATION']);
  });
});
