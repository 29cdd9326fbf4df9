import { type ComponentFixture, TestBed } from '@angular/core/testing';
import { GENERATION_LIMITS, type ModelResult, type ModelsResponse } from '@pixel-prompt/contracts';
import { getButton, getByRole, queryByRole, queryButton, textOf } from '../../testing/dom';
import { type FakeFetch, provideFakeFetch } from '../../testing/fake-fetch';
import { ACCEPTED, CAPABILITIES, Deferred, result, statusOf } from '../../testing/fake-generation';
import { type GenerationFakes, provideGenerationFakes } from '../../testing/generation-fakes';
import { loadRuntimeConfig } from '../../testing/runtime-config';
import { Toasts } from '../core/toasts';
import { downloadAllAsZip } from '../viewer/zip-download';
import { GenerateStore } from './generate-store';
import { ResultsPanel, progressSummary, zipNameFor } from './results-panel';

// Zipping itself (fetching every image, fflate) is covered by zip-download.spec.ts; here only what the panel hands it.
jest.mock('../viewer/zip-download', () => ({ downloadAllAsZip: jest.fn() }));
const downloadAll = jest.mocked(downloadAllAsZip);

const PROMPT = 'a lighthouse at dawn';

/** GET /models listing `count` models, named as result() names them. */
function modelsResponse(count: number): ModelsResponse {
  return {
    models: Array.from({ length: count }, (_, index) => {
      const { model, displayName } = result(index, 'pending');
      return { id: model, displayName, capabilities: CAPABILITIES };
    }),
  };
}

/** Model `index` done, with its image served by the API (root-relative, as the gateway names them). */
function done(index: number, extra: Partial<ModelResult> = {}): ModelResult {
  return result(index, 'completed', {
    imageUrl: `/images/job-1/${index}.png`,
    thumbnailUrl: `/images/job-1/${index}.thumb.png`,
    duration: 2.5,
    ...extra,
  });
}

describe('ResultsPanel', () => {
  let fixture: ComponentFixture<ResultsPanel>;
  let fakes: GenerationFakes;
  let http: FakeFetch;
  let store: GenerateStore;

  const root = (): HTMLElement => fixture.nativeElement as HTMLElement;
  const results = (): HTMLElement | undefined => queryByRole(root(), 'region', 'Results');
  const cards = (): HTMLElement[] => Array.from(root().querySelectorAll<HTMLElement>('[data-testid="model-card"]'));
  const card = (name: string): HTMLElement => {
    const found = cards().find((candidate) => textOf(candidate.querySelector('h3')) === name);
    if (!found) throw new Error(`No card for ${name}`);
    return found;
  };
  const progress = (): HTMLElement => root().querySelector('[data-testid="progress"]') as HTMLElement;
  const compareBox = (name: string): HTMLInputElement => {
    const box = card(name).querySelector<HTMLInputElement>('input[type="checkbox"]');
    if (!box) throw new Error(`No compare checkbox on ${name}`);
    return box;
  };

  async function stable(): Promise<void> {
    await fixture.whenStable();
  }
  async function click(element: HTMLElement): Promise<void> {
    element.click();
    await stable();
  }
  /** Starts a job of `count` models, as the prompt editor's Generate would. */
  async function startJob(count = 2, models: ModelsResponse = modelsResponse(count)): Promise<void> {
    await fakes.answer('models', models);
    store.prompt.set(PROMPT);
    store.generate();
    await fakes.answer('generate', { ...ACCEPTED, totalModels: count });
    await stable();
  }
  /** The server reports `results` over the event stream. */
  async function report(...reported: ModelResult[]): Promise<void> {
    const events = { in_progress: 'model_started', completed: 'model_completed', error: 'model_failed', canceled: 'model_canceled' };
    for (const r of reported) {
      if (r.status === 'pending') continue;
      fakes.stream().emit(events[r.status], { result: r });
    }
    await stable();
  }
  /** The job ends: the stream says so and GET /status gives the final state. */
  async function finish(state: 'completed' | 'partial' | 'failed' | 'canceled', final: ModelResult[]): Promise<void> {
    fakes.stream().emit('completed', { status: state });
    await fakes.answer('status', statusOf(state, final));
    await stable();
  }

  beforeEach(async () => {
    downloadAll.mockReset();
    fakes = provideGenerationFakes();
    http = provideFakeFetch();
    TestBed.configureTestingModule({ providers: [GenerateStore] });
    await loadRuntimeConfig(http, { apiBaseUrl: '/api' });
    store = TestBed.inject(GenerateStore);
    fixture = TestBed.createComponent(ResultsPanel);
    await stable();
  });

  afterEach(() => {
    http.verify();
    jest.useRealTimers();
  });

  it('shows nothing before anything was generated', () => {
    expect(results()).toBeUndefined();
    expect(root().textContent?.trim()).toBe('');
  });

  describe('cards', () => {
    it.each([GENERATION_LIMITS.models.min, 2, 7, GENERATION_LIMITS.models.max])(
      'shows one waiting card per model for a job of %i, in the order of the models',
      async (count) => {
        await startJob(count);

        expect(cards()).toHaveLength(count);
        expect(cards().map((c) => textOf(c.querySelector('h3')))).toEqual(modelsResponse(count).models.map((m) => m.displayName));
        expect(cards().every((c) => c.dataset['state'] === 'pending')).toBe(true);
        expect(textOf(progress())).toBe(`0 of ${count} done · ${count} waiting`);
      },
    );

    it('shows a card per model even when GET /models lists other models than the job has', async () => {
      await startJob(3, modelsResponse(2));

      expect(cards().map((c) => textOf(c.querySelector('h3')))).toEqual(['Model 1', 'Model 2', 'Model 3']);
    });

    it('moves each card through generating to its image or its failure', async () => {
      await startJob(3);

      await report(result(0, 'in_progress'), done(1), result(2, 'error', { error: { code: 'TIMEOUT', message: 'x' } }));

      expect(cards().map((c) => c.dataset['state'])).toEqual(['in_progress', 'completed', 'error']);
      // Results from before tiles: the thumbnail stands in for the full image on the card.
      expect(card('Nimbus').querySelector<HTMLImageElement>('img')?.getAttribute('src')).toBe('/api/images/job-1/1.thumb.png');
      expect(card('Nimbus').querySelector<HTMLImageElement>('img')?.alt).toBe(`Nimbus: ${PROMPT}`);
      expect(textOf(card('M2'))).toContain('The model took too long to answer.');
    });

    it('shows the tiles on the cards, the full image only in the viewer', async () => {
      await startJob(1);
      await report(done(0, { tileUrl: '/images/job-1/0.tile.webp', tile2xUrl: '/images/job-1/0.tile2x.webp' }));

      const image = card('Aurora').querySelector('img');
      expect(image?.getAttribute('src')).toBe('/api/images/job-1/0.tile.webp');
      expect(image?.getAttribute('srcset')).toBe('/api/images/job-1/0.tile.webp 288w, /api/images/job-1/0.tile2x.webp 576w');
      await click(card('Aurora').querySelector('button.picture') as HTMLButtonElement);
      const viewer = getByRole(root(), 'dialog', 'Image viewer');
      expect(viewer.querySelector('img.full')?.getAttribute('src')).toBe('/api/images/job-1/0.png');
      expect(viewer.querySelector('img:not(.full)')?.getAttribute('src')).toBe('/api/images/job-1/0.tile2x.webp');
    });

    it('retries a failed model from its card', async () => {
      await startJob(2);
      await report(result(1, 'error', { error: { code: 'PROVIDER_ERROR', message: 'x' } }));
      await click(card('Nimbus').querySelector('button.retry') as HTMLButtonElement);
      expect(fakes.api.last('retry').args.slice(0, 2)).toEqual(['job-1', 'nimbus']);
    });

    it('copies the absolute address of these results', async () => {
      const writeText = jest.fn(() => Promise.resolve());
      Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
      await startJob(1);
      await click(getButton(root(), 'Copy link'));
      await stable();
      expect(writeText).toHaveBeenCalledWith('http://localhost/g/job-1');
      expect(TestBed.inject(Toasts).toasts().map((toast) => toast.message)).toEqual(['Link to these results copied']);
      Reflect.deleteProperty(navigator, 'clipboard');
    });

    it('counts the seconds a model has been generating', async () => {
      jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick'] });
      await fakes.answer('models', modelsResponse(2));
      store.prompt.set(PROMPT);
      store.generate();
      await fakes.answer('generate', ACCEPTED);
      fakes.stream().emit('model_started', { result: result(0, 'in_progress') });
      TestBed.tick();
      expect(textOf(card('Aurora').querySelector('.placeholder'))).toBe('Generating… 0 s');

      jest.advanceTimersByTime(3000);
      TestBed.tick();

      expect(textOf(card('Aurora').querySelector('.placeholder'))).toBe('Generating… 3 s');
    });
  });

  describe('progress', () => {
    it('counts done, failed, canceled, generating and waiting models apart, in a polite live region', async () => {
      await startJob(4);
      // role=status is a polite live region.
      expect(progress().getAttribute('role')).toBe('status');
      expect(results()?.contains(progress())).toBe(true);

      await report(result(0, 'in_progress'));
      expect(textOf(progress())).toBe('0 of 4 done · 1 generating · 3 waiting');

      await report(done(0));
      expect(textOf(progress())).toBe('1 of 4 done · 3 waiting');

      await report(result(1, 'error'), result(2, 'canceled'));
      expect(textOf(progress())).toBe('1 of 4 done · 1 failed · 1 canceled · 1 waiting');

      await report(done(3));
      expect(textOf(progress())).toBe('2 of 4 done · 1 failed · 1 canceled');
    });

    it('says all are done when they are', async () => {
      await startJob(2);
      await report(done(0), done(1));
      expect(textOf(progress())).toBe('All 2 done');
    });

    it('brings the results into view and gives their heading the focus on Generate', async () => {
      const scrolled = jest.spyOn(Element.prototype, 'scrollIntoView');
      await startJob(2);
      expect(document.activeElement).toBe(results()?.querySelector('h2'));
      expect(scrolled.mock.contexts).toEqual([results()]);
    });
  });

  describe('Cancel', () => {
    it('is offered while the job runs and asks the API to cancel it once', async () => {
      await startJob(2);

      await click(getButton(root(), 'Cancel'));

      expect(fakes.api.of('cancel').map((call) => call.args)).toEqual([['job-1']]);
      expect(getButton(root(), 'Cancel').getAttribute('aria-disabled')).toBe('true');

      await fakes.answer('cancel', undefined);
      await stable();
      expect(getButton(root(), 'Cancel').getAttribute('aria-disabled')).toBe('false');
    });

    it('goes away once the job has ended', async () => {
      await startJob(2);

      await report(result(0, 'canceled'), result(1, 'canceled'));
      expect(queryButton(root(), 'Cancel')).toBeDefined();
      await finish('canceled', [result(0, 'canceled'), result(1, 'canceled')]);

      expect(queryButton(root(), 'Cancel')).toBeUndefined();
      expect(cards().map((c) => c.dataset['state'])).toEqual(['canceled', 'canceled']);
      expect(textOf(progress())).toBe('0 of 2 done · 2 canceled');
    });
  });

  describe('viewer', () => {
    it('opens on the finished image that was clicked, among the finished images only', async () => {
      await startJob(4);
      await report(result(0, 'error'), done(1), done(2), done(3));

      await click(card('M2').querySelector('button.picture') as HTMLButtonElement);

      const viewer = getByRole(root(), 'dialog', 'Image viewer');
      expect(textOf(viewer.querySelector('[data-testid="viewer-position"]'))).toBe('2 / 3');
      expect(textOf(viewer.querySelector('.title'))).toBe('M2');
      expect(viewer.querySelector<HTMLImageElement>('img.full')?.getAttribute('src')).toBe('/api/images/job-1/2.png');
      expect(viewer.contains(document.activeElement)).toBe(true);
    });

    it('offers no image to open before a model has finished', async () => {
      await startJob(2);
      await report(result(0, 'in_progress'));

      expect(root().querySelector('button.picture')).toBeNull();
      expect(root().querySelector('img')).toBeNull();
    });

    it('closes when asked', async () => {
      await startJob(2);
      await report(done(0));
      await click(card('Aurora').querySelector('button.picture') as HTMLButtonElement);

      await click(getButton(getByRole(root(), 'dialog', 'Image viewer'), 'Close'));

      expect(queryByRole(root(), 'dialog')).toBeUndefined();
    });
  });

  describe('Compare', () => {
    it('is not offered until a model has finished', async () => {
      await startJob(3);

      expect(queryButton(root(), 'Compare selected')).toBeUndefined();
      expect(root().textContent).not.toContain('Tick two images');
    });

    it('is offered only while exactly two images are ticked', async () => {
      await startJob(3);
      await report(done(0), done(1), done(2));
      const compare = getButton(root(), 'Compare selected');
      expect(compare.disabled).toBe(true);
      expect(root().textContent).toContain('Tick two images to compare them.');

      await click(compareBox('Aurora'));
      expect(compare.disabled).toBe(true);

      await click(compareBox('M2'));
      expect(compare.disabled).toBe(false);
      expect(root().textContent).not.toContain('Tick two images');

      await click(compareBox('Nimbus'));
      expect(compare.disabled).toBe(true);
      expect(root().textContent).toContain('Tick two images to compare them.');

      await click(compareBox('Aurora'));
      expect(compare.disabled).toBe(false);
      expect([compareBox('Aurora').checked, compareBox('Nimbus').checked, compareBox('M2').checked]).toEqual([false, true, true]);
    });

    it('shows the two ticked images side by side, in card order', async () => {
      await startJob(3);
      await report(done(0), done(1), done(2));
      await click(compareBox('M2'));
      await click(compareBox('Aurora'));

      await click(getButton(root(), 'Compare selected'));

      const dialog = getByRole(root(), 'dialog', 'Compare images');
      expect(textOf(dialog.querySelector('h2'))).toBe('Aurora and M2');
      expect(Array.from(dialog.querySelectorAll('img')).map((img) => img.getAttribute('src'))).toEqual([
        '/api/images/job-1/0.png',
        '/api/images/job-1/2.png',
      ]);

      await click(getButton(dialog, 'Close'));
      expect(queryByRole(root(), 'dialog')).toBeUndefined();
    });
  });

  describe('Download all', () => {
    it('is not offered until a model has finished', async () => {
      await startJob(2);

      expect(queryButton(root(), 'Download all')).toBeUndefined();
    });

    it('downloads every finished image, under its model name, in a zip named after the prompt', async () => {
      const download = new Deferred<void>();
      downloadAll.mockReturnValue(download.promise);
      await startJob(3);
      const cdn = 'https://cdn.example.com/job-1/nimbus.webp?Signature=abc';
      await report(done(0), done(1, { imageUrl: cdn, thumbnailUrl: undefined }), result(2, 'error'));

      await click(getButton(root(), 'Download all'));

      expect(downloadAll).toHaveBeenCalledTimes(1);
      expect(downloadAll).toHaveBeenCalledWith(
        [
          { url: '/api/images/job-1/0.png', thumbnailUrl: '/api/images/job-1/0.thumb.png', title: 'Aurora', fileName: 'aurora.png' },
          { url: cdn, thumbnailUrl: cdn, title: 'Nimbus', fileName: 'nimbus.webp' },
        ],
        'a-lighthouse-at-dawn.zip',
      );
      // Busy, not disabled: the focus stays on the button.
      const button = getButton(root(), 'Download all');
      expect(button.getAttribute('aria-disabled')).toBe('true');

      download.resolve();
      await download.promise;
      await stable();

      expect(button.getAttribute('aria-disabled')).toBe('false');
      expect(TestBed.inject(Toasts).toasts()).toEqual([]);
    });

    it('explains a failed download and offers to try again', async () => {
      const failed = new Deferred<void>();
      downloadAll.mockReturnValueOnce(failed.promise).mockResolvedValue(undefined);
      await startJob(2);
      await report(done(0));

      await click(getButton(root(), 'Download all'));
      failed.reject(new Error('nimbus.png could not be fetched (HTTP 404)'));
      await failed.promise.catch(() => undefined);
      await stable();

      const [toast] = TestBed.inject(Toasts).toasts();
      expect(toast?.message).toBe('The images could not be downloaded. Check your connection and try again.');
      expect(getButton(root(), 'Download all').getAttribute('aria-disabled')).toBe('false');

      toast?.retry?.();
      expect(downloadAll).toHaveBeenCalledTimes(2);
    });
  });
});

describe('progressSummary', () => {
  const counts = { total: 9, done: 0, failed: 0, canceled: 0, generating: 0, waiting: 0 };

  it('never counts failed or canceled models as done', () => {
    expect(progressSummary({ ...counts, done: 6, failed: 3 }, false)).toBe('6 of 9 done · 3 failed');
    expect(progressSummary({ ...counts, done: 3, canceled: 6 }, false)).toBe('3 of 9 done · 6 canceled');
    expect(progressSummary({ ...counts, done: 9 }, false)).toBe('All 9 done');
    expect(progressSummary({ ...counts, total: 0 }, true)).toBe('Starting…');
  });
});

describe('zipNameFor', () => {
  it('makes a file name from the prompt', () => {
    expect(zipNameFor('A lighthouse, at dawn!')).toBe('a-lighthouse-at-dawn.zip');
  });

  it('keeps it short and falls back when nothing usable is left', () => {
    expect(zipNameFor('x'.repeat(100))).toBe(`${'x'.repeat(40)}.zip`);
    expect(zipNameFor('日本の灯台')).toBe('pixel-prompt.zip');
  });
});
