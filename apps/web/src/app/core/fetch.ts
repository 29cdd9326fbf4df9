import { InjectionToken } from '@angular/core';

/** The part of a fetch answer the app reads; jsdom has no Response, so unit tests build their own. */
export interface FetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export type Fetch = (url: string, init?: RequestInit) => Promise<FetchResponse>;

/**
 * The browser's fetch, as a token so unit tests answer requests themselves. The app uses fetch
 * directly rather than Angular's HttpClient: HttpClient would add about 9 KB (gzipped) to the
 * initial bundle, which has to stay under 80 KB.
 */
export const FETCH = new InjectionToken<Fetch>('FETCH', {
  providedIn: 'root',
  factory: () => (url, init) => fetch(url, init),
});
