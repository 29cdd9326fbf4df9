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
    destination,
  );
}
