import { DOCUMENT, DestroyRef, inject } from '@angular/core';

/**
 * Stops the page behind a full-screen dialog from scrolling until the calling component is
 * destroyed; swipes and wheel turns then act on the dialog only. Call from a constructor.
 */
export function lockBodyScroll(): void {
  const body = inject(DOCUMENT).body;
  const overflowBefore = body.style.overflow;
  body.style.overflow = 'hidden';
  inject(DestroyRef).onDestroy(() => {
    body.style.overflow = overflowBefore;
  });
}
