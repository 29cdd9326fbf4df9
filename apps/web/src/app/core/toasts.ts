import { Injectable, signal } from '@angular/core';
import type { ApiProblem } from './api-error';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  message: string;
  /** Offered as a "Retry" button; only for problems where trying again may work, and only once it can. */
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

  /**
   * An API problem in its friendly words, with the reference a server error carries. `retry` is
   * offered only when the problem is retryable, and for a rate limit not before its time has come.
   */
  problem(problem: ApiProblem, retry?: () => void): void {
    const reference = problem.correlationId ? ` (Reference: ${problem.correlationId})` : '';
    const offered = problem.retryable ? retry : undefined;
    const wait = problem.retryAt === undefined ? 0 : problem.retryAt - Date.now();
    const toast = this.add({ kind: 'error', message: problem.message + reference, retry: wait > 0 ? undefined : offered });
    if (offered && wait > 0) {
      setTimeout(() => this.list.update((toasts) => toasts.map((t) => (t.id === toast.id ? { ...t, retry: offered } : t))), wait);
    }
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
