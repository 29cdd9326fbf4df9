import pino, { type DestinationStream, type Logger } from 'pino';
import { currentCorrelationId } from './correlation';

export type { Logger } from 'pino';

export interface LoggerOptions {
  service: string;
  level: string;
  version: string;
  /** Where lines go; standard output when omitted. */
  destination?: DestinationStream;
}

/** Lines waiting for standard output beyond this are dropped rather than held in memory. */
export const LOG_BUFFER_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Standard output, written asynchronously: lines logged while a write is under way go out together
 * with the next one, and a full pipe (a log collector falling behind) is retried later. Written
 * synchronously, as pino does by default, each line was a system call of its own, and a full pipe
 * made the process sleep 100 ms at a time, serving nothing (docs/PERFORMANCE.md). Nothing waits
 * for a quiet moment: a line goes out as soon as no write is under way, and pino flushes what is
 * left when the process exits. `minLength: 1` rather than 0: with 0, sonic-boom calls a flush's
 * callback at once even with a write in flight (exitWhenLogged needs it to wait); every line is
 * longer than a byte, so each still goes out as soon as no write is under way.
 */
function standardOutput(): DestinationStream {
  return pino.destination({ dest: 1, sync: false, minLength: 1, maxLength: LOG_BUFFER_MAX_BYTES });
}

/**
 * Exits with `code` once every line logged so far is written. Exiting with a write in flight lets
 * pino's exit flush write the lines after it first, so the last lines came out of order. A
 * standard output that takes nothing more (a stuck collector) delays the exit by a second at most.
 */
export function exitWhenLogged(logger: Logger, code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 1000).unref();
  logger.flush(() => process.exit(code));
}

/**
 * One JSON object per line, ISO timestamps, textual levels, and the correlation id of the request or
 * job being served on every line written inside one.
 */
export function createLogger({ service, level, version, destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service, version, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const correlationId = currentCorrelationId();
        return correlationId ? { correlationId } : {};
      },
      redact: {
        paths: ['headers.authorization', 'headers.cookie', '*.apiKey', '*.password', '*.secret', '*.token'],
        censor: '[redacted]',
      },
    },
    destination ?? standardOutput(),
  );
}
