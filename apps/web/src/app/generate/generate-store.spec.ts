import { ApplicationRef } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { ENHANCE_PROMPT_MAX_LENGTH, type GenerateRequest, GENERATION_LIMITS, type ModelResult, type ModelsResponse } from '@pixel-prompt/contracts';
import { ApiFailure } from '../core/api-client';
import type { SoundName } from '../core/sounds';
import { Toasts } from '../core/toasts';
import { GenerateStore, MODELS_KEY, POLL_INTERVAL_MS } from './generate-store';
import { PromptHistory } from './prompt-history';
import { Quota } from './quota';
import { ACCEPTED, CAPABILITIES, type FakeEventSource, type FakeGenerationApi, MODELS, result, statusOf } from '../../testing/fake-generation';
import { provideGenerationFakes } from '../../testing/generation-fakes';

const failure = (status: number, error: string, extra: object = {}) =>
  new ApiFailure('/api/x', status, { error, message: `${error} happened`, correlationId: 'c-1', ...extra });

describe('GenerateStore', () => {
  let api: FakeGenerationApi;
  let stream: () => FakeEventSource;
  let sounds: SoundName[];
  let store: GenerateStore;
  let toasts: Toasts;

  /** Lets the store react to answered calls (promise callbacks run as microtasks). */
  const settle = () => TestBed.inject(ApplicationRef).whenStable();

  async function startJob(): Promise<void> {
    api.last('models').answer.resolve(MODELS);
    await settle();
    store.prompt.set('  a lighthouse at dawn  ');
    store.generate();
    api.last('generate').answer.resolve(ACCEPTED);
    await settle();
  }

  beforeEach(() => {
    localStorage.clear();
    ({ api, stream, sounds } = provideGenerationFakes());
    TestBed.configureTestingModule({ providers: [GenerateStore] });
    store = TestBed.inject(GenerateStore);
    toasts = TestBed.inject(Toasts);
  });

  afterEach(() => jest.useRealTimers());

  describe('before generating', () => {
    it('loads the models, and offers a retry when they cannot be loaded', async () => {
      api.last('models').answer.reject(failure(503, 'SERVICE_UNAVAILABLE'));
      await settle();

      const [toast] = toasts.toasts();
      expect(toast?.message).toContain('Pixel Prompt is busy');
      toast?.retry?.();
      api.last('models').answer.resolve(MODELS);
      await settle();
      expect(store.models()?.map((model) => model.id)).toEqual(['aurora', 'nimbus']);
    });

    it('allows generating only with a prompt within the limit and valid parameters', () => {
      expect(store.canGenerate()).toBe(false);
      store.prompt.set('a fox');
      expect(store.canGenerate()).toBe(true);
      store.prompt.set('x'.repeat(GENERATION_LIMITS.promptMaxLength + 1));
      expect(store.canGenerate()).toBe(false);
      store.prompt.set('a fox');

      store.steps.set(GENERATION_LIMITS.steps.max + 1);
      store.guidance.set(null);
      store.seed.set(1.5);
      expect(Object.keys(store.parameterErrors()).sort()).toEqual(['guidance', 'seed', 'steps']);
      expect(store.parameterErrors().steps).toContain(`${GENERATION_LIMITS.steps.max}`);
      expect(store.canGenerate()).toBe(false);
    });

    it('randomises the seed within its limits', () => {
      for (let i = 0; i < 20; i++) {
        store.randomiseSeed();
        const seed = store.seed() as number;
        expect(Number.isInteger(seed) && seed >= GENERATION_LIMITS.seed.min && seed <= GENERATION_LIMITS.seed.max).toBe(true);
      }
    });

    it('inspires with a prompt different from the last one, and clears it', () => {
      store.inspire();
      const first = store.prompt();
      store.inspire();

      expect(first).not.toBe('');
      expect(store.prompt()).not.toBe(first);
      store.clear();
      expect(store.prompt()).toBe('');
    });
  });

  describe('enhance', () => {
    it('offers the enhanced prompt, which Use puts in the prompt box and Discard drops', async () => {
      store.prompt.set(' a fox ');
      store.enhance();
      expect(store.enhancing()).toBe(true);
      expect(api.last('enhance').args).toEqual(['a fox']);

      api.last('enhance').answer.resolve({ original: 'a fox', enhanced: 'a red fox in morning mist' });
      await settle();
      expect(store.enhancing()).toBe(false);
      expect(store.enhanced()).toBe('a red fox in morning mist');

      store.useEnhanced();
      expect(store.prompt()).toBe('a red fox in morning mist');
      expect(store.enhanced()).toBeNull();

      store.enhance();
      api.last('enhance').answer.resolve({ original: 'x', enhanced: 'y' });
      await settle();
      store.discardEnhanced();
      expect(store.enhanced()).toBeNull();
      expect(store.prompt()).toBe('a red fox in morning mist');
    });

    it('shows why enhancing failed and retries on request', async () => {
      store.prompt.set('a fox');
      store.enhance();
      api.last('enhance').answer.reject(failure(502, 'ENHANCE_FAILED'));
      await settle();

      const [toast] = toasts.toasts();
      expect(toast?.message).toContain('could not be enhanced');
      expect(store.enhancing()).toBe(false);
      toast?.retry?.();
      expect(api.of('enhance')).toHaveLength(2);
    });

    it('explains instead of sending a prompt too long to enhance', () => {
      store.prompt.set('x'.repeat(ENHANCE_PROMPT_MAX_LENGTH + 1));
      store.enhance();

      expect(api.of('enhance')).toHaveLength(0);
      expect(toasts.toasts()[0]?.message).toContain(`${ENHANCE_PROMPT_MAX_LENGTH} characters`);
    });
  });

  describe('generate', () => {
    it('submits the trimmed prompt and parameters, remembers the prompt and shows a card per model', async () => {
      await startJob();

      const [request, key] = api.last('generate').args as [GenerateRequest, string];
      expect(request).toEqual({
        prompt: 'a lighthouse at dawn',
        steps: GENERATION_LIMITS.steps.default,
        guidance: GENERATION_LIMITS.guidance.default,
      });
      expect(key).toMatch(/\S{16,}/);
      expect(TestBed.inject(PromptHistory).prompts()[0]).toBe('a lighthouse at dawn');
      expect(sounds).toEqual(['submit']);
      expect(store.results().map((r) => [r.displayName, r.status])).toEqual([
        ['Aurora', 'pending'],
        ['Nimbus', 'pending'],
      ]);
      expect(store.running()).toBe(true);
      expect(store.canGenerate()).toBe(false);
      expect(stream().url).toBe('/api/status/job-1/events');
    });

    it('sends the seed only when one is set', async () => {
      store.seed.set(42);
      await startJob();

      expect((api.last('generate').args[0] as GenerateRequest).seed).toBe(42);
    });

    it('retries a failed submission with the same idempotency key, so it never starts two jobs', async () => {
      store.prompt.set('a fox');
      store.generate();
      api.last('generate').answer.reject(failure(0, 'x'));
      await settle();
      const [toast] = toasts.toasts();
      expect(toast?.message).toContain('cannot be reached');
      expect(store.submitting()).toBe(false);

      toast?.retry?.();

      const [first, second] = api.of('generate');
      expect(second?.args).toEqual(first?.args);
    });

    it('says when to retry after a rate limit', async () => {
      store.prompt.set('a fox');
      store.generate();
      api.last('generate').answer.reject(failure(429, 'RATE_LIMIT_EXCEEDED', { retryAfter: 30 }));
      await settle();

      expect(toasts.toasts()[0]?.message).toContain('try again in 30 seconds');
    });
  });

  describe('following a job', () => {
    it('moves cards through generating to done from the event stream, then reads the final status', async () => {
      await startJob();
      const now = Date.now();

      stream().emit('model_started', { result: result(0, 'in_progress') });
      expect(store.results()[0]?.status).toBe('in_progress');
      expect(store.startTimes().get(0)).toBeGreaterThanOrEqual(now);

      const done = result(0, 'completed', { imageUrl: '/images/job-1/0.png', thumbnailUrl: '/images/job-1/0.thumb.png' });
      stream().emit('model_completed', { result: done });
      stream().emit('model_failed', { result: result(1, 'error', { error: { code: 'TIMEOUT', message: 'Too slow.' } }) });
      expect(store.counts()).toEqual({ total: 2, done: 1, failed: 1, canceled: 0, generating: 0, waiting: 0 });
      expect(store.completed()).toHaveLength(1);
      expect(sounds).toEqual(['submit', 'image']);

      stream().emit('completed', { status: 'partial' });
      expect(stream().closed).toBe(true);
      expect(api.last('status').args).toEqual(['job-1']);
      api.last('status').answer.resolve(statusOf('partial', [done, result(1, 'error')]));
      await settle();

      expect(store.finished()).toBe(true);
      expect(store.running()).toBe(false);
      expect(sounds).toEqual(['submit', 'image', 'done']);
    });

    it('falls back to polling when the stream fails, until the job has ended', async () => {
      jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick'] });
      await startJob();

      stream().onerror?.();
      expect(stream().closed).toBe(true);
      api.last('status').answer.resolve(statusOf('in_progress', [result(0, 'in_progress'), result(1, 'pending')]));
      await settle();
      expect(store.results()[0]?.status).toBe('in_progress');
      expect(api.of('status')).toHaveLength(1);

      jest.advanceTimersByTime(POLL_INTERVAL_MS);
      expect(api.of('status')).toHaveLength(2);
      api.last('status').answer.reject(failure(503, 'SERVICE_UNAVAILABLE'));
      await settle();
      jest.advanceTimersByTime(POLL_INTERVAL_MS);
      expect(api.of('status')).toHaveLength(3);

      api.last('status').answer.resolve(statusOf('completed', [result(0, 'completed'), result(1, 'completed')]));
      await settle();
      jest.advanceTimersByTime(POLL_INTERVAL_MS * 3);
      expect(api.of('status')).toHaveLength(3);
      expect(store.finished()).toBe(true);
    });

    it('treats a garbled event as a broken stream', async () => {
      await startJob();

      stream().emit('model_completed', 'not json');

      expect(stream().closed).toBe(true);
      expect(api.of('status')).toHaveLength(1);
    });

    it('stops following when the page goes away', async () => {
      await startJob();
      const source = stream();

      TestBed.resetTestingModule();

      expect(source.closed).toBe(true);
    });
  });

  describe('cancel', () => {
    it('asks the API to cancel the running job once', async () => {
      await startJob();

      store.cancel();
      store.cancel();
      expect(store.canceling()).toBe(true);
      expect(api.of('cancel').map((call) => call.args)).toEqual([['job-1']]);

      api.last('cancel').answer.resolve(undefined);
      await settle();
      expect(store.canceling()).toBe(false);
      expect(toasts.toasts()).toEqual([]);
    });

    it('says nothing when the job finished in the meantime, and explains other failures', async () => {
      await startJob();

      store.cancel();
      api.last('cancel').answer.reject(failure(409, 'JOB_FINISHED'));
      await settle();
      expect(toasts.toasts()).toEqual([]);

      store.cancel();
      api.last('cancel').answer.reject(failure(0, 'x'));
      await settle();
      expect(toasts.toasts()[0]?.message).toContain('cannot be reached');
    });

    it('does nothing without a running job', () => {
      store.cancel();

      expect(api.of('cancel')).toHaveLength(0);
    });
  });

  describe('models and what they can use', () => {
    const models: ModelsResponse = {
      models: [
        { id: 'aurora', displayName: 'Aurora', capabilities: { ...CAPABILITIES, negativePrompt: true } },
        { id: 'nimbus', displayName: 'Nimbus', capabilities: { ...CAPABILITIES, size: false } },
        { id: 'ink', displayName: 'Ink', capabilities: CAPABILITIES },
      ],
    };

    beforeEach(async () => {
      api.last('models').answer.resolve(models);
      await settle();
      store.prompt.set('a fox');
    });

    const sent = () => api.last('generate').args[0] as GenerateRequest;

    it('uses every model by default, naming none, and a remembered subset when picked', () => {
      expect(store.everyModelChosen()).toBe(true);
      store.generate();
      expect(sent().models).toBeUndefined();

      store.chooseModel('nimbus', false);
      expect(JSON.parse(localStorage.getItem(MODELS_KEY) ?? 'null')).toEqual(['aurora', 'ink']);
      expect(store.chosenModels().map((model) => model.id)).toEqual(['aurora', 'ink']);
    });

    it('sends the subset picked, in display order, and refuses to generate with none', async () => {
      store.chooseModel('aurora', false);
      store.chooseModel('ink', false);
      expect(store.canGenerate()).toBe(true);
      store.chooseModel('nimbus', false);
      expect(store.canGenerate()).toBe(false);
      store.chooseModel('ink', true);
      store.chooseModel('aurora', true);
      store.generate();
      expect(sent().models).toEqual(['aurora', 'ink']);
      store.chooseAllModels();
      expect(localStorage.getItem(MODELS_KEY)).toBeNull();
    });

    it('sends a negative prompt and a shape only when a chosen model uses them', () => {
      store.negativePrompt.set(' text ');
      store.aspectRatio.set('16:9');
      store.chooseModel('aurora', false);
      store.chooseModel('ink', false);
      expect([store.supports()('negativePrompt'), store.supports()('size')]).toEqual([false, false]);
      store.generate();
      expect(sent()).not.toHaveProperty('negativePrompt');
      expect(sent()).not.toHaveProperty('aspectRatio');
    });

    it('sends them when one does', () => {
      store.negativePrompt.set(' text ');
      store.aspectRatio.set('16:9');
      store.generate();
      expect(sent()).toMatchObject({ negativePrompt: 'text', aspectRatio: '16:9' });
    });
  });

  describe('a job opened from its address', () => {
    const opened = (state: 'in_progress' | 'partial', results = [result(0, 'completed', { imageUrl: '/i/0.png' }), result(1, 'in_progress')]) => ({
      ...statusOf(state, results),
      parameters: { steps: 12, guidance: 3.5, seed: 99, negativePrompt: 'blur', aspectRatio: '9:16' as const },
    });

    it('restores prompt, parameters and models, shows its results quietly, and follows it while it runs', async () => {
      store.open('job-1');
      expect(store.opening()).toBe(true);
      api.last('status').answer.resolve(opened('in_progress'));
      await settle();

      expect(store.opening()).toBe(false);
      expect(store.job()).toEqual({ jobId: 'job-1', prompt: 'a lighthouse at dawn' });
      expect([store.prompt(), store.steps(), store.guidance(), store.seed(), store.negativePrompt(), store.aspectRatio()]).toEqual([
        'a lighthouse at dawn', 12, 3.5, 99, 'blur', '9:16',
      ]);
      expect(store.isChosen('aurora') && store.isChosen('nimbus')).toBe(true);
      // Opening a link must not change the picker this browser remembers.
      expect(localStorage.getItem(MODELS_KEY)).toBeNull();
      expect(store.results().map((r) => r.status)).toEqual(['completed', 'in_progress']);
      expect(sounds).toEqual([]);
      expect(stream().url).toBe('/api/jobs/job-1/events');
    });

    it('ignores replayed events, so a reopened stream never moves a card back', async () => {
      store.open('job-1');
      api.last('status').answer.resolve(opened('in_progress'));
      await settle();

      stream().emit('model_started', { result: result(0, 'in_progress') });
      stream().emit('model_completed', { result: result(0, 'completed', { imageUrl: '/i/0.png' }) });
      stream().emit('model_started', { result: result(1, 'in_progress') });
      expect(store.results().map((r) => r.status)).toEqual(['completed', 'in_progress']);
      expect(sounds).toEqual([]);
      stream().emit('model_completed', { result: result(1, 'completed', { imageUrl: '/i/1.png' }) });
      expect(store.results()[1]?.status).toBe('completed');
      expect(sounds).toEqual(['image']);
    });

    it('shows an ended job without following it', async () => {
      store.open('job-1');
      api.last('status').answer.resolve(opened('partial', [result(0, 'completed'), result(1, 'error')]));
      await settle();
      expect(store.finished()).toBe(true);
      expect(() => stream()).toThrow('No event stream');
    });

    it('says why a job cannot be shown', async () => {
      store.open('job-1');
      api.last('status').answer.reject(failure(404, 'JOB_NOT_FOUND'));
      await settle();
      expect(store.jobProblem()?.message).toContain('no longer exists');
      expect(store.running()).toBe(false);
    });

    it('goes back to a blank page on reset, keeping the form', async () => {
      store.open('job-1');
      api.last('status').answer.resolve(opened('in_progress'));
      await settle();
      const source = stream();
      store.reset();
      expect([store.job(), store.results(), source.closed, store.prompt()]).toEqual([null, [], true, 'a lighthouse at dawn']);
    });
  });

  describe('retrying a failed model', () => {
    async function endedWithFailure(): Promise<void> {
      store.open('job-1');
      api.last('status').answer.resolve(statusOf('partial', [result(0, 'completed'), result(1, 'error', { error: { code: 'PROVIDER_ERROR', message: 'x' } })]));
      await settle();
    }

    it('queues the model again with one key per attempt, shows it waiting, and follows the job again', async () => {
      await endedWithFailure();
      const failed = store.results()[1] as ModelResult;
      store.retry(failed);
      store.retry(failed);
      expect(api.of('retry')).toHaveLength(1);
      const [jobId, model, key] = api.last('retry').args as string[];
      expect([jobId, model]).toEqual(['job-1', 'nimbus']);

      api.last('retry').answer.resolve({ jobId, model, index: 1, status: 'in_progress', statusUrl: '', eventsUrl: '' });
      await settle();
      expect(store.results()[1]).toMatchObject({ status: 'pending', retries: 1 });
      expect(store.results()[1]?.error).toBeUndefined();
      expect(store.running()).toBe(true);
      expect(stream().url).toBe('/api/jobs/job-1/events');
      // The stream starts from the beginning: the old failure is not news any more.
      stream().emit('model_failed', { result: result(1, 'error') });
      stream().emit('model_started', { result: result(1, 'in_progress', { retries: 1 }) });
      expect(store.results()[1]).toMatchObject({ status: 'in_progress', retries: 1 });
      expect(key).toMatch(/\S{16,}/);
    });

    it('offers Retry with the same key when the request fails', async () => {
      await endedWithFailure();
      store.retry(store.results()[1] as ModelResult);
      api.last('retry').answer.reject(failure(0, 'x'));
      await settle();
      toasts.toasts()[0]?.retry?.();
      const [first, second] = api.of('retry');
      expect(second?.args).toEqual(first?.args);
    });
  });

  it('does not generate while the API says no generations are left', () => {
    store.prompt.set('a fox');
    TestBed.inject(Quota).read({ get: () => '"ip";r=0;t=600' });
    expect(store.quotaSpent()).toBe(true);
    expect(store.canGenerate()).toBe(false);
  });
});
