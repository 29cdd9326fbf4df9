import { TestBed } from '@angular/core/testing';
import { FETCH, type Fetch, type FetchResponse } from '../app/core/fetch';

/** One request the code under test sent, waiting for the test to answer it. */
export class PendingRequest {
  private settled = false;

  constructor(
    readonly url: string,
    readonly init: RequestInit,
    private readonly resolve: (response: FetchResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    init.signal?.addEventListener('abort', () => this.settle(() => reject(new DOMException('Aborted', 'AbortError'))));
  }

  get method(): string {
    return this.init.method ?? 'GET';
  }

  header(name: string): string | undefined {
    const headers = (this.init.headers ?? {}) as Record<string, string>;
    return Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  }

  /** The JSON body that was sent. */
  body(): unknown {
    return typeof this.init.body === 'string' ? (JSON.parse(this.init.body) as unknown) : undefined;
  }

  /** Answers with `body` (JSON unless a string) and the given status and headers. */
  flush(body: unknown, status = 200, headers: Record<string, string> = {}): void {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const lower = new Map(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
    this.settle(() =>
      this.resolve({
        ok: status >= 200 && status < 300,
        status,
        headers: { get: (name) => lower.get(name.toLowerCase()) ?? null },
        text: () => Promise.resolve(text),
      }),
    );
  }

  /** Fails the way fetch does when no answer arrives (network down, CORS refused). */
  fail(): void {
    this.settle(() => this.reject(new TypeError('Failed to fetch')));
  }

  get isSettled(): boolean {
    return this.settled;
  }

  private settle(action: () => void): void {
    if (this.settled) return;
    this.settled = true;
    action();
  }
}

/**
 * Stands in for the browser's fetch (jsdom has none): every request waits until the test answers
 * it. Like Angular's HttpTestingController, a request is the test's once matched, and verify()
 * fails for requests the test never looked at.
 */
export class FakeFetch {
  private unmatched: PendingRequest[] = [];
  private readonly waiting = new Set<() => void>();

  readonly fetch: Fetch = (url, init = {}) =>
    new Promise((resolve, reject) => {
      this.unmatched.push(new PendingRequest(url, init, resolve, reject));
      for (const wake of [...this.waiting]) wake();
    });

  /**
   * Resolves once `count` open requests to `url` have arrived: for code that sends them after work
   * the app's stability does not cover (a lazily loaded chunk), checked on every request, no timer.
   */
  arrived(url: string, count = 1): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.open().filter((request) => request.url === url).length < count) return;
        this.waiting.delete(check);
        resolve();
      };
      this.waiting.add(check);
      check();
    });
  }

  /** Takes the open requests sent to `url` (or passing the predicate) that no earlier call took. */
  match(url: string | ((request: PendingRequest) => boolean)): PendingRequest[] {
    const matches = typeof url === 'string' ? (request: PendingRequest) => request.url === url : url;
    const found = this.unmatched.filter((request) => !request.isSettled && matches(request));
    this.unmatched = this.unmatched.filter((request) => !found.includes(request));
    return found;
  }

  /** The one unanswered request to `url`; fails the test if there is none or more than one. */
  expectOne(url: string | ((request: PendingRequest) => boolean)): PendingRequest {
    const found = this.match(url);
    if (found.length !== 1) {
      this.unmatched.push(...found);
      throw new Error(`Expected one request to ${String(url)}, found ${found.length}; open: ${this.describeOpen()}`);
    }
    return found[0] as PendingRequest;
  }

  /** Fails the test if a request was sent that the test never matched. */
  verify(): void {
    if (this.open().length > 0) throw new Error(`Requests the test never matched: ${this.describeOpen()}`);
  }

  private open(): PendingRequest[] {
    return this.unmatched.filter((request) => !request.isSettled);
  }

  private describeOpen(): string {
    return (
      this.open()
        .map((request) => `${request.method} ${request.url}`)
        .join(', ') || 'none'
    );
  }
}

/** Installs a FakeFetch as the app's fetch in the current TestBed and returns it. */
export function provideFakeFetch(): FakeFetch {
  const fake = new FakeFetch();
  TestBed.configureTestingModule({ providers: [{ provide: FETCH, useValue: fake.fetch }] });
  return fake;
}
