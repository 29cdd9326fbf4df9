import { ChangeDetectionStrategy, Component, signal } from '@angular/core';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import { getButton, getByRole, queryButton, queryByRole } from '../../testing/dom';
import type { ViewerImage } from '../viewer/viewer-image';
import { CompareView } from './compare-view';

const LEFT: ViewerImage = { url: '/api/images/g/0.png', thumbnailUrl: '/api/images/g/0.thumb.png', title: 'Aurora', fileName: 'aurora.png' };
const RIGHT: ViewerImage = { url: '/api/images/g/1.png', thumbnailUrl: '/api/images/g/1.thumb.png', title: 'Nimbus', fileName: 'nimbus.png' };

@Component({
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [CompareView],
  template: `
    <button type="button" id="opener" (click)="open.set(true)">Compare</button>
    @if (open()) {
      <pp-compare-view [left]="left" [right]="right" (closed)="open.set(false)" />
    }
  `,
})
class Host {
  readonly left = LEFT;
  readonly right = RIGHT;
  readonly open = signal(false);
}

describe('CompareView', () => {
  let fixture: ComponentFixture<Host>;

  const root = (): HTMLElement => fixture.nativeElement as HTMLElement;
  function query<T extends Element = HTMLElement>(selector: string): T | null {
    return root().querySelector<T>(selector);
  }
  function dialog(): HTMLElement | undefined {
    return queryByRole(root(), 'dialog');
  }
  function button(name: string): HTMLButtonElement | undefined {
    return queryButton(getByRole(root(), 'dialog'), name);
  }
  function imageSources(): (string | null)[] {
    return Array.from(dialog()?.querySelectorAll('img') ?? []).map((img) => img.getAttribute('src'));
  }
  async function click(element: HTMLElement | undefined): Promise<void> {
    if (!element) throw new Error('Nothing to click');
    element.click();
    await fixture.whenStable();
  }

  beforeEach(async () => {
    fixture = TestBed.createComponent(Host);
    await fixture.whenStable();
    const opener = getButton(root(), 'Compare');
    opener.focus();
    await click(opener);
  });

  it('opens as a labelled modal dialog with both images side by side', () => {
    expect(dialog()?.getAttribute('aria-label')).toBe('Compare images');
    expect(dialog()?.getAttribute('aria-modal')).toBe('true');
    expect(dialog()?.contains(document.activeElement)).toBe(true);
    expect(imageSources().sort()).toEqual([LEFT.url, RIGHT.url]);
    expect(query('input[type="range"]')).toBeNull();
  });

  it('toggles between side by side and an overlay with a labelled slider', async () => {
    await click(button('Slider'));

    const range = query<HTMLInputElement>('input[type="range"]');
    expect(range).not.toBeNull();
    expect(query(`label[for="${range?.id}"]`)?.textContent).toContain('Aurora on the left');
    expect(imageSources().sort()).toEqual([LEFT.url, RIGHT.url]);
    expect(button('Slider')).toBeUndefined();

    await click(button('Side by side'));
    expect(query('input[type="range"]')).toBeNull();
    expect(button('Slider')).toBeDefined();
  });

  it('reveals as much of the left image as the slider says', async () => {
    await click(button('Slider'));
    const range = query<HTMLInputElement>('input[type="range"]') as HTMLInputElement;
    const top = query('.layer.top') as HTMLElement;
    expect(top.style.clipPath).toBe('inset(0 50% 0 0)');

    range.value = '80';
    range.dispatchEvent(new Event('input'));
    await fixture.whenStable();

    expect(top.style.clipPath).toBe('inset(0 20% 0 0)');
    expect(range.getAttribute('aria-valuetext')).toBe('80% Aurora');
  });

  it('moves the divider to where the pointer drags it', async () => {
    await click(button('Slider'));
    const overlay = query('[data-testid="compare-overlay"]') as HTMLElement;
    const top = query('.layer.top') as HTMLElement;
    // jsdom lays nothing out: the overlay is given the box a browser would, 200 px wide at x = 100.
    overlay.getBoundingClientRect = () => new DOMRect(100, 0, 200, 150);
    // jsdom has no PointerEvent; a MouseEvent carries the same coordinates.
    const pointer = async (type: string, clientX: number): Promise<void> => {
      overlay.dispatchEvent(new MouseEvent(type, { clientX, bubbles: true }));
      await fixture.whenStable();
    };

    await pointer('pointerdown', 150);
    expect(top.style.clipPath).toBe('inset(0 75% 0 0)');
    await pointer('pointermove', 400);
    expect(top.style.clipPath).toBe('inset(0 0% 0 0)');
    await pointer('pointerup', 400);
    await pointer('pointermove', 120);
    expect(top.style.clipPath).toBe('inset(0 0% 0 0)');
  });

  it('closes on Escape and on Close, giving focus back to the opener', async () => {
    dialog()?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await fixture.whenStable();
    expect(dialog()).toBeUndefined();
    expect(document.activeElement?.id).toBe('opener');

    await click(getButton(root(), 'Compare'));
    await click(button('Close'));
    expect(dialog()).toBeUndefined();
    expect(document.activeElement?.id).toBe('opener');
  });
});
