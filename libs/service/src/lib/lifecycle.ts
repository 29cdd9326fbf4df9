import { Injectable } from '@nestjs/common';

/**
 * Whether the process is draining. Readiness turns 503 as soon as it is, so load balancers move on;
 * long-lived responses (event streams) register to be ended, so that the HTTP server can close.
 */
@Injectable()
export class Lifecycle {
  private draining = false;
  private readonly listeners = new Set<() => void>();

  get shuttingDown(): boolean {
    return this.draining;
  }

  beginShutdown(): void {
    this.draining = true;
    for (const listener of this.listeners) listener();
  }

  /** Calls `listener` when draining starts; returns the function that unregisters it. */
  onShutdown(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
