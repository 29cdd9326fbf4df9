import type { ModelConfig } from '@pixel-prompt/models';
import { ProviderCredentials, StabilityImageProvider } from '../src';
import { FakeProviderServer, expectAbortDropsConnection, formFields, json, quiet } from '@pixel-prompt/testing';
import { PNG, failure, modelOf } from './provider-fixtures';

const KEY = 'sk-stab-ZYXWVUTSRQPONMLKJIHGFEDCBA987654';

const model = (providerModel: string, options: Record<string, unknown>) => modelOf('stability', providerModel, options);
const request = (m: ModelConfig, negativePrompt?: string) => ({ prompt: 'a fox in snow', steps: 30, guidance: 10, seed: 1234, negativePrompt, model: m });

describe('Stability AI v2beta contract', () => {
  let server: FakeProviderServer;
  const stability = new StabilityImageProvider(new ProviderCredentials({ stability: KEY }));
  let options: Record<string, unknown>;

  beforeAll(async () => (server = await FakeProviderServer.start()));
  beforeEach(() => (options = { baseUrl: server.url }));
  afterAll(() => server.close());

  const image = () => server.handle((_req, res) => res.writeHead(200, { 'content-type': 'image/png', 'finish-reason': 'SUCCESS', seed: '1234' }).end(PNG));

  it('posts an SD3.5 request as multipart to the sd3 endpoint with model, seed, aspect ratio and scaled guidance', async () => {
    image();
    const result = await stability.generate(request(model('sd3.5-large', { ...options, aspectRatio: '16:9' }), 'blurry'), quiet());

    const sent = server.requests[0];
    expect(sent).toMatchObject({ method: 'POST', path: '/v2beta/stable-image/generate/sd3' });
    expect(sent?.headers['authorization']).toBe(`Bearer ${KEY}`);
    expect(sent?.headers['accept']).toBe('image/*');
    expect(String(sent?.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
    // guidance 10 of 0-20 is the middle of cfg_scale's 1-10.
    expect(await formFields(sent)).toEqual({
      prompt: 'a fox in snow', seed: '1234', aspect_ratio: '16:9', output_format: 'png', mode: 'text-to-image',
      model: 'sd3.5-large', cfg_scale: '5.5', negative_prompt: 'blurry',
    });
    expect(result).toMatchObject({ mimeType: 'image/png', width: 48, height: 32 });
    expect(Buffer.compare(result.image, PNG)).toBe(0);
  });

  it('sends the nearest of its aspect ratios to the one requested, over the registry option', async () => {
    for (const [requested, sent] of [['4:3', '5:4'], ['9:16', '9:16']] as const) {
      image();
      await stability.generate({ ...request(model('core', { ...options, aspectRatio: '21:9' })), aspectRatio: requested }, quiet());
      expect((await formFields(server.requests.at(-1)))['aspect_ratio']).toBe(sent);
    }
  });

  it('leaves the negative prompt out for turbo, which ignores it', async () => {
    image();
    await stability.generate(request(model('sd3.5-large-turbo', options), 'blurry'), quiet());
    expect(await formFields(server.requests[0])).not.toHaveProperty('negative_prompt');
  });

  it.each(['core', 'ultra'])('calls the %s endpoint without SD3-only fields', async (name) => {
    image();
    await stability.generate(request(model(name, { ...options, stylePreset: 'photographic' })), quiet());
    expect(server.requests[0]?.path).toBe(`/v2beta/stable-image/generate/${name}`);
    expect(await formFields(server.requests[0])).toEqual({
      prompt: 'a fox in snow', seed: '1234', aspect_ratio: '1:1', output_format: 'png', style_preset: 'photographic',
    });
  });

  it('treats a 200 with finish-reason CONTENT_FILTERED as a content rejection', async () => {
    server.handle((_req, res) => res.writeHead(200, { 'content-type': 'image/png', 'finish-reason': 'CONTENT_FILTERED' }).end(PNG));
    expect(await failure(stability.generate(request(model('core', options)), quiet()))).toMatchObject({ code: 'CONTENT_REJECTED', retryable: false });
  });

  it.each([
    [401, 'AUTH', false, { id: 'a1', name: 'unauthorized', errors: [`authorization: invalid key ${KEY}`] }],
    [403, 'CONTENT_REJECTED', false, { id: 'a2', name: 'content_moderation', errors: ['Your request was flagged by our content moderation system'] }],
    [403, 'AUTH', false, { id: 'a3', name: 'forbidden', errors: ['not allowed'] }],
    [402, 'QUOTA', false, { id: 'a4', name: 'payment_required', errors: ['You lack sufficient credits'] }],
    [429, 'RATE_LIMITED', true, { id: 'a5', name: 'rate_limit_exceeded', errors: ['You have exceeded the rate limit'] }],
    [400, 'PROVIDER_ERROR', false, { id: 'a6', name: 'bad_request', errors: ['aspect_ratio: must be one of 16:9, 1:1'] }],
    [413, 'PROVIDER_ERROR', false, { id: 'a7', name: 'payload_too_large', errors: ['too big'] }],
    [500, 'PROVIDER_ERROR', true, { id: 'a8', name: 'internal_error', errors: ['An unexpected server error occurred'] }],
  ] as const)('maps HTTP %i to %s (retryable: %s)', async (status, code, retryable, body) => {
    server.handle((_req, res) => json(res, status, body, status === 429 ? { 'retry-after': '10' } : {}));
    const error = await failure(stability.generate(request(model('sd3.5-large', options)), quiet()));
    expect(error).toMatchObject({ code, retryable });
    if (status === 429) expect(error.retryAfterSeconds).toBe(10);
    expect(error.message).not.toContain(KEY);
  });

  it('aborts the upload when the signal fires', async () => {
    await expectAbortDropsConnection(server, (signal) => stability.generate(request(model('ultra', options)), signal));
  });

  it('is unavailable without STABILITY_API_KEY', async () => {
    const error = await failure(new StabilityImageProvider(new ProviderCredentials()).generate(request(model('core', options)), quiet()));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', retryable: false });
    expect(error.message).toContain('STABILITY_API_KEY');
  });

  it('declares per-endpoint capabilities', () => {
    expect(stability.capabilities(model('sd3.5-large', {}))).toEqual({ size: true, seed: true, steps: false, guidance: true, negativePrompt: true });
    expect(stability.capabilities(model('sd3.5-large-turbo', {}))).toMatchObject({ guidance: true, negativePrompt: false });
    expect(stability.capabilities(model('ultra', {}))).toEqual({ size: true, seed: true, steps: false, guidance: false, negativePrompt: true });
  });
});
