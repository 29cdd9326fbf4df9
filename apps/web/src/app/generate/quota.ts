import { Injectable, signal } from '@angular/core';

/** localStorage key of the last quota the API reported: `{"remaining": n, "resetAt": epoch ms}`. */
export const QUOTA_KEY = 'pp.quota';

export interface QuotaState {
  /** Generations left in the tightest of the client's limits. */
  remaining: number;
  /** When that limit's window ends (epoch ms): the quota is unknown (and likely full) after it. */
  resetAt: number;
}

/**
 * The `RateLimit` header (draft-ietf-httpapi-ratelimit-headers): `"ip";r=49;t=86000` reports the
 * tightest limit, `r` requests left and `t` seconds until its window ends. Undefined when absent
 * (an allowlisted client has no limits) or unreadable.
 */
export function parseRateLimit(header: string | null, now = Date.now()): QuotaState | undefined {
  if (!header) return undefined;
  const remaining = /;\s*r=(\d+)/.exec(header)?.[1];
  const reset = /;\s*t=(\d+)/.exec(header)?.[1];
  if (remaining === undefined || reset === undefined) return undefined;
  return { remaining: Number(remaining), resetAt: now + Number(reset) * 1000 };
}

function stored(now: number): QuotaState | undefined {
  try {
    const value = JSON.parse(localStorage.getItem(QUOTA_KEY) ?? 'null') as Partial<QuotaState> | null;
    if (typeof value?.remaining === 'number' && typeof value.resetAt === 'number' && value.resetAt > now) {
      return { remaining: value.remaining, resetAt: value.resetAt };
    }
  } catch {
    // Unreadable or hand-edited: unknown, as before the first generation.
  }
  return undefined;
}

/**
 * How many generations the API still allows this client, from the RateLimit headers of the last
 * generation or retry (which count against the same limits). Kept in this browser until the
 * window ends, so a reload still shows it; unknown before the first generation.
 */
@Injectable({ providedIn: 'root' })
export class Quota {
  private readonly current = signal<QuotaState | undefined>(undefined);
  readonly state = this.current.asReadonly();
  private expiry: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.set(stored(Date.now()));
  }

  /** Takes what the answer's RateLimit header says, when it says anything. */
  read(headers: { get(name: string): string | null }): void {
    const state = parseRateLimit(headers.get('RateLimit'));
    if (!state) return;
    this.set(state);
    try {
      localStorage.setItem(QUOTA_KEY, JSON.stringify(state));
    } catch {
      // Full or disabled storage: the quota shows until the page is closed.
    }
  }

  private set(state: QuotaState | undefined): void {
    this.current.set(state);
    clearTimeout(this.expiry);
    // When the window ends the count starts afresh: forget it (a 24-day timer would overflow, so cap it).
    if (state) this.expiry = setTimeout(() => this.set(undefined), Math.min(state.resetAt - Date.now(), 2 ** 31 - 1));
  }
}
