import { ChangeDetectionStrategy, Component, signal } from '@angular/core';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { ModelErrorCode, ModelResult } from '@pixel-prompt/contracts';
import { textOf } from '../../testing/dom';
import { type CardImages, MODEL_ERROR_REASONS, ModelCard, canRetry, friendlyReason } from './model-card';

const PROMPT = 'A lighthouse in a storm';
const TILES: CardImages = {
  srcset: 'https://cdn.example.com/g/aurora.tile.webp 288w, https://cdn.example.com/g/aurora.tile2x.webp 576w',
  src: 'https://cdn.example.com/g/aurora.tile.webp',
};

function result(fields: Partial<ModelResult> = {}): ModelResult {
  return { model: 'aurora', displayName: 'Aurora', index: 2, status: 'pending', ...fields };
}

@Component({
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ModelCard],
  template: `
    <pp-model-card
      [result]="result()"
      [prompt]="prompt"
      [images]="images()"
      [startedAt]="startedAt()"
      [now]="now()"
      [selected]="selected()"
      [retrying]="retrying()"
      (opened)="opened = opened + 1"
      (selectedChange)="selections.push($event)"
      (retried)="retried = retried + 1"
    />
  `,
})
class Host {
  readonly result = signal(result());
  readonly prompt = PROMPT;
  readonly images = signal<CardImages>({ srcset: '', src: '' });
  readonly retrying = signal(false);
  readonly startedAt = signal<number | undefined>(undefined);
  readonly now = signal(0);
  readonly selected = signal(false);
  opened = 0;
  retried = 0;
  readonly selections: boolean[] = [];
}

describe('ModelCard', () => {
  let fixture: ComponentFixture<Host>;
  let host: Host;

  function card(): HTMLElement {
    const found = (fixture.nativeElement as HTMLElement).querySelector<HTMLElement>('[data-testid="model-card"]');
    if (!found) throw new Error('No model card');
    return found;
  }
  function text(selector: string): string {
    return textOf(card().querySelector(selector));
  }
  function checkbox(): HTMLInputElement | null {
    return card().querySelector<HTMLInputElement>('input[type="checkbox"]');
  }
  /** Sets the host's inputs (as the results panel would) and waits for the card to show them. */
  async function show(
    fields: Partial<ModelResult>,
    inputs: { startedAt?: number; now?: number; selected?: boolean; images?: CardImages } = {},
  ): Promise<void> {
    host.result.set(result(fields));
    if (inputs.images) host.images.set(inputs.images);
    host.startedAt.set(inputs.startedAt);
    if (inputs.now !== undefined) host.now.set(inputs.now);
    if (inputs.selected !== undefined) host.selected.set(inputs.selected);
    await fixture.whenStable();
  }
  async function completed(fields: Partial<ModelResult> = {}, inputs: { selected?: boolean; images?: CardImages } = {}): Promise<void> {
    await show({ status: 'completed', imageUrl: '/full.png', duration: 3.24, ...fields }, { images: TILES, ...inputs });
  }

  beforeEach(async () => {
    fixture = TestBed.createComponent(Host);
    host = fixture.componentInstance;
    await fixture.whenStable();
  });

  it('is an article named by its model’s heading', () => {
    const heading = card().querySelector('h3');

    expect(heading?.textContent).toBe('Aurora');
    expect(heading?.id).toBe('model-2');
    expect(card().getAttribute('aria-labelledby')).toBe('model-2');
  });

  it('says the model is waiting while queued', async () => {
    await show({ status: 'pending' });

    expect(card().dataset['state']).toBe('pending');
    expect(text('.placeholder')).toBe('Waiting…');
    expect(card().querySelector('img')).toBeNull();
  });

  describe('while generating', () => {
    it('shows the whole seconds since the model started', async () => {
      await show({ status: 'in_progress' }, { startedAt: 100_000, now: 112_900 });

      expect(card().dataset['state']).toBe('in_progress');
      expect(text('.placeholder')).toBe('Generating… 12 s');
    });

    it('counts up as time passes', async () => {
      await show({ status: 'in_progress' }, { startedAt: 100_000, now: 100_000 });
      expect(text('.placeholder')).toBe('Generating… 0 s');

      host.now.set(165_000);
      await fixture.whenStable();
      expect(text('.placeholder')).toBe('Generating… 65 s');
    });

    it('never shows a negative time when the clock is behind the start', async () => {
      await show({ status: 'in_progress' }, { startedAt: 100_000, now: 99_000 });

      expect(text('.placeholder')).toBe('Generating… 0 s');
    });

    it('leaves the time out until the start is known', async () => {
      await show({ status: 'in_progress' }, { now: 50_000 });

      expect(text('.placeholder')).toBe('Generating…');
    });
  });

  describe('when done', () => {
    it('shows its tiles, never the full image, with the model and prompt as alt text, and how long it took', async () => {
      await completed();

      const image = card().querySelector<HTMLImageElement>('img');
      expect(card().dataset['state']).toBe('completed');
      expect([image?.getAttribute('src'), image?.getAttribute('srcset')]).toEqual([TILES.src, TILES.srcset]);
      expect(image?.getAttribute('sizes')).toMatch(/50vw/);
      expect(image?.alt).toBe(`Aurora: ${PROMPT}`);
      expect(text('.duration')).toBe('3.2 s');
    });

    it('leaves the duration out when it is unknown', async () => {
      await completed({ duration: undefined });

      expect(card().querySelector('.duration')).toBeNull();
    });

    it('shows one picture without a srcset for results from before tiles', async () => {
      await completed({}, { images: { srcset: '', src: 'https://cdn.example.com/g/aurora.thumb.png' } });

      expect(card().querySelector('img')?.hasAttribute('srcset')).toBe(false);
      expect(card().querySelector('img')?.getAttribute('src')).toBe('https://cdn.example.com/g/aurora.thumb.png');
    });

    it('opens the image when it is clicked', async () => {
      await completed();

      card().querySelector<HTMLButtonElement>('button.picture')?.click();

      expect(host.opened).toBe(1);
    });

    it('has a labelled checkbox that shows and reports whether the image is picked for comparing', async () => {
      await completed({}, { selected: true });
      const box = checkbox();
      expect(textOf(box?.closest('label'))).toBe('Compare Aurora');
      expect(box?.checked).toBe(true);

      box?.click();
      box?.click();

      expect(host.selections).toEqual([false, true]);
    });
  });

  describe('on error', () => {
    it.each(Object.entries(MODEL_ERROR_REASONS))('explains %s in words, never the raw code or message', async (code, reason) => {
      await show({ status: 'error', error: { code: code as ModelErrorCode, message: `upstream said ${code} (req 123)` } });

      expect(card().dataset['state']).toBe('error');
      expect(text('.failed')).toBe(reason);
      expect(card().textContent).not.toContain('upstream said');
      expect(card().textContent).not.toContain(code);
    });

    it('falls back to a general reason when none is given', async () => {
      await show({ status: 'error' });

      expect(text('.failed')).toBe('This model could not make an image.');
    });

    it('offers Retry when another try may work, busy while the request is on its way', async () => {
      await show({ status: 'error', error: { code: 'TIMEOUT', message: 'x' } });
      const retry = card().querySelector<HTMLButtonElement>('button.retry');
      expect(textOf(retry)).toBe('Retry Aurora');
      retry?.click();
      expect(host.retried).toBe(1);

      host.retrying.set(true);
      await fixture.whenStable();
      expect(retry?.getAttribute('aria-disabled')).toBe('true');
      retry?.click();
      expect(host.retried).toBe(1);
    });

    it('offers no Retry for a refused prompt or a model that is not set up', async () => {
      for (const code of ['CONTENT_REJECTED', 'AUTH', 'UNAVAILABLE', 'QUOTA'] as const) {
        await show({ status: 'error', error: { code, message: 'x' } });
        expect(card().querySelector('button.retry')).toBeNull();
      }
      expect(canRetry(result({ status: 'error', error: { code: 'PROVIDER_ERROR', message: 'x' } }))).toBe(true);
      expect(canRetry(result({ status: 'canceled' }))).toBe(false);
    });
  });

  it('says so when the model was canceled', async () => {
    await show({ status: 'canceled' });

    expect(card().dataset['state']).toBe('canceled');
    expect(text('.placeholder')).toBe('Canceled');
    expect(card().querySelector('img')).toBeNull();
  });
});

describe('friendlyReason', () => {
  it('gives a distinct, readable sentence for every error code', () => {
    const reasons = Object.values(MODEL_ERROR_REASONS);

    expect(new Set(reasons).size).toBe(reasons.length);
    for (const reason of reasons) expect(reason).toMatch(/^[A-Z].*\.$/);
  });

  it('maps a code to its sentence', () => {
    expect(friendlyReason(result({ status: 'error', error: { code: 'QUOTA', message: '429 from provider' } }))).toBe(MODEL_ERROR_REASONS.QUOTA);
  });

  it('falls back for a missing error or a code this version does not know', () => {
    const fallback = 'This model could not make an image.';

    expect(friendlyReason(result({ status: 'error' }))).toBe(fallback);
    expect(friendlyReason(result({ status: 'error', error: { code: 'NEW_CODE' as ModelErrorCode, message: '' } }))).toBe(fallback);
  });
});
