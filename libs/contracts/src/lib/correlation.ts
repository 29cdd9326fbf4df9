/** Request header carrying the correlation id in both directions. */
export const CORRELATION_ID_HEADER = 'X-Correlation-ID';

/**
 * Ids chosen by clients end up in every log line, so only short, plain tokens are accepted;
 * anything else is replaced by a server-generated id rather than trusted.
 */
const CORRELATION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isValidCorrelationId(value: unknown): value is string {
  return typeof value === 'string' && CORRELATION_ID_PATTERN.test(value);
}
