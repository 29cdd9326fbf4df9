import { DOCUMENT, Directive, ElementRef, type OnDestroy, type OnInit, inject, output } from '@angular/core';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * Makes its element a modal dialog for keyboard and screen-reader users: focus moves in when it
 * opens, Tab cycles inside it, Esc asks to close it, and focus returns to the opener when it goes.
 * Give the element an aria-label; render it inside `@if` and remove it on `closeRequested`.
 */
@Directive({
  selector: '[ppDialog]',
  host: { role: 'dialog', 'aria-modal': 'true', tabindex: '-1', '(keydown)': 'onKeydown($event)' },
})
export class Dialog implements OnInit, OnDestroy {
  private readonly element = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;
  private readonly document = inject(DOCUMENT);
  private opener: HTMLElement | null = null;

  /** Esc was pressed inside the dialog. */
  readonly closeRequested = output<void>();

  ngOnInit(): void {
    const active = this.document.activeElement;
    this.opener = active instanceof HTMLElement ? active : null;
    (this.focusables()[0] ?? this.element).focus();
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
    if (focusables.length === 0) {
      event.preventDefault();
      return;
    }
    const first = focusables[0]!;
    const last = focusables[focusables.length - 1]!;
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
