import { ChangeDetectionStrategy, Component, signal } from '@angular/core';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { ModelErrorCode, ModelResult } from '@pixel-prompt/contracts';
import { textOf } from '../../testing/dom';
import { MODEL_ERROR_REASONS, ModelCard, friendlyReason } from './model-card';

const PROMPT = 'A lighthouse in a storm';
const FULL = 'https://cdn.example.com/g/aurora.png';
const THUMB = 'https://cdn.example.com/g/aurora.thumb.png';

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
      [imageUrl]="imageUrl()"
      [thumbnailUrl]="thumbnailUrl()"
      [startedAt]="startedAt()"
      [now]="now()"
      [selected]="selected()"
      (opened)="opened = opened + 1"
      (selectedChange)="selections.push($event)"
    />
  `,
})
class Host {
  readonly result = signal(result());
  readonly prompt = PROMPT;
  readonly imageUrl = signal('');
  readonly thumbnailUrl = signal('');
  readonly startedAt = signal<number | undefined>(undefined);
  readonly now = signal(0);
  readonly selected = signal(false);
  opened = 0;
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
  async function show(fields: Partial<ModelResult>, inputs: { startedAt?: number; now?: number; selected?: boolean } = {}): Promise<void> {
    host.result.set(result(fields));
    if (fields.imageUrl !== undefined) host.imageUrl.set(fields.imageUrl);
    if (fields.thumbnailUrl !== undefined) host.thumbnailUrl.set(fields.thumbnailUrl);
    host.startedAt.set(inputs.startedAt);
    if (inputs.now !== undefined) host.now.set(inputs.now);
    if (inputs.selected !== undefined) host.selected.set(inputs.selected);
    await fixture.whenStable();
  }
  async function completed(fields: Partial<ModelResult> = {}, inputs: { selected?: boolean } = {}): Promise<void> {
    await show({ status: 'completed', imageUrl: FULL, thumbnailUrl: THUMB, duration: 3.24, ...fields }, inputs);
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
    expect(text('.placeholder')).toBe('Waiting in the queue…');
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
    it('shows the image with the model and prompt as its alt text, and how long it took', async () => {
      await completed();

      const full = card().querySelector<HTMLImageElement>('img.full');
      expect(card().dataset['state']).toBe('completed');
      expect(full?.getAttribute('src')).toBe(FULL);
      expect(full?.alt).toBe(`Aurora: ${PROMPT}`);
      expect(text('.duration')).toBe('3.2 s');
    });

    it('leaves the duration out when it is unknown', async () => {
      await completed({ duration: undefined });

      expect(card().querySelector('.duration')).toBeNull();
    });

    it('shows the thumbnail until the full image has loaded, again for a new image', async () => {
      await completed();
      expect(card().querySelector('img.thumb')?.getAttribute('src')).toBe(THUMB);
      expect(card().querySelector('img.full')?.classList).not.toContain('loaded');

      card().querySelector('img.full')?.dispatchEvent(new Event('load'));
      await fixture.whenStable();
      expect(card().querySelector('img.thumb')).toBeNull();
      expect(card().querySelector('img.full')?.classList).toContain('loaded');

      await completed({ imageUrl: 'https://cdn.example.com/g/aurora-2.png', thumbnailUrl: 'https://cdn.example.com/g/aurora-2.thumb.png' });
      expect(card().querySelector('img.thumb')?.getAttribute('src')).toBe('https://cdn.example.com/g/aurora-2.thumb.png');
      expect(card().querySelector('img.full')?.classList).not.toContain('loaded');
    });

    it('shows no thumbnail when the model made none', async () => {
      await completed({ thumbnailUrl: undefined });

      expect(card().querySelector('img.thumb')).toBeNull();
      expect(card().querySelector('img.full')?.getAttribute('src')).toBe(FULL);
    });

    it('opens the image when it is clicked', async () => {
      await completed();

      card().querySelector<HTMLButtonElement>('button.picture')?.click();

      expect(host.opened).toBe(1);
    });

    it('has a labelled checkbox that shows and reports whether the image is picked for comparing', async () => {
      await completed({}, { selected: true });
      const box = checkbox();
      expect(box?.closest('label')?.textContent?.trim()).toBe('Compare Aurora');
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
