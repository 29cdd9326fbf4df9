import { join } from 'node:path';
import { RenderPool, renderImage } from '@pixel-prompt/imaging';
import { type ModelConfig, loadModelRegistry } from '@pixel-prompt/models';
import sharp from 'sharp';
import {
  BedrockImageProvider,
  BflImageProvider,
  ChaosImageProvider,
  GoogleImageProvider,
  LocalImageProvider,
  OpenAiCompatibleImageProvider,
  OpenAiImageProvider,
  ProviderCredentials,
  ProviderError,
  Providers,
  RecraftImageProvider,
  StabilityImageProvider,
  THUMBNAIL_SIZE,
  abortable,
  capabilitiesOf,
  decodeBase64Image,
  generatedImage,
  retryAfterSeconds,
  sanitizeProviderText,
} from '../src';

const model = (overrides: Partial<ModelConfig>): ModelConfig => ({
  id: 'test-model',
  displayName: 'Test model',
  provider: 'local',
  providerModel: 'ink',
  timeoutMs: 60_000,
  concurrency: 1,
  enabled: true,
  options: {},
  ...overrides,
});
const request = (m: ModelConfig) => ({ prompt: 'a lighthouse at dusk', steps: 12, guidance: 7, seed: 42, model: m });

describe('abortable', () => {
  it('settles with the work when the signal stays quiet', async () => {
    await expect(abortable(Promise.resolve('done'), new AbortController().signal)).resolves.toBe('done');
  });

  it('rejects with the signal reason as soon as it aborts, even if the work never ends', async () => {
    const controller = new AbortController();
    const pending = abortable(new Promise(() => undefined), controller.signal);
    controller.abort(new Error('too slow'));
    await expect(pending).rejects.toThrow('too slow');
  });

  it('rejects at once on an already aborted signal', async () => {
    await expect(abortable(Promise.resolve(1), AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });
});

describe('ChaosImageProvider', () => {
  const chaos = new ChaosImageProvider();

  it('fails with a non-retryable provider error in fail mode', async () => {
    const failure = chaos.generate(request(model({ provider: 'chaos', options: { mode: 'fail' } })), new AbortController().signal);
    await expect(failure).rejects.toBeInstanceOf(ProviderError);
    await expect(failure).rejects.toMatchObject({ code: 'PROVIDER_ERROR', retryable: false });
  });

  it('hangs in hang mode until the call is aborted', async () => {
    const controller = new AbortController();
    const hanging = chaos.generate(request(model({ provider: 'chaos', options: { mode: 'hang' } })), controller.signal);
    controller.abort(new Error('timeout'));
    await expect(hanging).rejects.toThrow('timeout');
  });

  const quiet = () => new AbortController().signal;
  const chaosModel = (options: Record<string, unknown>) => model({ provider: 'chaos', options });

  it('answers a small PNG with its thumbnail after the delay in slow mode', async () => {
    const started = performance.now();
    const result = await chaos.generate(request(chaosModel({ mode: 'slow', delayMs: 200 })), quiet());
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(result).toMatchObject({ mimeType: 'image/png', width: 16, height: 16 });
    expect((await sharp(result.image).metadata()).format).toBe('png');
    expect((await sharp(result.thumbnail).metadata()).width).toBe(16);
  });

  it('stops a slow call when it is aborted', async () => {
    const controller = new AbortController();
    const slow = chaos.generate(request(chaosModel({ mode: 'slow', delayMs: 60_000 })), controller.signal);
    controller.abort(new Error('shutdown'));
    await expect(slow).rejects.toThrow('shutdown');
  });

  it('fails as a provider’s 5xx (retryable) and 429 with Retry-After', async () => {
    await expect(chaos.generate(request(chaosModel({ mode: 'server-error' })), quiet())).rejects.toMatchObject({ code: 'PROVIDER_ERROR', retryable: true });
    await expect(chaos.generate(request(chaosModel({ mode: 'rate-limited', retryAfterSeconds: 3 })), quiet())).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      retryAfterSeconds: 3,
    });
  });

  it('misbehaves in the given share of calls only', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, () => chaos.generate(request(chaosModel({ mode: 'server-error', failureRate: 0.3 })), quiet()).then(() => 'ok', () => 'failed')),
    );
    const failed = outcomes.filter((o) => o === 'failed').length;
    expect(failed).toBeGreaterThan(20);
    expect(failed).toBeLessThan(110);
    expect((await Promise.all(Array.from({ length: 20 }, () => chaos.generate(request(chaosModel({ mode: 'fail', failureRate: 0 })), quiet())))).length).toBe(20);
  });

  it('fails the first call for a prompt and seed in fail-once mode, and answers the next', async () => {
    const flaky = chaosModel({ mode: 'fail-once' });
    await expect(chaos.generate(request(flaky), quiet())).rejects.toMatchObject({ code: 'PROVIDER_ERROR', retryable: false });
    await expect(chaos.generate({ ...request(flaky), seed: 7 }, quiet())).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
    expect(await chaos.generate(request(flaky), quiet())).toMatchObject({ mimeType: 'image/png', width: 16, height: 16 });
    await expect(chaos.generate(request(flaky), quiet())).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
  });

  it('reports a model without a valid mode as unavailable', async () => {
    await expect(chaos.generate(request(model({ provider: 'chaos' })), new AbortController().signal)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
  });
});

describe('LocalImageProvider', () => {
  let pool: RenderPool;
  let local: LocalImageProvider;

  beforeAll(() => {
    // The imaging library's test entry: render threads cannot load TypeScript by themselves.
    pool = new RenderPool({ size: 1, workerEntry: join(__dirname, '../../imaging/test/render-worker.js') });
    local = new LocalImageProvider(pool);
  });

  afterAll(() => local.onApplicationShutdown());

  it('renders the style named by providerModel at the size in its options, with a thumbnail', async () => {
    const m = model({ options: { width: 96, height: 64 } });
    const result = await local.generate(request(m), new AbortController().signal);
    const expected = renderImage({ style: 'ink', prompt: 'a lighthouse at dusk', seed: 42, steps: 12, guidance: 7, width: 96, height: 64, thumbnailSize: THUMBNAIL_SIZE });
    expect(result).toMatchObject({ mimeType: 'image/png', width: 96, height: 64 });
    expect(Buffer.compare(result.image, expected.image)).toBe(0);
    expect(Buffer.compare(result.thumbnail, expected.thumbnail)).toBe(0);
  });

  it('keeps about the pixels of its size when asked for an aspect ratio', async () => {
    const result = await local.generate({ ...request(model({ options: { width: 96, height: 96 } })), aspectRatio: '16:9' }, new AbortController().signal);
    expect(result).toMatchObject({ width: 128, height: 72 });
  });

  it('refuses a style it does not have, without rendering', async () => {
    await expect(local.generate(request(model({ providerModel: 'no-such-style' })), new AbortController().signal)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      retryable: false,
    });
  });
});

describe('Providers', () => {
  const local = {} as LocalImageProvider;
  const chaos = new ChaosImageProvider();
  const providers = new Providers(local, chaos, new ProviderCredentials());

  it('picks the adapter named by the model', () => {
    expect(providers.image(model({ provider: 'local' }))).toBe(local);
    expect(providers.image(model({ provider: 'chaos' }))).toBe(chaos);
  });

  it('refuses a provider it has no adapter for', () => {
    expect(() => providers.image(model({ provider: 'elsewhere' as ModelConfig['provider'] }))).toThrow(ProviderError);
  });
});

describe('Providers: hosted adapters and credentials', () => {
  const providers = (keys: ConstructorParameters<typeof ProviderCredentials>[0]) =>
    new Providers(new LocalImageProvider({} as RenderPool), new ChaosImageProvider(), new ProviderCredentials(keys));

  it.each([
    ['openai', OpenAiImageProvider],
    ['openai-compatible', OpenAiCompatibleImageProvider],
    ['stability', StabilityImageProvider],
    ['bfl', BflImageProvider],
    ['bedrock', BedrockImageProvider],
    ['google', GoogleImageProvider],
    ['recraft', RecraftImageProvider],
  ] as const)('serves provider %s with its adapter', (provider, adapter) => {
    expect(providers({}).image(model({ provider }))).toBeInstanceOf(adapter);
  });

  it('names the missing key variable of a model that needs one, and nothing when the key is there', () => {
    expect(providers({}).missingCredential(model({ provider: 'openai', providerModel: 'gpt-image-1' }))).toBe('OPENAI_API_KEY');
    expect(providers({}).missingCredential(model({ provider: 'bfl', providerModel: 'flux-dev' }))).toBe('BFL_API_KEY');
    expect(providers({}).missingCredential(model({ provider: 'google', providerModel: 'imagen-4.0-generate-001' }))).toBe('GEMINI_API_KEY');
    expect(providers({ openai: 'k' }).missingCredential(model({ provider: 'openai', providerModel: 'gpt-image-1' }))).toBeUndefined();
    // Optional key, default AWS chain, built-in models: never reported missing.
    expect(providers({}).missingCredential(model({ provider: 'openai-compatible' }))).toBeUndefined();
    expect(providers({}).missingCredential(model({ provider: 'bedrock' }))).toBeUndefined();
    expect(providers({}).missingCredential(model({ provider: 'local' }))).toBeUndefined();
  });

  it('reports each model’s capabilities from its adapter, without keys', () => {
    expect(capabilitiesOf(model({ provider: 'local' }))).toEqual({ size: true, seed: true, steps: true, guidance: true, negativePrompt: false });
    expect(capabilitiesOf(model({ provider: 'chaos' }))).toEqual({ size: false, seed: false, steps: false, guidance: false, negativePrompt: false });
    expect(capabilitiesOf(model({ provider: 'bfl', providerModel: 'flux-dev' }))).toMatchObject({ steps: true, guidance: true });
    expect(capabilitiesOf(model({ provider: 'openai', providerModel: 'gpt-image-1' }))).toMatchObject({ seed: false, steps: false });
  });
});

describe('provider helpers', () => {
  it('decodes PNG, JPEG and WebP answers, reading their size and making a thumbnail in the same format', async () => {
    const png = renderImage({ style: 'ink', prompt: 'x', seed: 1, steps: 1, guidance: 1, width: 640, height: 320, thumbnailSize: 8 }).image;
    for (const format of ['png', 'jpeg', 'webp'] as const) {
      const bytes = format === 'png' ? png : new Uint8Array(await sharp(png).toFormat(format).toBuffer());
      const result = await generatedImage('Test', bytes);

      expect(result).toMatchObject({ mimeType: `image/${format}`, width: 640, height: 320 });
      expect(result.image).toBe(bytes);
      const thumbnail = await sharp(result.thumbnail).metadata();
      expect(thumbnail).toMatchObject({ format, width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE / 2 });
    }
  });

  it('never enlarges a small image for its thumbnail', async () => {
    const small = renderImage({ style: 'ink', prompt: 'x', seed: 1, steps: 1, guidance: 1, width: 40, height: 20, thumbnailSize: 8 }).image;
    expect(await sharp((await generatedImage('Test', small)).thumbnail).metadata()).toMatchObject({ width: 40, height: 20 });
  });

  it('refuses an answer that is not an image, as a retryable provider error', async () => {
    await expect(generatedImage('Test', Buffer.from('<html>busy</html>'))).rejects.toMatchObject({ code: 'PROVIDER_ERROR', retryable: true });
    // A PNG signature followed by garbage: the header alone would have passed.
    const truncated = renderImage({ style: 'ink', prompt: 'x', seed: 1, steps: 1, guidance: 1, width: 40, height: 20, thumbnailSize: 8 }).image.subarray(0, 40);
    await expect(generatedImage('Test', truncated)).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
    await expect(decodeBase64Image('Test', '')).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
  });

  it('masks credentials and links in provider text and caps its length', () => {
    const text = sanitizeProviderText('Incorrect API key provided: sk-proj-AbCdEf0123456789AbCdEf. See https://x.example/k?sig=1 Bearer eyJhbGciOi.x.y ' + 'word '.repeat(100));
    expect(text).not.toMatch(/AbCdEf|sig=1|eyJhbGciOi/);
    expect(text.length).toBeLessThanOrEqual(200);
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(retryAfterSeconds('12')).toBe(12);
    expect(retryAfterSeconds(new Date(1_000_000 + 30_000).toUTCString(), 1_000_000)).toBe(30);
    expect(retryAfterSeconds('soon')).toBeUndefined();
    expect(retryAfterSeconds(null)).toBeUndefined();
  });
});

describe('the example registry in tools/providers', () => {
  const registry = loadModelRegistry(join(__dirname, '../../../tools/providers/models.example.yaml'));
  const providers = new Providers(new LocalImageProvider({} as RenderPool), new ChaosImageProvider(), new ProviderCredentials());

  it('is a valid 9-model lineup with an adapter for every model', () => {
    expect(registry.enabled).toHaveLength(9);
    expect(new Set(registry.models.map((m) => m.provider))).toEqual(new Set(['openai', 'stability', 'bfl', 'bedrock', 'google', 'recraft']));
    for (const m of registry.models) expect(providers.image(m)).toBeDefined();
  });

  it('without keys, leaves exactly the keyed models unavailable, each naming its variable', () => {
    expect(Object.fromEntries(registry.models.map((m) => [m.id, providers.missingCredential(m) ?? null]))).toEqual({
      'gpt-image': 'OPENAI_API_KEY', 'sd35-large': 'STABILITY_API_KEY', 'stable-image-ultra': 'STABILITY_API_KEY', 'flux-pro': 'BFL_API_KEY',
      'flux-dev': 'BFL_API_KEY', 'nova-canvas': null, 'imagen-4': 'GEMINI_API_KEY', 'gemini-image': 'GEMINI_API_KEY', 'recraft-v3': 'RECRAFT_API_KEY',
    });
  });
});
