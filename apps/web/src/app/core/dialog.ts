import { DOCUMENT, Directive, ElementRef, type OnDestroy, afterNextRender, inject, output } from '@angular/core';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * Makes its element a modal dialog for keyboard and screen-reader users: focus moves in when it
 * opens (to the control marked `data-initial-focus`, else the first one), Tab cycles inside it, Esc
 * asks to close it, and focus returns to the opener when it goes.
 * Give the element an aria-label; render it inside `@if` and remove it on `closeRequested`.
 */
@Directive({
  selector: '[ppDialog]',
  host: { role: 'dialog', 'aria-modal': 'true', tabindex: '-1', '(keydown)': 'onKeydown($event)' },
})
export class Dialog implements OnDestroy {
  private readonly element = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;
  private readonly document = inject(DOCUMENT);
  /** What had focus when the dialog was created: it gets focus back when the dialog goes. */
  private readonly opener: HTMLElement | null;

  /** Esc was pressed inside the dialog. */
  readonly closeRequested = output<void>();

  constructor() {
    const active = this.document.activeElement;
    this.opener = active instanceof HTMLElement ? active : null;
    // After rendering, not in ngOnInit: content inside @if and @for blocks does not exist until then.
    afterNextRender({
      write: () => {
        const initial = this.element.querySelector<HTMLElement>('[data-initial-focus]') ?? this.focusables()[0];
        (initial ?? this.element).focus();
      },
    });
  }

  ngOnDestroy(): void {
    if (this.opener?.isConnected) this.opener.focus();
  }

  protected onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.closeRequested.emit();
      return;
    }
    if (event.key !== 'Tab') return;
    const focusables = this.focusables();
    const first = focusables[0];
    const last = focusables[focusables.length - 1];
    if (!first || !last) {
      // Nothing to move to: focus stays on the dialog itself.
      event.preventDefault();
      return;
    }
    const active = this.document.activeElement;
    if (event.shiftKey && (active === first || active === this.element)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  }

  private focusables(): HTMLElement[] {
    return [...this.element.querySelectorAll<HTMLElement>(FOCUSABLE)];
  }
}
