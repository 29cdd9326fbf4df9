import type { ModelConfig } from '@pixel-prompt/models';
import { BedrockImageProvider } from '../src';
import { FakeProviderServer, expectAbortDropsConnection, json, jsonBody, quiet } from '@pixel-prompt/testing';
import { PNG, failure, modelOf } from './provider-fixtures';

const SECRET = 'fakeSecretAccessKeyForContractTests0123456';

const model = (providerModel: string, options: Record<string, unknown>) => modelOf('bedrock', providerModel, options);
const request = (m: ModelConfig, negativePrompt?: string) => ({ prompt: 'a koi pond', steps: 30, guidance: 10, seed: 900_000_000, negativePrompt, model: m });

/** A Bedrock error as the service sends it (restJson1: the type in a header, the message in the body). */
const awsError = (type: string, status: number, message: string) => ({ status, type, message });

describe('Amazon Bedrock InvokeModel contract (real AWS SDK)', () => {
  let server: FakeProviderServer;
  let bedrock: BedrockImageProvider;
  let options: Record<string, unknown>;

  beforeAll(async () => {
    server = await FakeProviderServer.start({ http2: true });
    bedrock = new BedrockImageProvider({ credentials: { accessKeyId: 'AKIDCONTRACTTEST', secretAccessKey: SECRET } });
  });
  beforeEach(() => (options = { region: 'eu-west-1', endpoint: server.url }));
  afterAll(async () => {
    bedrock.destroy();
    await server.close();
  });

  it('invokes Nova Canvas with a signed TEXT_IMAGE body and decodes the image', async () => {
    server.handle((_req, res) => json(res, 200, { images: [PNG.toString('base64')], error: null }));
    const result = await bedrock.generate(request(model('amazon.nova-canvas-v1:0', { ...options, width: 1280, height: 720, quality: 'premium' }), 'text'), quiet());

    const sent = server.requests[0];
    expect(sent?.method).toBe('POST');
    expect(decodeURIComponent(sent?.path ?? '')).toBe('/model/amazon.nova-canvas-v1:0/invoke');
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(sent?.headers['accept']).toBe('application/json');
    expect(sent?.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDCONTRACTTEST\/\d{8}\/eu-west-1\/bedrock\/aws4_request/);
    expect(JSON.stringify(sent?.headers)).not.toContain(SECRET);
    expect(jsonBody(sent)).toEqual({
      taskType: 'TEXT_IMAGE',
      textToImageParams: { text: 'a koi pond', negativeText: 'text' },
      // guidance 10 of 0-20 is the middle of cfgScale's 1.1-10; the seed wraps into Nova's range.
      imageGenerationConfig: { numberOfImages: 1, width: 1280, height: 720, quality: 'premium', cfgScale: 5.6, seed: 900_000_000 % 858_993_460 },
    });
    expect(result).toMatchObject({ mimeType: 'image/png', width: 48, height: 32 });
    expect(Buffer.compare(result.image, PNG)).toBe(0);
  });

  it('invokes Stability SD3.5 on Bedrock with its native body', async () => {
    server.handle((_req, res) => json(res, 200, { seeds: [900_000_000], finish_reasons: [null], images: [PNG.toString('base64')] }));
    await bedrock.generate(request(model('stability.sd3-5-large-v1:0', { ...options, aspectRatio: '3:2' })), quiet());
    expect(decodeURIComponent(server.requests[0]?.path ?? '')).toBe('/model/stability.sd3-5-large-v1:0/invoke');
    expect(jsonBody(server.requests[0])).toEqual({ prompt: 'a koi pond', mode: 'text-to-image', aspect_ratio: '3:2', output_format: 'png', seed: 900_000_000 });
  });

  it('makes a requested aspect ratio: Nova at about its pixels in multiples of 16, Stability as the nearest ratio it takes', async () => {
    server.handle((_req, res) => json(res, 200, { images: [PNG.toString('base64')] }));
    await bedrock.generate({ ...request(model('amazon.nova-canvas-v1:0', options)), aspectRatio: '16:9' }, quiet());
    await bedrock.generate({ ...request(model('stability.sd3-5-large-v1:0', options)), aspectRatio: '3:4' }, quiet());
    expect(jsonBody(server.requests[0])).toMatchObject({ imageGenerationConfig: { width: 1360, height: 768 } });
    expect(jsonBody(server.requests[1])).toMatchObject({ aspect_ratio: '4:5' });
  });

  it('treats a Stability finish reason "Filter reason: prompt" as a content rejection', async () => {
    server.handle((_req, res) => json(res, 200, { seeds: [1], finish_reasons: ['Filter reason: prompt'], images: [] }));
    expect(await failure(bedrock.generate(request(model('stability.sd3-5-large-v1:0', options)), quiet()))).toMatchObject({ code: 'CONTENT_REJECTED', retryable: false });
  });

  it.each([
    ['ValidationException', 400, 'CONTENT_REJECTED', false, 'This request has been blocked by our content filters.'],
    ['AccessDeniedException', 403, 'AUTH', false, 'You don\'t have access to the model with the specified model ID.'],
    ['UnrecognizedClientException', 403, 'AUTH', false, 'The security token included in the request is invalid.'],
    ['ServiceQuotaExceededException', 400, 'QUOTA', false, 'Your request exceeds the service quota for your account.'],
    ['ThrottlingException', 429, 'RATE_LIMITED', true, 'Too many requests, please wait before trying again.'],
    ['ValidationException', 400, 'PROVIDER_ERROR', false, 'Malformed input request: #/imageGenerationConfig/width: 1281 is not a multiple of 16'],
    ['ResourceNotFoundException', 404, 'PROVIDER_ERROR', false, 'Could not resolve the foundation model from the provided model identifier.'],
    ['ModelTimeoutException', 408, 'PROVIDER_ERROR', true, 'Model has timed out in processing the request.'],
    ['InternalServerException', 500, 'PROVIDER_ERROR', true, 'Internal server error'],
    ['ServiceUnavailableException', 503, 'PROVIDER_ERROR', true, 'Service unavailable'],
  ] as const)('maps %s (HTTP %i) to %s (retryable: %s)', async (type, status, code, retryable, message) => {
    const e = awsError(type, status, message);
    server.handle((_req, res) => json(res, e.status, { message: e.message }, { 'x-amzn-errortype': `${e.type}:http://internal.amazon.com/coral/com.amazon.bedrock/` }));
    const error = await failure(bedrock.generate(request(model('amazon.nova-canvas-v1:0', options)), quiet()));
    expect(error).toMatchObject({ code, retryable });
    expect(error.message).not.toContain(SECRET);
    // One call only: the SDK's own retries are off, Bull's backoff is the one retry policy.
    expect(server.requests).toHaveLength(1);
  });

  it('aborts the SDK call when the signal fires', async () => {
    await expectAbortDropsConnection(server, (signal) => bedrock.generate(request(model('amazon.nova-canvas-v1:0', options)), signal));
  });

  it('reports a dropped connection as a retryable provider error', async () => {
    server.handle((_req, _res, raw) => raw.socket.destroy());
    expect(await failure(bedrock.generate(request(model('amazon.nova-canvas-v1:0', options)), quiet()))).toMatchObject({ code: 'PROVIDER_ERROR', retryable: true });
  });

  it('declares guidance only for Nova Canvas', () => {
    expect(bedrock.capabilities(model('amazon.nova-canvas-v1:0', {}))).toEqual({ size: true, seed: true, steps: false, guidance: true, negativePrompt: true });
    expect(bedrock.capabilities(model('stability.sd3-5-large-v1:0', {}))).toMatchObject({ guidance: false });
  });
});
