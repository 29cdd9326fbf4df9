import { join } from 'node:path';
import { RenderPool, renderImage } from '@pixel-prompt/imaging';
import type { ModelConfig } from '@pixel-prompt/models';
import { ChaosImageProvider, LocalImageProvider, ProviderError, Providers, THUMBNAIL_SIZE, abortable } from '../src';

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
  const providers = new Providers(local, chaos);

  it('picks the adapter named by the model', () => {
    expect(providers.image(model({ provider: 'local' }))).toBe(local);
    expect(providers.image(model({ provider: 'chaos' }))).toBe(chaos);
  });

  it('refuses a provider it has no adapter for', () => {
    expect(() => providers.image(model({ provider: 'elsewhere' as ModelConfig['provider'] }))).toThrow(ProviderError);
  });
});
