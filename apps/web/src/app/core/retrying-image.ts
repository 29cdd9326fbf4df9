import { DestroyRef, Directive, ElementRef, inject } from '@angular/core';
import { Connectivity } from './connectivity';

/**
 * An <img> that failed to load (the connection dropped) loads again when the connection returns.
 * Browsers do not retry broken images by themselves, and a failed load is not cached, so setting
 * its sources afresh fetches them again.
 */
@Directive({
  selector: 'img[ppRetryingImage]',
  host: { '(error)': 'broken = true', '(load)': 'broken = false' },
})
export class RetryingImage {
  protected broken = false;

  constructor() {
    const image = inject<ElementRef<HTMLImageElement>>(ElementRef).nativeElement;
    const stop = inject(Connectivity).watch((online) => {
      if (!online || !this.broken) return;
      const { src, srcset } = image;
      image.removeAttribute('srcset');
      image.removeAttribute('src');
      if (srcset) image.srcset = srcset;
      image.src = src;
    });
    inject(DestroyRef).onDestroy(stop);
  }
}
