import { type ApiClient, ApiFailure } from './api-client';

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
 * What the error handler sends to POST /log: the same error once per page life, and at most
 * REPORTS_PER_MINUTE a minute, so an error in a loop cannot flood the API. A lazy chunk: it is
 * needed only once something has gone wrong.
 */
export class ErrorReports {
  private readonly reported = new Set<string>();
  private recent: number[] = [];

  constructor(
    private readonly api: ApiClient,
    private readonly document: Document,
  ) {}

  report(error: unknown): void {
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
    this.api.post('/log', body).catch((failure: unknown) => console.warn('Could not report the error', failure));
  }
}
