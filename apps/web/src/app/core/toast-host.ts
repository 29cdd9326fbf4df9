import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { type Toast, Toasts } from './toasts';

/** Shows the app's toasts; lives in the shell so notifications survive navigation. */
@Component({
  selector: 'pp-toast-host',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="toasts" role="region" aria-label="Notifications">
      @for (toast of toasts.toasts(); track toast.id) {
        <div class="toast" [attr.data-kind]="toast.kind" [attr.role]="toast.kind === 'error' ? 'alert' : 'status'">
          <p class="message">{{ toast.message }}</p>
          @if (toast.retry) {
            <button type="button" (click)="retry(toast)">Retry</button>
          }
          <button type="button" class="dismiss" aria-label="Dismiss notification" (click)="toasts.dismiss(toast.id)">
            ×
          </button>
        </div>
      }
    </div>
  `,
  styles: `
    .toasts {
      position: fixed;
      z-index: 30;
      right: var(--space);
      bottom: var(--space);
      left: var(--space);
      display: flex;
      flex-direction: column;
      align-items: flex-end;
      gap: 0.5rem;
      pointer-events: none;
    }
    .toast {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      width: min(28rem, 100%);
      padding: 0.5rem 0.5rem 0.5rem 1rem;
      border: 1px solid var(--color-border);
      border-left: 4px solid var(--color-accent);
      border-radius: 0.5rem;
      background: var(--color-surface);
      box-shadow: 0 4px 16px rgb(0 0 0 / 0.2);
      pointer-events: auto;
    }
    .toast[data-kind='error'] {
      border-left-color: var(--color-bad);
    }
    .message {
      flex: 1;
      margin: 0;
    }
    .dismiss {
      font-size: 1.25rem;
    }
  `,
})
export class ToastHost {
  protected readonly toasts = inject(Toasts);

  protected retry(toast: Toast): void {
    this.toasts.dismiss(toast.id);
    toast.retry?.();
  }
}
