import { Injectable, signal } from '@angular/core';
import type { ApiProblem } from './api-error';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  message: string;
  /** Offered as a "Retry" button; only for problems where trying again may work. */
  retry?: () => void;
}

/** Info toasts go away by themselves; errors stay until dismissed or retried, so none is missed. */
export const INFO_TOAST_MS = 5000;
/** Older toasts are dropped beyond this, so a burst of failures cannot fill the screen. */
const MAX_TOASTS = 4;

/** The app's notifications, shown by the ToastHost in the shell. */
@Injectable({ providedIn: 'root' })
export class Toasts {
  private readonly list = signal<Toast[]>([]);
  private nextId = 1;
  readonly toasts = this.list.asReadonly();

  info(message: string): void {
    const toast = this.add({ kind: 'info', message });
    setTimeout(() => this.dismiss(toast.id), INFO_TOAST_MS);
  }

  /** An API problem in its friendly words; `retry` is offered only when the problem is retryable. */
  problem(problem: ApiProblem, retry?: () => void): void {
    const reference = problem.correlationId ? ` (Reference: ${problem.correlationId})` : '';
    this.add({ kind: 'error', message: problem.message + reference, retry: problem.retryable ? retry : undefined });
  }

  dismiss(id: number): void {
    this.list.update((toasts) => toasts.filter((toast) => toast.id !== id));
  }

  private add(fields: Omit<Toast, 'id'>): Toast {
    const toast = { id: this.nextId++, ...fields };
    this.list.update((toasts) => [...toasts, toast].slice(-MAX_TOASTS));
    return toast;
  }
}
