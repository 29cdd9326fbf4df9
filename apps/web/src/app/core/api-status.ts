import { ChangeDetectionStrategy, Component, computed, inject, resource } from '@angular/core';
import type { ReadinessResponse } from '@pixel-prompt/contracts';
import { ApiClient } from './api-client';

/**
 * Whether the API (the gateway) is ready, checked once when the app starts. A 503 from
 * /health/ready still carries a ReadinessResponse body, but any failure means the same to a user.
 */
@Component({
  selector: 'pp-api-status',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<p class="status" [attr.data-state]="state()" aria-live="polite">{{ label() }}</p>`,
  styles: `
    .status {
      margin: 0;
    }
    .status[data-state='ready'] {
      color: var(--color-ok);
    }
    .status[data-state='unavailable'] {
      color: var(--color-bad);
    }
  `,
})
export class ApiStatus {
  private readonly api = inject(ApiClient);
  private readonly readiness = resource({
    loader: ({ abortSignal }) => this.api.get<ReadinessResponse>('/health/ready', { signal: abortSignal }),
  });

  protected readonly state = computed(() => {
    if (this.readiness.isLoading()) return 'checking';
    return this.readiness.hasValue() && this.readiness.value().status === 'ok' ? 'ready' : 'unavailable';
  });

  protected readonly label = computed(() => {
    const state = this.state();
    return state === 'checking' ? 'API: checking…' : `API: ${state}`;
  });
}
