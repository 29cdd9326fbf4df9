import type { ModelConsumer } from '@pixel-prompt/generation';
import type { GenerationQueues } from '@pixel-prompt/jobs';
import { parseModelRegistry } from '@pixel-prompt/models';
import type { Logger } from '@pixel-prompt/observability';
import { ChaosImageProvider, LocalImageProvider, ProviderCredentials, Providers } from '@pixel-prompt/providers';
import { ModelProcessor } from './model.processor';

const KEY = 'sk-never-logged-0123456789abcdef';

/** The processor over fake queues; the providers are real, only without (or with) keys. */
function setup(keys: ConstructorParameters<typeof ProviderCredentials>[0]) {
  const registry = parseModelRegistry(
    {
      models: [
        { id: 'gpt-image', displayName: 'GPT Image', provider: 'openai', providerModel: 'gpt-image-1' },
        { id: 'retired', displayName: 'Retired', provider: 'stability', providerModel: 'sd3.5-large', enabled: false, concurrency: 4 },
        { id: 'quick', displayName: 'Quick', provider: 'chaos', providerModel: 'chaos', options: { mode: 'slow' } },
      ],
    },
    'test',
  );
  const warnings: unknown[][] = [];
  const logger = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger;
  const queue = { process: jest.fn(async (_concurrency: number, _handler: unknown) => undefined), on: jest.fn() };
  const consumed: string[] = [];
  const queues = {
    model: (id: string) => {
      consumed.push(id);
      return queue;
    },
  } as unknown as GenerationQueues;
  const providers = new Providers({} as LocalImageProvider, new ChaosImageProvider(), new ProviderCredentials(keys));
  const processor = new ModelProcessor(registry, queues, providers, {} as ModelConsumer, logger);
  return { processor, warnings, queue, consumed };
}

describe('ModelProcessor', () => {
  it('logs at boot which model lacks which variable, without any value', () => {
    const { processor, warnings } = setup({});
    processor.onModuleInit();
    expect(warnings).toEqual([
      [{ model: 'gpt-image', provider: 'openai', missingVariable: 'OPENAI_API_KEY' }, 'model gpt-image is unavailable: OPENAI_API_KEY is not set'],
    ]);
  });

  it('logs nothing about keys when the provider has its key', () => {
    const { processor, warnings } = setup({ openai: KEY });
    processor.onModuleInit();
    expect(warnings).toEqual([]);
  });

  it('consumes a disabled model’s queue one job at a time, without asking for its key', () => {
    const { processor, warnings, queue, consumed } = setup({ openai: KEY });
    processor.onModuleInit();
    expect(consumed).toEqual(['gpt-image', 'retired', 'quick']);
    expect(queue.process.mock.calls.map(([concurrency]) => concurrency)).toEqual([2, 1, 2]);
    expect(warnings).toEqual([]);
  });
});
