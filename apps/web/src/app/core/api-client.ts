import { Injectable, PendingTasks, inject } from '@angular/core';
import { CORRELATION_ID_HEADER, isErrorBody } from '@pixel-prompt/contracts';
import { ApiHealth } from './api-health';
import { FETCH, type FetchResponse } from './fetch';
import { RuntimeConfig } from './runtime-config';

/** An API request that failed: `status` 0 when no answer arrived, else the answer's status and parsed body. */
export class ApiFailure extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly body: unknown,
    /** The Retry-After header, when the answer had one. */
    readonly retryAfter: string | null = null,
    /** The request's id in the server logs: the one the answer names, else the one sent. */
    readonly correlationId?: string,
  ) {
    super(status === 0 ? `No answer from ${url}` : `HTTP ${status} from ${url}`);
    this.name = 'ApiFailure';
  }
}

interface RequestOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  cache?: RequestCache;
  /** Sees the answer's headers, successful or not (the RateLimit headers of a refusal too). */
  readHeaders?: (headers: FetchResponse['headers']) => void;
}

/** A JSON body when there is one; an empty or non-JSON body (a proxy's HTML error page) is kept as text. */
function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * The one way the app calls the API: paths are resolved against the configured base URL, JSON goes
 * both ways, every request carries its own correlation id (so a problem a user reports can be found
 * in the server logs), and every failure rejects with an ApiFailure. Aborted requests reject with
 * the AbortError as it is, so callers can tell "stopped" from "failed". What each request met is
 * reported to ApiHealth, which keeps the footer's indicator true.
 */
@Injectable({ providedIn: 'root' })
export class ApiClient {
  private readonly fetch = inject(FETCH);
  private readonly config = inject(RuntimeConfig);
  private readonly pendingTasks = inject(PendingTasks);
  private readonly health = inject(ApiHealth);

  get<T>(path: `/${string}`, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, undefined, options);
  }

  post<T>(path: `/${string}`, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, body, options);
  }

  private async request<T>(method: string, path: `/${string}`, body: unknown, options: RequestOptions): Promise<T> {
    const url = this.config.apiUrl(path);
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    // crypto.randomUUID exists only in secure contexts (HTTPS, localhost). Without it the gateway
    // assigns an id itself, which it still logs and returns in the response header.
    const sentId = typeof globalThis.crypto?.randomUUID === 'function' ? crypto.randomUUID() : undefined;
    if (sentId) headers[CORRELATION_ID_HEADER] = sentId;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const init: RequestInit = { method, headers, signal: options.signal, cache: options.cache };
    if (body !== undefined) init.body = JSON.stringify(body);

    let response: FetchResponse;
    let text: string;
    // A request in flight keeps the app "unstable", as HttpClient's do: whenStable() waits for it.
    const done = this.pendingTasks.add();
    try {
      response = await this.fetch(url, init);
      text = await response.text();
    } catch (error) {
      if (options.signal?.aborted) throw error;
      this.health.report(0);
      throw new ApiFailure(url, 0, undefined, null, sentId);
    } finally {
      done();
    }
    this.health.report(response.status);
    options.readHeaders?.(response.headers);
    const parsed = parseBody(text);
    if (response.ok) return parsed as T;
    const correlationId =
      (isErrorBody(parsed) && parsed.correlationId) || response.headers.get(CORRELATION_ID_HEADER) || sentId;
    throw new ApiFailure(url, response.status, parsed, response.headers.get('Retry-After'), correlationId);
  }
}
