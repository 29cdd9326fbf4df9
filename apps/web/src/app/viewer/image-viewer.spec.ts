import { ChangeDetectionStrategy, Component, signal } from '@angular/core';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import { getButton, getByRole, queryByRole, whenTextContains } from '../../testing/dom';
import { recordDownloads } from '../../testing/downloads';
import { ImageViewer } from './image-viewer';
import type { ViewerImage } from './viewer-image';

const IMAGES: ViewerImage[] = Array.from({ length: 9 }, (_, i) => ({
  url: `https://cdn.example.com/g/${i}.png`,
  thumbnailUrl: `https://cdn.example.com/g/${i}.thumb.png`,
  title: `Model ${i}`,
  fileName: `model-${i}.png`,
}));

@Component({
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ImageViewer],
  template: `
    <button type="button" id="opener" (click)="open.set(true)">Open</button>
    @if (open()) {
      <pp-image-viewer [images]="images()" [(index)]="index" (closed)="open.set(false)" />
    }
  `,
})
class Host {
  readonly images = signal(IMAGES);
  readonly index = signal(2);
  readonly open = signal(false);
}

describe('ImageViewer', () => {
  let fixture: ComponentFixture<Host>;
  let host: Host;

  const root = (): HTMLElement => fixture.nativeElement as HTMLElement;
  function query<T extends Element = HTMLElement>(selector: string): T | null {
    return root().querySelector<T>(selector);
  }
  function dialog(): HTMLElement | undefined {
    return queryByRole(root(), 'dialog');
  }
  function button(name: string): HTMLButtonElement {
    return getButton(getByRole(root(), 'dialog'), name);
  }
  function status(): string | undefined {
    return dialog()?.querySelector('[role="status"]')?.textContent?.trim();
  }
  function position(): string | undefined {
    return query('[data-testid="viewer-position"]')?.textContent?.trim();
  }
  async function press(key: string, options: KeyboardEventInit = {}): Promise<KeyboardEvent> {
    const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...options });
    (document.activeElement ?? document.body).dispatchEvent(event);
    await fixture.whenStable();
    return event;
  }
  async function click(element: HTMLElement): Promise<void> {
    element.click();
    await fixture.whenStable();
  }
  async function swipe(fromX: number, toX: number, dy = 0): Promise<void> {
    const stage = query('.stage') as HTMLElement;
    const touch = (type: string, x: number, y: number, touching: number): Event => {
      const event = new Event(type, { bubbles: true });
      const point = [{ clientX: x, clientY: y }];
      Object.defineProperties(event, {
        touches: { value: touching ? point : [] },
        changedTouches: { value: point },
      });
      return event;
    };
    stage.dispatchEvent(touch('touchstart', fromX, 100, 1));
    stage.dispatchEvent(touch('touchend', toX, 100 + dy, 0));
    await fixture.whenStable();
  }

  beforeEach(async () => {
    fixture = TestBed.createComponent(Host);
    host = fixture.componentInstance;
    await fixture.whenStable();
    const opener = getButton(root(), 'Open');
    opener.focus();
    await click(opener);
  });

  it('is a labelled modal dialog showing the position of the image', () => {
    expect(dialog()?.getAttribute('aria-modal')).toBe('true');
    expect(dialog()?.getAttribute('aria-label')).toBe('Image viewer');
    expect(position()).toBe('3 / 9');
    expect(query<HTMLImageElement>('img.full')?.getAttribute('src')).toBe(IMAGES[2].url);
    expect(query<HTMLImageElement>('img.full')?.alt).toBe('Model 2');
  });

  it('moves focus into the dialog and locks the page from scrolling', () => {
    expect(dialog()?.contains(document.activeElement)).toBe(true);
    expect(document.body.style.overflow).toBe('hidden');
  });

  it('pages with the arrow keys and the buttons, wrapping around at both ends', async () => {
    await press('ArrowRight');
    expect(position()).toBe('4 / 9');
    expect(host.index()).toBe(3);

    await press('ArrowLeft');
    await press('ArrowLeft');
    expect(position()).toBe('2 / 9');

    await click(button('Previous'));
    expect(position()).toBe('1 / 9');
    await click(button('Previous'));
    expect(position()).toBe('9 / 9');
    await click(button('Next'));
    expect(position()).toBe('1 / 9');
    expect(host.index()).toBe(0);
  });

  it('pages on horizontal swipes only', async () => {
    await swipe(300, 100);
    expect(position()).toBe('4 / 9');

    await swipe(100, 300);
    expect(position()).toBe('3 / 9');

    // Short, or more vertical than horizontal: a tap or a scroll.
    await swipe(300, 280);
    await swipe(300, 200, 150);
    expect(position()).toBe('3 / 9');
  });

  it('disables paging when there is only one image', async () => {
    host.images.set([IMAGES[0]]);
    host.index.set(0);
    await fixture.whenStable();

    expect(button('Previous').disabled).toBe(true);
    expect(button('Next').disabled).toBe(true);
    await press('ArrowRight');
    expect(position()).toBe('1 / 1');
  });

  it('shows the thumbnail until the full image has loaded, again for each image', async () => {
    expect(query<HTMLImageElement>('img:not(.full)')?.getAttribute('src')).toBe(IMAGES[2].thumbnailUrl);

    query('img.full')?.dispatchEvent(new Event('load'));
    await fixture.whenStable();
    expect(query('img:not(.full)')).toBeNull();
    expect(query('img.full')?.classList).toContain('loaded');

    await press('ArrowRight');
    expect(query<HTMLImageElement>('img:not(.full)')?.getAttribute('src')).toBe(IMAGES[3].thumbnailUrl);
    expect(query('img.full')?.classList).not.toContain('loaded');
  });

  it('keeps Tab and Shift+Tab inside the dialog', async () => {
    const buttons = Array.from(dialog()?.querySelectorAll('button') ?? []);
    const first = buttons[0];
    const last = buttons[buttons.length - 1];

    last.focus();
    const forward = await press('Tab');
    expect(forward.defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(first);

    await press('Tab', { shiftKey: true });
    expect(document.activeElement).toBe(last);
  });

  it('closes on Escape and gives focus back to the opener', async () => {
    await press('Escape');

    expect(dialog()).toBeUndefined();
    expect(document.activeElement?.id).toBe('opener');
    expect(document.body.style.overflow).toBe('');
  });

  it('closes with the Close button', async () => {
    await click(button('Close'));

    expect(dialog()).toBeUndefined();
    expect(document.activeElement?.id).toBe('opener');
  });

  describe('Copy link', () => {
    afterEach(() => {
      Reflect.deleteProperty(navigator, 'clipboard');
    });

    it('copies the URL of the shown image and says so in the dialog', async () => {
      const copied: string[] = [];
      // jsdom has no Clipboard API; this one records what a browser's would receive.
      Object.defineProperty(navigator, 'clipboard', {
        configurable: true,
        value: { writeText: async (text: string) => void copied.push(text) },
      });

      await click(button('Copy link'));

      expect(copied).toEqual([IMAGES[2].url]);
      expect(status()).toBe('Link copied');
    });

    it('copies an absolute address for an image the API links root-relative', async () => {
      const copied: string[] = [];
      Object.defineProperty(navigator, 'clipboard', {
        configurable: true,
        value: { writeText: async (text: string) => void copied.push(text) },
      });
      host.images.set(IMAGES.map((image) => ({ ...image, url: '/api/images/job-1/2-aurora.png' })));
      await fixture.whenStable();

      await click(button('Copy link'));

      expect(copied).toEqual(['http://localhost/api/images/job-1/2-aurora.png']);
    });

    it('explains when the browser offers no clipboard', async () => {
      await click(button('Copy link'));

      expect(status()).toContain('Copying is not possible in this browser');
    });
  });

  it('shows the image at 100% on request, and fitted again', async () => {
    await click(button('Actual size'));
    expect(button('Actual size').getAttribute('aria-pressed')).toBe('true');
    expect(query('[data-testid="viewer-stage"]')?.classList).toContain('actual');

    await click(button('Actual size'));
    expect(query('[data-testid="viewer-stage"]')?.classList).not.toContain('actual');
  });

  describe('Download', () => {
    const { saved, objectUrls } = recordDownloads();

    /** Waits for the dialog to say `text`: the download runs outside what whenStable() waits for. */
    async function statusSays(text: string): Promise<void> {
      await whenTextContains(getByRole(getByRole(root(), 'dialog'), 'status'), text);
      expect(status()).toBe(text);
    }

    it('saves the fetched image under its file name, once however often it is clicked', async () => {
      const requested: string[] = [];
      let respond: (response: Response) => void = () => undefined;
      globalThis.fetch = (url) => {
        requested.push(String(url));
        return new Promise<Response>((resolve) => (respond = resolve));
      };

      await click(button('Download'));
      expect(button('Download').getAttribute('aria-disabled')).toBe('true');
      await click(button('Download'));
      respond({ ok: true, status: 200, arrayBuffer: async () => new Uint8Array([1, 2, 3]).buffer } as Response);
      await statusSays('Downloaded model-2.png');

      expect(requested).toEqual([IMAGES[2].url]);
      expect(saved).toEqual([{ name: 'model-2.png', href: 'blob:https://pixel-prompt.test/0', hidden: true }]);
      expect(objectUrls.get('blob:https://pixel-prompt.test/0')?.size).toBe(3);
    });

    it('says so in the dialog when the image cannot be fetched', async () => {
      globalThis.fetch = async () => ({ ok: false, status: 403 }) as Response;

      await click(button('Download'));
      await statusSays('The image could not be downloaded. Check your connection and try again.');

      expect(saved).toEqual([]);
      expect(button('Download').getAttribute('aria-disabled')).toBe('false');
    });
  });
});
