import { ChangeDetectionStrategy, Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { RetryingImage } from './retrying-image';

@Component({
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RetryingImage],
  template: `<img ppRetryingImage src="/api/images/a.tile.webp" srcset="/api/images/a.tile.webp 288w, /api/images/a.tile2x.webp 576w" alt="" />`,
})
class Host {}

describe('RetryingImage', () => {
  /** The sources each time the image was (re)started: jsdom loads nothing, so the test records the writes. */
  let starts: string[];

  beforeEach(() => {
    starts = [];
    const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'src');
    jest.spyOn(HTMLImageElement.prototype, 'src', 'set').mockImplementation(function (this: HTMLImageElement, value: string) {
      starts.push(value);
      src?.set?.call(this, value);
    });
  });

  afterEach(() => jest.restoreAllMocks());

  async function render(): Promise<HTMLImageElement> {
    const fixture = TestBed.createComponent(Host);
    await fixture.whenStable();
    return (fixture.nativeElement as HTMLElement).querySelector('img') as HTMLImageElement;
  }

  it('loads a broken image again, with its srcset, when the connection returns', async () => {
    const image = await render();
    image.dispatchEvent(new Event('error'));
    window.dispatchEvent(new Event('online'));

    expect(starts).toEqual(['http://localhost/api/images/a.tile.webp']);
    expect(image.getAttribute('srcset')).toBe('/api/images/a.tile.webp 288w, /api/images/a.tile2x.webp 576w');
  });

  it('leaves an image that loaded alone', async () => {
    const image = await render();
    image.dispatchEvent(new Event('error'));
    image.dispatchEvent(new Event('load'));
    window.dispatchEvent(new Event('offline'));
    window.dispatchEvent(new Event('online'));

    expect(starts).toEqual([]);
  });
});
