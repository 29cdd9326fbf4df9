import { DOCUMENT, Injectable, inject, signal } from '@angular/core';

/**
 * Whether the browser says it is online, and a way to act when that changes (retry what failed
 * while the connection was gone). `navigator.onLine` false is certain; true only means "not known
 * to be offline", so the API's own answers decide whether the API is reachable (ApiHealth).
 */
@Injectable({ providedIn: 'root' })
export class Connectivity {
  private readonly window = inject(DOCUMENT).defaultView;
  private readonly state = signal(this.window?.navigator.onLine ?? true);
  private readonly listeners = new Set<(online: boolean) => void>();
  readonly online = this.state.asReadonly();

  constructor() {
    for (const online of [true, false]) {
      this.window?.addEventListener(online ? 'online' : 'offline', () => {
        this.state.set(online);
        for (const listener of [...this.listeners]) listener(online);
      });
    }
  }

  /** Calls `listener` each time the connection goes or returns; returns the function that stops it. */
  watch(listener: (online: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
