import type { ModelConfig } from '@pixel-prompt/models';
import sharp from 'sharp';
import { OpenAiCompatibleImageProvider, OpenAiImageProvider, ProviderCredentials } from '../src';
import { FakeProviderServer, expectAbortDropsConnection, json, jsonBody, quiet } from '@pixel-prompt/testing';
import { PNG, failure } from './provider-fixtures';

const KEY = 'sk-test-0123456789abcdefghijklmnopqrstuv';

const model = (overrides: Partial<ModelConfig> = {}, options: Record<string, unknown> = {}): ModelConfig => ({
  id: 'gpt-image',
  displayName: 'GPT Image',
  provider: 'openai',
  providerModel: 'gpt-image-1',
  timeoutMs: 60_000,
  concurrency: 1,
  enabled: true,
  ...overrides,
  options: { size: '1024x1024', quality: 'low', ...options },
});
const request = (m: ModelConfig) => ({ prompt: 'a lighthouse at dusk', steps: 30, guidance: 9, seed: 42, model: m });

describe('OpenAI Images contract', () => {
  let server: FakeProviderServer;
  let openai: OpenAiImageProvider;
  let m: ModelConfig;

  beforeAll(async () => {
    server = await FakeProviderServer.start();
    openai = new OpenAiImageProvider(new ProviderCredentials({ openai: KEY }));
  });
  beforeEach(() => (m = model({}, { baseUrl: `${server.url}/` })));
  afterAll(() => server.close());

  it('posts the prompt and options to /v1/images/generations with the bearer key and decodes b64_json', async () => {
    server.handle((_req, res) => json(res, 200, { created: 1, data: [{ b64_json: PNG.toString('base64') }] }));
    const result = await openai.generate(request(m), quiet());

    expect(server.requests).toHaveLength(1);
    const sent = server.requests[0];
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/images/generations' });
    expect(sent?.headers['authorization']).toBe(`Bearer ${KEY}`);
    expect(sent?.headers['content-type']).toBe('application/json');
    // gpt-image models always answer base64 and refuse response_format.
    expect(jsonBody(sent)).toEqual({ model: 'gpt-image-1', prompt: 'a lighthouse at dusk', n: 1, size: '1024x1024', quality: 'low' });
    expect(result).toMatchObject({ mimeType: 'image/png', width: 48, height: 32 });
    expect(Buffer.compare(result.image, PNG)).toBe(0);
    expect(await sharp(result.thumbnail).metadata()).toMatchObject({ format: 'png', width: 48, height: 32 });
  });

  it('sends the size nearest to a requested aspect ratio that the model takes, over the registry size', async () => {
    const sizes: string[] = [];
    for (const [providerModel, aspectRatio] of [['gpt-image-1', '16:9'], ['gpt-image-1', '3:4'], ['dall-e-3', '9:16'], ['dall-e-2', '16:9']] as const) {
      server.handle((_req, res) => json(res, 200, { data: [{ b64_json: PNG.toString('base64') }] }));
      await openai.generate({ ...request(model({ providerModel }, { baseUrl: server.url })), aspectRatio }, quiet());
      sizes.push(String(jsonBody(server.requests.at(-1))['size']));
    }
    expect(sizes).toEqual(['1536x1024', '1024x1536', '1024x1792', '1024x1024']);
  });

  it('asks DALL·E 3 for b64_json and passes its style', async () => {
    server.handle((_req, res) => json(res, 200, { data: [{ b64_json: PNG.toString('base64'), revised_prompt: 'x' }] }));
    await openai.generate(request(model({ providerModel: 'dall-e-3' }, { baseUrl: server.url, quality: 'hd', style: 'vivid' })), quiet());
    expect(jsonBody(server.requests[0])).toEqual({
      model: 'dall-e-3', prompt: 'a lighthouse at dusk', n: 1, size: '1024x1024', quality: 'hd', style: 'vivid', response_format: 'b64_json',
    });
  });

  it('downloads an image answered as a URL without sending the key there', async () => {
    server.handle((req, res) => {
      if (req.path === '/v1/images/generations') return json(res, 200, { data: [{ url: `${server.url}/files/img.png?sig=abc` }] });
      res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    });
    const result = await openai.generate(request(m), quiet());
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/images/generations', '/files/img.png?sig=abc']);
    expect(server.requests[1]?.headers['authorization']).toBeUndefined();
    expect(result.width).toBe(48);
  });

  it.each([
    [401, 'AUTH', false, { error: { message: `Incorrect API key provided: ${KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } }, {}],
    [403, 'AUTH', false, { error: { message: 'Project does not have access to model gpt-image-1', type: 'invalid_request_error' } }, {}],
    [402, 'QUOTA', false, { error: { message: 'Payment required' } }, {}],
    [429, 'QUOTA', false, { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } }, {}],
    [429, 'RATE_LIMITED', true, { error: { message: 'Rate limit reached for images per minute', type: 'requests', code: 'rate_limit_exceeded' } }, { 'retry-after': '7' }],
    [400, 'CONTENT_REJECTED', false, { error: { message: 'Your request was rejected by the safety system.', type: 'image_generation_user_error', param: null, code: 'moderation_blocked', moderation_details: { moderation_stage: 'input', categories: ['other'] } } }, {}],
    [400, 'CONTENT_REJECTED', false, { error: { message: 'This request has been blocked by our content filters.', code: 'content_policy_violation' } }, {}],
    [400, 'PROVIDER_ERROR', false, { error: { message: "Invalid value: '999x999'. Supported values are: '1024x1024'", type: 'invalid_request_error', code: 'invalid_value' } }, {}],
    [500, 'PROVIDER_ERROR', true, { error: { message: 'The server had an error processing your request.', type: 'server_error' } }, {}],
    [503, 'PROVIDER_ERROR', true, 'upstream connect error', {}],
  ] as const)('maps HTTP %i to %s (retryable: %s)', async (status, code, retryable, body, headers) => {
    server.handle((_req, res) => (typeof body === 'string' ? res.writeHead(status, headers).end(body) : json(res, status, body, headers)));
    const error = await failure(openai.generate(request(m), quiet()));
    expect(error).toMatchObject({ code, retryable });
    expect(error.message).not.toContain(KEY);
    expect(error.message).not.toContain('0123456789abcdef');
  });

  it('captures Retry-After seconds on rate limits', async () => {
    server.handle((_req, res) => json(res, 429, { error: { message: 'slow down', code: 'rate_limit_exceeded' } }, { 'retry-after': '7' }));
    expect(await failure(openai.generate(request(m), quiet()))).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 7 });
  });

  it('keeps provider text short and free of keys', async () => {
    const noisy = `Bad things with key ${KEY} and Bearer abc.def.ghi at https://api.example/secret?sig=xyz ` + 'blah '.repeat(200);
    server.handle((_req, res) => json(res, 400, { error: { message: noisy } }));
    const error = await failure(openai.generate(request(m), quiet()));
    expect(error.message.length).toBeLessThanOrEqual(300);
    expect(error.message).not.toMatch(/sk-test|abc\.def|sig=xyz/);
  });

  it('reports a dropped connection as a retryable provider error', async () => {
    server.handle((_req, _res, raw) => raw.socket.destroy());
    expect(await failure(openai.generate(request(m), quiet()))).toMatchObject({ code: 'PROVIDER_ERROR', retryable: true });
  });

  it('reports an answer that is not an image as a provider error', async () => {
    server.handle((_req, res) => json(res, 200, { data: [{ b64_json: Buffer.from('not an image').toString('base64') }] }));
    expect(await failure(openai.generate(request(m), quiet()))).toMatchObject({ code: 'PROVIDER_ERROR' });
  });

  it('aborts the HTTP call when the signal fires, rejecting with its reason', async () => {
    await expectAbortDropsConnection(server, (signal) => openai.generate(request(m), signal));
  });

  it('fails fast as UNAVAILABLE without a key, calling nothing', async () => {
    server.handle((_req, res) => json(res, 200, {}));
    const keyless = new OpenAiImageProvider(new ProviderCredentials());
    const error = await failure(keyless.generate(request(m), quiet()));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', retryable: false });
    expect(error.message).toContain('OPENAI_API_KEY');
    expect(server.requests).toHaveLength(0);
  });

  it('declares that only the size is honoured', () => {
    expect(openai.capabilities()).toEqual({ size: true, seed: false, steps: false, guidance: false, negativePrompt: false });
  });
});

describe('OpenAI-compatible images contract', () => {
  let server: FakeProviderServer;
  const compatible = (keys: ConstructorParameters<typeof ProviderCredentials>[0]) => new OpenAiCompatibleImageProvider(new ProviderCredentials(keys));
  const m = (baseUrl?: string) =>
    model({ id: 'local-sd', provider: 'openai-compatible', providerModel: 'stable-diffusion' }, { baseUrl, size: '512x512', quality: undefined });

  beforeAll(async () => (server = await FakeProviderServer.start()));
  afterAll(() => server.close());

  it('uses the configured base URL (with its path) and sends no Authorization header without a key', async () => {
    server.handle((_req, res) => json(res, 200, { data: [{ b64_json: PNG.toString('base64') }] }));
    const result = await compatible({}).generate(request(m(`${server.url}/openai`)), quiet());
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/openai/v1/images/generations' });
    expect(server.requests[0]?.headers['authorization']).toBeUndefined();
    expect(jsonBody(server.requests[0])).toEqual({ model: 'stable-diffusion', prompt: 'a lighthouse at dusk', n: 1, size: '512x512', response_format: 'b64_json' });
    expect(result.mimeType).toBe('image/png');
  });

  it('sends the optional key as a bearer token', async () => {
    server.handle((_req, res) => json(res, 200, { data: [{ b64_json: PNG.toString('base64') }] }));
    await compatible({ 'openai-compatible': 'local-key-123' }).generate(request(m(server.url)), quiet());
    expect(server.requests[0]?.headers['authorization']).toBe('Bearer local-key-123');
  });

  it('maps the same error classes (429 with Retry-After)', async () => {
    server.handle((_req, res) => json(res, 429, { error: { message: 'busy' } }, { 'retry-after': '3' }));
    expect(await failure(compatible({}).generate(request(m(server.url)), quiet()))).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterSeconds: 3 });
  });

  it('is unavailable without options.baseUrl', async () => {
    expect(await failure(compatible({}).generate(request(m()), quiet()))).toMatchObject({ code: 'UNAVAILABLE', retryable: false });
  });
});
