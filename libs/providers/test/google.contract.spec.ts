import type { ModelConfig } from '@pixel-prompt/models';
import { GoogleImageProvider, ProviderCredentials } from '../src';
import { FakeProviderServer, expectAbortDropsConnection, json, jsonBody, quiet } from '@pixel-prompt/testing';
import { PNG, failure, modelOf } from './provider-fixtures';

const KEY = 'AIzaSyFakeContractKey_0123456789abcdefgh';

const model = (providerModel: string, options: Record<string, unknown>) => modelOf('google', providerModel, options);
const request = (m: ModelConfig) => ({ prompt: 'a paper crane', steps: 30, guidance: 7, seed: 99, model: m });

const googleError = (code: number, status: string, message: string, details: unknown[] = []) => ({ error: { code, message, status, details } });

describe('Google Gemini API contract', () => {
  let server: FakeProviderServer;
  const google = new GoogleImageProvider(new ProviderCredentials({ google: KEY }));
  let options: Record<string, unknown>;

  beforeAll(async () => (server = await FakeProviderServer.start()));
  beforeEach(() => (options = { baseUrl: server.url }));
  afterAll(() => server.close());

  it('calls Imagen :predict with the key in x-goog-api-key and decodes the prediction', async () => {
    server.handle((_req, res) => json(res, 200, { predictions: [{ mimeType: 'image/png', bytesBase64Encoded: PNG.toString('base64') }] }));
    const result = await google.generate(request(model('imagen-4.0-generate-001', { ...options, aspectRatio: '16:9', personGeneration: 'dont_allow' })), quiet());

    const sent = server.requests[0];
    expect(sent).toMatchObject({ method: 'POST', path: '/v1beta/models/imagen-4.0-generate-001:predict' });
    expect(sent?.headers['x-goog-api-key']).toBe(KEY);
    expect(sent?.path).not.toContain(KEY);
    expect(jsonBody(sent)).toEqual({ instances: [{ prompt: 'a paper crane' }], parameters: { sampleCount: 1, aspectRatio: '16:9', personGeneration: 'dont_allow' } });
    expect(result).toMatchObject({ mimeType: 'image/png', width: 48, height: 32 });
    expect(Buffer.compare(result.image, PNG)).toBe(0);
  });

  it('sends a requested aspect ratio over the registry option', async () => {
    server.handle((_req, res) => json(res, 200, { predictions: [{ bytesBase64Encoded: PNG.toString('base64') }] }));
    await google.generate({ ...request(model('imagen-4.0-generate-001', { ...options, aspectRatio: '16:9' })), aspectRatio: '3:4' }, quiet());
    expect(jsonBody(server.requests[0])).toMatchObject({ parameters: { aspectRatio: '3:4' } });
  });

  it('calls Gemini :generateContent for image output with the seed and takes the inlineData part', async () => {
    server.handle((_req, res) =>
      json(res, 200, {
        candidates: [{ content: { role: 'model', parts: [{ text: 'Here is your crane.' }, { inlineData: { mimeType: 'image/png', data: PNG.toString('base64') } }] }, finishReason: 'STOP' }],
      }),
    );
    const result = await google.generate(request(model('gemini-2.5-flash-image', options)), quiet());
    expect(server.requests[0]?.path).toBe('/v1beta/models/gemini-2.5-flash-image:generateContent');
    expect(jsonBody(server.requests[0])).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'a paper crane' }] }],
      generationConfig: { responseModalities: ['IMAGE'], seed: 99, imageConfig: { aspectRatio: '1:1' } },
    });
    expect(result.width).toBe(48);
  });

  it.each([
    ['a blocked prompt', { promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } }, 'CONTENT_REJECTED', false],
    ['an image stopped for safety', { candidates: [{ content: { parts: [] }, finishReason: 'IMAGE_SAFETY' }] }, 'CONTENT_REJECTED', false],
    ['a text-only answer', { candidates: [{ content: { parts: [{ text: 'I cannot draw that.' }] }, finishReason: 'STOP' }] }, 'PROVIDER_ERROR', true],
  ] as const)('maps Gemini %s to %s', async (_name, answer, code, retryable) => {
    server.handle((_req, res) => json(res, 200, answer));
    expect(await failure(google.generate(request(model('gemini-2.5-flash-image', options)), quiet()))).toMatchObject({ code, retryable });
  });

  it('treats Imagen answering no predictions (all filtered) as a content rejection', async () => {
    server.handle((_req, res) => json(res, 200, {}));
    expect(await failure(google.generate(request(model('imagen-4.0-generate-001', options)), quiet()))).toMatchObject({ code: 'CONTENT_REJECTED' });
  });

  it.each([
    [400, 'AUTH', false, googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }])],
    [403, 'AUTH', false, googleError(403, 'PERMISSION_DENIED', `Permission denied for key ${KEY}`)],
    [429, 'RATE_LIMITED', true, googleError(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).', [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '31s' }])],
    [400, 'PROVIDER_ERROR', false, googleError(400, 'INVALID_ARGUMENT', 'Invalid aspect ratio')],
    [404, 'PROVIDER_ERROR', false, googleError(404, 'NOT_FOUND', 'models/imagen-9 is not found')],
    [500, 'PROVIDER_ERROR', true, googleError(500, 'INTERNAL', 'An internal error has occurred.')],
    [503, 'PROVIDER_ERROR', true, googleError(503, 'UNAVAILABLE', 'The model is overloaded.')],
  ] as const)('maps HTTP %i to %s (retryable: %s)', async (status, code, retryable, body) => {
    server.handle((_req, res) => json(res, status, body));
    const error = await failure(google.generate(request(model('imagen-4.0-generate-001', options)), quiet()));
    expect(error).toMatchObject({ code, retryable });
    expect(error.message).not.toContain(KEY);
  });

  it('takes the wait from RetryInfo when there is no Retry-After header', async () => {
    server.handle((_req, res) => json(res, 429, googleError(429, 'RESOURCE_EXHAUSTED', 'slow down', [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '31s' }])));
    expect(await failure(google.generate(request(model('imagen-4.0-generate-001', options)), quiet()))).toMatchObject({ retryAfterSeconds: 31 });
  });

  it('aborts the call when the signal fires', async () => {
    await expectAbortDropsConnection(server, (signal) => google.generate(request(model('gemini-2.5-flash-image', options)), signal));
  });

  it('is unavailable without GEMINI_API_KEY', async () => {
    const error = await failure(new GoogleImageProvider(new ProviderCredentials()).generate(request(model('imagen-4.0-generate-001', options)), quiet()));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', retryable: false });
    expect(error.message).toContain('GEMINI_API_KEY');
  });

  it('declares a seed for Gemini only', () => {
    expect(google.capabilities(model('imagen-4.0-generate-001', {}))).toEqual({ size: true, seed: false, steps: false, guidance: false, negativePrompt: false });
    expect(google.capabilities(model('gemini-2.5-flash-image', {}))).toMatchObject({ seed: true });
  });
});
