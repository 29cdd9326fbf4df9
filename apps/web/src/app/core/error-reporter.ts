import { DOCUMENT, type ErrorHandler, Injectable, Injector, PendingTasks, inject } from '@angular/core';
import { ApiClient } from './api-client';
import type { ErrorReports } from './error-reports';
import { isChunkLoadError } from './lazy-load';
import { RuntimeConfig } from './runtime-config';

/**
 * Reports uncaught errors to POST /log (ErrorReports, a lazy chunk loaded at the first error), so
 * problems users meet show up in the server logs under the failed request's correlation id when
 * there is one, and still logs them to the console. Reporting never throws, or it would report
 * itself. Nothing is sent while offline (it could not arrive), nor for page code that failed to
 * load: that is the connection, not a fault, and the page says so itself (LazyLoadFailure).
 */
@Injectable()
export class ReportingErrorHandler implements ErrorHandler {
  // Looked up when first needed: the ErrorHandler is created before the app is ready.
  private readonly injector = inject(Injector);
  private readonly document = inject(DOCUMENT);
  private reports: Promise<ErrorReports> | undefined;

  handleError(error: unknown): void {
    console.error(error);
    // Before config.json is loaded there is no API to report to; the console has it.
    if (!this.injector.get(RuntimeConfig).isLoaded()) return;
    if (isChunkLoadError(error) || this.document.defaultView?.navigator.onLine === false) return;
    const done = this.injector.get(PendingTasks).add();
    this.reports ??= import('./error-reports').then(({ ErrorReports }) => new ErrorReports(this.injector.get(ApiClient), this.document));
    this.reports
      .then((reports) => reports.report(error))
      .catch((failure: unknown) => {
        // Offline before the reporter ever loaded: try to load it again next time.
        this.reports = undefined;
        console.error('Could not report the error', failure);
      })
      .finally(done);
  }
}
