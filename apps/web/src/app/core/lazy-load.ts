import { DOCUMENT, Injectable, inject, signal } from '@angular/core';
import { type NavigationError, Router } from '@angular/router';
import { Connectivity } from './connectivity';

/** Browsers word a failed `import()` differently: Chromium, Safari and Firefox, in that order. */
const CHUNK_FAILURE = /Failed to fetch dynamically imported module|Importing a module script failed|error loading dynamically imported module/i;

/** Whether `error` is a lazy chunk (a page's code) that could not be loaded: a connection problem, not a bug. */
export function isChunkLoadError(error: unknown): boolean {
  return error instanceof Error && CHUNK_FAILURE.test(error.message);
}

/**
 * A page whose code could not be loaded (the connection dropped, or a new release replaced the
 * chunk): the shell says so instead of doing nothing, and it tries again when the connection
 * returns or on Try again. Browsers may remember a failed `import()` for the page's life, so a
 * second failure while online loads the page afresh from the server.
 */
@Injectable({ providedIn: 'root' })
export class LazyLoadFailure {
  private readonly router = inject(Router);
  private readonly location = inject(DOCUMENT).location;
  private readonly failed = signal<string | undefined>(undefined);
  /** The address of the page that could not be loaded; undefined when all is well. */
  readonly url = this.failed.asReadonly();
  private retried = false;

  constructor() {
    inject(Connectivity).watch((online) => online && this.retry());
  }

  /** The router's navigation error handler: takes chunk failures, leaves every other error as it is. */
  handle(error: NavigationError): void {
    if (!isChunkLoadError(error.error)) return;
    if (this.retried && this.failed() === error.url && navigator.onLine) {
      this.location.assign(error.url);
      return;
    }
    this.failed.set(error.url);
  }

  retry(): void {
    const url = this.failed();
    if (!url) return;
    this.retried = true;
    void this.router.navigateByUrl(url).then((loaded) => {
      if (!loaded) return;
      this.failed.set(undefined);
      this.retried = false;
    });
  }
}
