import type { GenerationQueues, JobCancellations, JobRecord, JobStore, ModelJobData, TransitionOutcome } from '@pixel-prompt/jobs';
import { ModelRegistry, parseModelRegistry } from '@pixel-prompt/models';
import type { Logger } from '@pixel-prompt/observability';
import { ChaosImageProvider, LocalImageProvider, ProviderCredentials, ProviderError, Providers } from '@pixel-prompt/providers';
import { type ImageObject, type ObjectStorage, StorageUnavailableError, imageKeys, modelImagesPrefix } from '@pixel-prompt/storage';
import { waitFor } from '@pixel-prompt/testing';
import type { Job } from 'bull';
import type { GenerationMetrics } from './generation-metrics';
import { MAX_RETRY_AFTER_SECONDS, ModelProcessor, classifyFailure } from './model.processor';

const KEY = 'sk-never-logged-0123456789abcdef';

function registry(): ModelRegistry {
  return parseModelRegistry(
    {
      models: [
        { id: 'gpt-image', displayName: 'GPT Image', provider: 'openai', providerModel: 'gpt-image-1' },
        { id: 'held', displayName: 'Held', provider: 'chaos', providerModel: 'chaos', options: { mode: 'hang' } },
        { id: 'retired', displayName: 'Retired', provider: 'stability', providerModel: 'sd3.5-large', enabled: false, concurrency: 4 },
        { id: 'quick', displayName: 'Quick', provider: 'chaos', providerModel: 'chaos', options: { mode: 'slow' } },
      ],
    },
    'test',
  );
}

/** The processor with plain fakes around it; the providers are real, only without (or with) keys. */
function setup(keys: ConstructorParameters<typeof ProviderCredentials>[0]) {
  const warnings: unknown[][] = [];
  const logger = {
    child: () => logger,
    info: () => undefined,
    warn: (...args: unknown[]) => warnings.push(args),
    error: () => undefined,
  } as unknown as Logger;
  const store = {
    start: jest.fn(async () => true),
    get: jest.fn(async (): Promise<Partial<JobRecord> | undefined> => ({ status: 'in_progress' })),
    fail: jest.fn(async (): Promise<TransitionOutcome> => ({ moved: true })),
    complete: jest.fn(async (): Promise<TransitionOutcome> => ({ moved: true })),
    completedIn: jest.fn(async () => true),
    isCanceled: jest.fn(async () => false),
  };
  const queue = { process: jest.fn(async (_concurrency: number, _handler: unknown) => undefined), on: jest.fn() };
  const consumed: string[] = [];
  const queues = {
    model: (id: string) => {
      consumed.push(id);
      return queue;
    },
    requestFinalize: jest.fn(),
  } as unknown as GenerationQueues;
  const metrics = { modelResults: { inc: jest.fn() }, modelDuration: { observe: jest.fn() }, imageBytes: { inc: jest.fn() } } as unknown as GenerationMetrics;
  const providers = new Providers({} as LocalImageProvider, new ChaosImageProvider(), new ProviderCredentials(keys));
  /** What the cancellations subscription would wake for each job id. */
  const watchers = new Map<string, () => void>();
  const cancellations = {
    watch: (jobId: string, wake: () => void) => {
      watchers.set(jobId, wake);
      return () => watchers.delete(jobId);
    },
  } as unknown as JobCancellations;
  const storage = { deletePrefix: jest.fn(async (_prefix: string) => 0), putImages: jest.fn(async (_images: ImageObject[]) => undefined) };
  const processor = new ModelProcessor(
    registry(), queues, store as unknown as JobStore, cancellations, storage as unknown as ObjectStorage, providers, metrics,
    { STORAGE_RETRY_WINDOW_MS: 60_000 }, logger,
  );
  return { processor, store, storage, queues, warnings, watchers, queue, consumed };
}

const job = {
  data: { jobId: 'j1', index: 0, model: 'gpt-image', prompt: 'p', steps: 25, guidance: 7, seed: 1, correlationId: 'c1', retries: 0 } satisfies ModelJobData,
  attemptsMade: 0,
  opts: { attempts: 3 },
} as unknown as Job<ModelJobData>;

describe('ModelProcessor and provider keys', () => {
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

  it('fails the model of a keyless provider at once as UNAVAILABLE, without starting or retrying it', async () => {
    const { processor, store, storage } = setup({});
    await expect(processor.handle(job)).resolves.toBeUndefined();
    expect(store.start).not.toHaveBeenCalled();
    expect(store.fail).toHaveBeenCalledWith('j1', 0, { code: 'UNAVAILABLE', message: 'This model is not configured on the server.' }, 0);
    // Whatever an earlier attempt may have stored for the model goes with its failure.
    expect(storage.deletePrefix).toHaveBeenCalledWith('images/j1/0-gpt-image.');
  });
});

describe('ModelProcessor and disabled models', () => {
  it('consumes a disabled model’s queue one job at a time, without asking for its key', () => {
    const { processor, warnings, queue, consumed } = setup({ openai: KEY });
    processor.onModuleInit();
    expect(consumed).toEqual(['gpt-image', 'held', 'retired', 'quick']);
    expect(queue.process.mock.calls.map(([concurrency]) => concurrency)).toEqual([2, 2, 1, 2]);
    expect(warnings).toEqual([]);
  });

  it('fails a job queued before its model was disabled at once as UNAVAILABLE', async () => {
    const { processor, store } = setup({});
    const retired = { ...job, data: { ...job.data, model: 'retired' } } as Job<ModelJobData>;
    await expect(processor.handle(retired)).resolves.toBeUndefined();
    expect(store.start).not.toHaveBeenCalled();
    expect(store.fail).toHaveBeenCalledWith('j1', 0, { code: 'UNAVAILABLE', message: 'This model is not available.' }, 0);
  });
});

describe('ModelProcessor and ended jobs', () => {
  it.each([
    ['its first end', 0],
    ['an end after two retries of failed models', 2],
  ])('asks again for the gallery of a job it finds ended (%s): the worker that ended it may have died before asking', async (_end, retries) => {
    const { processor, store, queues } = setup({ openai: KEY });
    store.start.mockResolvedValue(false);
    store.get.mockResolvedValue({ status: 'partial', retries });
    await processor.handle(job);
    expect(queues.requestFinalize).toHaveBeenCalledWith('j1', 'c1', retries);
  });

  it('finalises the end its own move made, named by the job’s retries then', async () => {
    const { processor, store, queues } = setup({});
    store.complete.mockResolvedValue({ moved: true, finalStatus: 'completed', retries: 1 });
    await processor.handle({ ...job, data: { ...job.data, model: 'quick', retries: 1 } } as Job<ModelJobData>);
    expect(store.start).toHaveBeenCalledWith('j1', 0, 1);
    expect(store.complete).toHaveBeenCalledWith('j1', 0, expect.objectContaining({ imageKey: 'images/j1/0-quick_retry1.png' }), 1);
    expect(queues.requestFinalize).toHaveBeenCalledWith('j1', 'c1', 1);
  });

  it('stores the image, thumbnail and both tiles together, each with its type', async () => {
    const { processor, storage } = setup({});
    await processor.handle({ ...job, data: { ...job.data, model: 'quick' } } as Job<ModelJobData>);
    expect(storage.putImages.mock.calls[0]?.[0].map(({ key, contentType }) => [key, contentType])).toEqual([
      ['images/j1/0-quick.png', 'image/png'],
      ['images/j1/0-quick.thumb.png', 'image/png'],
      ['images/j1/0-quick.tile.webp', 'image/webp'],
      ['images/j1/0-quick.tile2x.webp', 'image/webp'],
    ]);
  });

  it.each([
    ['ended otherwise (canceled, failed, or retried since)', false, true],
    ['completed by another run of the same attempt', true, false],
  ])('drops a stored result whose model %s, deleting the attempt’s images unless they are its result', async (_case, completedIn, deleted) => {
    const { processor, store, storage } = setup({});
    store.complete.mockResolvedValue({ moved: false });
    store.completedIn.mockResolvedValue(completedIn);
    await processor.handle({ ...job, data: { ...job.data, model: 'quick', retries: 2 } } as Job<ModelJobData>);
    expect(storage.putImages).toHaveBeenCalledTimes(1);
    expect(store.completedIn).toHaveBeenCalledWith('j1', 0, 2);
    expect(storage.deletePrefix.mock.calls).toEqual(deleted ? [['images/j1/0-quick_retry2.']] : []);
  });

  it('never deletes the images of the attempt that retried a model, however late the failed attempt’s deletion runs', async () => {
    const { processor, store, storage } = setup({});
    const stored = new Set<string>();
    storage.putImages.mockImplementation(async (images) => {
      for (const image of images) stored.add(image.key);
    });
    // The failed attempt's deletion waits (as through an S3 outage) until the retry has stored its images.
    let deletionMayRun = () => undefined as void;
    const retryStored = new Promise<void>((resolve) => (deletionMayRun = resolve));
    storage.deletePrefix.mockImplementation(async (prefix) => {
      await retryStored;
      const doomed = [...stored].filter((key) => key.startsWith(prefix));
      for (const key of doomed) stored.delete(key);
      return doomed.length;
    });
    const quick = { ...job, data: { ...job.data, model: 'quick' } } as Job<ModelJobData>;

    // Attempt 0 made its images, but its model had failed meanwhile (its worker was thought dead).
    store.complete.mockResolvedValueOnce({ moved: false });
    store.completedIn.mockResolvedValueOnce(false);
    const failedAttempt = processor.handle(quick);
    await waitFor(() => storage.deletePrefix.mock.calls.length === 1, { what: 'the failed attempt’s deletion to start' });
    // The model is retried; attempt 1 stores and completes while that deletion is still to run.
    await processor.handle({ ...quick, data: { ...quick.data, retries: 1 } } as Job<ModelJobData>);
    deletionMayRun();
    await failedAttempt;

    expect([...stored].sort()).toEqual(Object.values(imageKeys('j1', 0, 'quick', 'image/png', 1)).sort());
    expect(storage.deletePrefix.mock.calls).toEqual([[modelImagesPrefix('j1', 0, 'quick', 0)]]);
  });

  it('deletes a failed model’s stray images through an S3 outage, once S3 answers again', async () => {
    const { processor, storage } = setup({});
    storage.deletePrefix.mockRejectedValueOnce(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await processor.handle(job);
    expect(storage.deletePrefix.mock.calls).toEqual([['images/j1/0-gpt-image.'], ['images/j1/0-gpt-image.']]);
  });

  it('asks nothing while the job is still running', async () => {
    const { processor, store, queues } = setup({ openai: KEY });
    store.start.mockResolvedValue(false);
    await processor.handle(job);
    expect(queues.requestFinalize).not.toHaveBeenCalled();
  });
});

describe('ModelProcessor and cancellation', () => {
  const heldJob = { ...job, data: { ...job.data, model: 'held' } } as Job<ModelJobData>;

  it('stops a running call when its model is canceled, without failing or retrying it', async () => {
    const { processor, store, watchers } = setup({});
    const handled = processor.handle(heldJob);
    await waitFor(() => store.start.mock.calls.length > 0 && watchers.has('j1'));

    store.isCanceled.mockResolvedValue(true);
    watchers.get('j1')?.();

    await expect(handled).resolves.toBeUndefined();
    expect(store.isCanceled).toHaveBeenCalledWith('j1', 0);
    expect(store.fail).not.toHaveBeenCalled();
    expect(watchers.size).toBe(0);
  });

  it('lets the call run on when woken while its model is not canceled (a resubscription checks again)', async () => {
    const { processor, store, watchers } = setup({});
    let settled = false;
    const handled = processor.handle(heldJob).finally(() => (settled = true));
    await waitFor(() => store.start.mock.calls.length > 0 && watchers.has('j1'));

    watchers.get('j1')?.();
    await store.isCanceled.mock.results[0]?.value;
    // setImmediate runs once every promise reaction queued so far has run: a wrongly aborted call
    // would have settled by then (the hanging call settles only through its signal).
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);

    store.isCanceled.mockResolvedValue(true);
    watchers.get('j1')?.();
    await handled;
    expect(store.fail).not.toHaveBeenCalled();
  });
});

describe('classifyFailure', () => {
  const quiet = new AbortController().signal;

  it('keeps a provider error’s code and retryability', () => {
    expect(classifyFailure(new ProviderError('RATE_LIMITED', 'slow down', true, 7), quiet)).toEqual({ code: 'RATE_LIMITED', message: 'slow down', retryable: true });
    expect(classifyFailure(new ProviderError('AUTH', 'bad key', false), quiet)).toMatchObject({ code: 'AUTH', retryable: false });
  });

  it('gives up at once when the provider asks for a longer wait than anyone watching would accept', () => {
    expect(classifyFailure(new ProviderError('QUOTA', 'come back later', true, MAX_RETRY_AFTER_SECONDS + 1), quiet)).toMatchObject({ code: 'QUOTA', retryable: false });
    expect(classifyFailure(new ProviderError('RATE_LIMITED', 'slow down', true, MAX_RETRY_AFTER_SECONDS), quiet)).toMatchObject({ retryable: true });
  });

  it('reports an image that could not be stored as STORAGE_UNAVAILABLE, not retried (that would call the provider again)', () => {
    expect(classifyFailure(new StorageUnavailableError(60_000, new Error('connect ECONNREFUSED')), quiet)).toEqual({
      code: 'STORAGE_UNAVAILABLE',
      message: 'The image was made but could not be stored: storage is unavailable. Try again later.',
      retryable: false,
    });
  });

  it('reports TIMEOUT once the model’s signal has fired, whatever was thrown', () => {
    expect(classifyFailure(new ProviderError('PROVIDER_ERROR', 'x', true), AbortSignal.abort())).toMatchObject({ code: 'TIMEOUT', retryable: false });
  });
});
