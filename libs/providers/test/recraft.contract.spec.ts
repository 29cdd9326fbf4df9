import type { ModelConfig } from '@pixel-prompt/models';
import { ProviderCredentials, RecraftImageProvider } from '../src';
import { FakeProviderServer, expectAbortDropsConnection, json, jsonBody, quiet } from '@pixel-prompt/testing';
import { PNG, failure, modelOf } from './provider-fixtures';

const KEY = 'recraft-token-abcdefghijklmnopqrstuvwxyz012345';

const model = (providerModel: string, options: Record<string, unknown>) => modelOf('recraft', providerModel, options);
const request = (m: ModelConfig, negativePrompt?: string) => ({ prompt: 'a teapot', steps: 30, guidance: 7, seed: 5, negativePrompt, model: m });

describe('Recraft contract', () => {
  let server: FakeProviderServer;
  const recraft = new RecraftImageProvider(new ProviderCredentials({ recraft: KEY }));
  let options: Record<string, unknown>;

  beforeAll(async () => (server = await FakeProviderServer.start()));
  beforeEach(() => (options = { baseUrl: server.url, size: '1024x1024', style: 'digital_illustration', substyle: 'hand_drawn' }));
  afterAll(() => server.close());

  it('posts to /v1/images/generations with style, substyle, negative prompt and b64_json', async () => {
    server.handle((_req, res) => json(res, 200, { created: 1, credits: 40, data: [{ image_id: 'i1', b64_json: PNG.toString('base64') }] }));
    const result = await recraft.generate(request(model('recraftv3', options), 'text'), quiet());
    const sent = server.requests[0];
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/images/generations' });
    expect(sent?.headers['authorization']).toBe(`Bearer ${KEY}`);
    expect(jsonBody(sent)).toEqual({
      model: 'recraftv3', prompt: 'a teapot', n: 1, size: '1024x1024', style: 'digital_illustration', substyle: 'hand_drawn',
      negative_prompt: 'text', response_format: 'b64_json',
    });
    expect(result).toMatchObject({ mimeType: 'image/png', width: 48, height: 32 });
  });

  it('sends its size nearest to a requested aspect ratio', async () => {
    server.handle((_req, res) => json(res, 200, { data: [{ b64_json: PNG.toString('base64') }] }));
    await recraft.generate({ ...request(model('recraftv3', options)), aspectRatio: '16:9' }, quiet());
    expect(jsonBody(server.requests[0])['size']).toBe('1820x1024');
  });

  it('leaves the negative prompt out for models without it', async () => {
    server.handle((_req, res) => json(res, 200, { data: [{ b64_json: PNG.toString('base64') }] }));
    await recraft.generate(request(model('recraftv4', options), 'text'), quiet());
    expect(jsonBody(server.requests[0])).not.toHaveProperty('negative_prompt');
  });

  // Recraft documents two error bodies, both plain text: 401 `request unauthorized` and 404
  // `404 page not found`; other failures are "an error status", so the rest follow HTTP semantics.
  it.each([
    [401, 'AUTH', false, 'request unauthorized'],
    [404, 'PROVIDER_ERROR', false, '404 page not found'],
    [402, 'QUOTA', false, 'Not enough credits'],
    [429, 'RATE_LIMITED', true, 'Too many requests'],
    [400, 'PROVIDER_ERROR', false, `size 999x999 is not supported for token ${KEY}`],
    [500, 'PROVIDER_ERROR', true, 'internal error'],
  ] as const)('maps a plain-text HTTP %i to %s (retryable: %s)', async (status, code, retryable, body) => {
    server.handle((_req, res) => res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body));
    const error = await failure(recraft.generate(request(model('recraftv3', options)), quiet()));
    expect(error).toMatchObject({ code, retryable });
    expect(error.message).not.toContain(KEY);
  });

  it('reads a JSON error body too, which some of its failures use', async () => {
    server.handle((_req, res) => json(res, 400, { code: 'invalid_size', message: 'Unsupported size' }));
    const error = await failure(recraft.generate(request(model('recraftv3', options)), quiet()));
    expect(error).toMatchObject({ code: 'PROVIDER_ERROR', retryable: false });
    expect(error.message).toContain('Unsupported size');
  });

  it('aborts the call when the signal fires', async () => {
    await expectAbortDropsConnection(server, (signal) => recraft.generate(request(model('recraftv3', options)), signal));
  });

  it('is unavailable without RECRAFT_API_KEY', async () => {
    const error = await failure(new RecraftImageProvider(new ProviderCredentials()).generate(request(model('recraftv3', options)), quiet()));
    expect(error).toMatchObject({ code: 'UNAVAILABLE' });
    expect(error.message).toContain('RECRAFT_API_KEY');
  });
});
