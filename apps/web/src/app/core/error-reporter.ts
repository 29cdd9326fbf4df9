import { DOCUMENT, type ErrorHandler, Injectable, Injector, inject } from '@angular/core';
import { ApiClient, ApiFailure } from './api-client';
import { RuntimeConfig } from './runtime-config';

/** At most this many reports leave one page per minute, so an error in a loop cannot flood the API. */
export const REPORTS_PER_MINUTE = 5;
const MINUTE_MS = 60_000;

/** The fields POST /log accepts (see the gateway's logRequestSchema), cut to its limits. */
interface LogReport {
  level: 'error';
  message: string;
  stack?: string;
  url: string;
  userAgent: string;
  correlationId?: string;
}

function describe(error: unknown): { message: string; stack?: string; correlationId?: string } {
  if (error instanceof ApiFailure) return { message: error.message, correlationId: error.correlationId };
  if (error instanceof Error) return { message: `${error.name}: ${error.message}`, stack: error.stack };
  return { message: String(error) };
}

/**
 * Reports uncaught errors to POST /log, so problems users meet show up in the server logs (under
 * the failed request's correlation id when there is one), and still logs them to the console. The
 * same error is reported once per page life; reporting never throws, or it would report itself.
 */
@Injectable()
export class ReportingErrorHandler implements ErrorHandler {
  // The API client is looked up when first needed: the ErrorHandler is created before the app is ready.
  private readonly injector = inject(Injector);
  private readonly document = inject(DOCUMENT);
  private readonly reported = new Set<string>();
  private recent: number[] = [];

  handleError(error: unknown): void {
    console.error(error);
    try {
      this.report(error);
    } catch (failure) {
      console.error('Could not report the error', failure);
    }
  }

  private report(error: unknown): void {
    // Before config.json is loaded there is no API to report to; the console has it.
    if (!this.injector.get(RuntimeConfig).isLoaded()) return;
    const { message, stack, correlationId } = describe(error);
    const key = `${message}\n${stack ?? ''}`;
    const now = Date.now();
    this.recent = this.recent.filter((at) => now - at < MINUTE_MS);
    if (this.reported.has(key) || this.recent.length >= REPORTS_PER_MINUTE) return;
    this.reported.add(key);
    this.recent.push(now);

    const body: LogReport = {
      level: 'error',
      message: message.slice(0, 2000) || 'Unknown error',
      url: this.document.location.href.slice(0, 2000),
      userAgent: navigator.userAgent.slice(0, 500),
    };
    if (stack) body.stack = stack.slice(0, 6000);
    if (correlationId) body.correlationId = correlationId.slice(0, 100);
    this.injector
      .get(ApiClient)
      .post('/log', body)
      .catch((failure: unknown) => console.warn('Could not report the error', failure));
  }
}
