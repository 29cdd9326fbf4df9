import { Injectable, PendingTasks, inject, signal } from '@angular/core';
import type { ReadinessResponse } from '@pixel-prompt/contracts';
import { Connectivity } from './connectivity';
import { FETCH } from './fetch';
import { RuntimeConfig } from './runtime-config';

/** `offline`: the browser has no connection; `unavailable`: the API does not answer or is not ready. */
export type ApiState = 'checking' | 'ready' | 'unavailable' | 'offline';

/** What the footer's indicator says in each state. */
export const API_STATE_LABELS: Record<ApiState, string> = {
  checking: 'API: checking…',
  ready: 'API: ready',
  unavailable: 'API: unavailable',
  offline: 'API: offline (no connection)',
};

/** While the API is not ready it is asked again this often, so the indicator recovers by itself. */
export const RECHECK_MS = 15_000;

/**
 * Whether the API (the gateway) can be used right now, for the footer's indicator. Once started (by
 * the shell) it asks /health/ready, again whenever the connection returns and, while not ready,
 * every RECHECK_MS; in between, every API call reports what it met (ApiClient), so a dropped
 * connection shows at once and no polling runs while all is well.
 */
@Injectable({ providedIn: 'root' })
export class ApiHealth {
  private readonly fetch = inject(FETCH);
  private readonly config = inject(RuntimeConfig);
  private readonly pendingTasks = inject(PendingTasks);
  private readonly connectivity = inject(Connectivity);
  private readonly current = signal<ApiState>('checking');
  readonly state = this.current.asReadonly();
  private recheck: ReturnType<typeof setTimeout> | undefined;
  private checking = false;
  private started = false;

  constructor() {
    this.connectivity.watch((online) => (online ? void this.check() : this.settle('offline')));
  }

  /** Starts watching: the first check. Later calls do nothing. */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.check();
  }

  /**
   * What an API call met: an answer below 500 means the API is up; no answer, or a server error
   * (a proxy's 502 or 503 when the gateway is away), sends the indicator to check for itself.
   */
  report(status: number): void {
    if (status > 0 && status < 500) this.settle('ready');
    else void this.check();
  }

  /** Asks /health/ready now (one request at a time); nothing before start(). */
  async check(): Promise<void> {
    if (!this.started || this.checking) return;
    if (!this.connectivity.online()) return this.settle('offline');
    this.checking = true;
    const done = this.pendingTasks.add();
    try {
      const response = await this.fetch(this.config.apiUrl('/health/ready'), { headers: { Accept: 'application/json' }, cache: 'no-store' });
      const body = JSON.parse(await response.text()) as ReadinessResponse;
      this.settle(response.ok && body.status === 'ok' ? 'ready' : 'unavailable');
    } catch {
      this.settle(this.connectivity.online() ? 'unavailable' : 'offline');
    } finally {
      this.checking = false;
      done();
    }
  }

  private settle(state: ApiState): void {
    this.current.set(state);
    clearTimeout(this.recheck);
    if (state === 'unavailable' && this.started) this.recheck = setTimeout(() => void this.check(), RECHECK_MS);
  }
}
