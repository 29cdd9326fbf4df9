import { ApiFailure } from './api-client';
import { retryIn, toApiProblem, whenRetryable } from './api-error';

// The correlation id as ApiClient finds it: the one the error body names.
const apiError = (status: number, body: unknown, retryAfter: string | null = null) =>
  new ApiFailure('/api/x', status, body, retryAfter, (body as { correlationId?: string } | undefined)?.correlationId ?? 'sent-id');

const NOW = Date.parse('2026-11-23T08:00:00Z');

describe('toApiProblem', () => {
  it('says when a rate-limited request can be retried, from the body or the Retry-After header', () => {
    const fromBody = toApiProblem(
      apiError(429, { error: 'RATE_LIMIT_EXCEEDED', message: 'x', correlationId: 'c1', retryAfter: 42 }),
      NOW,
    );
    expect(fromBody).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', retryAt: NOW + 42_000, retryable: true });
    expect(fromBody.message).toContain('in 42 seconds');

    const fromHeader = toApiProblem(apiError(429, { error: 'RATE_LIMIT_EXCEEDED', message: 'x', correlationId: 'c2' }, '600'), NOW);
    expect(fromHeader.message).toContain('in 10 minutes');
  });

  it('names the time of day for a long wait, such as the daily limit', () => {
    const problem = toApiProblem(
      apiError(429, { error: 'RATE_LIMIT_EXCEEDED', message: 'x', correlationId: 'c1', retryAfter: 11 * 3600 }),
      NOW,
    );
    expect(problem.message).toMatch(/try again at .+ \(in about 11 hours\)\.$/);
    expect(problem.retryAt).toBe(NOW + 11 * 3600 * 1000);
  });

  it('explains a refused prompt instead of showing the code, and says what to do', () => {
    const problem = toApiProblem(apiError(400, { error: 'INAPPROPRIATE_CONTENT', message: 'x', correlationId: 'c' }));
    expect(problem.message).toContain('content policy');
    expect(problem.message).toContain('Rephrase');
    expect(problem.message).not.toContain('INAPPROPRIATE_CONTENT');
    expect(problem.retryable).toBe(false);
  });

  it('treats no answer at all as the network being down, and offers a retry', () => {
    expect(toApiProblem(apiError(0, undefined))).toEqual({ code: 'NETWORK', message: expect.stringContaining('connection'), retryable: true });
  });

  it('gives a reference only for server errors: user errors and a lost connection are not for reporting', () => {
    const server = toApiProblem(apiError(500, { error: 'INTERNAL_ERROR', message: 'db exploded', correlationId: 'c-500' }));
    expect(server.correlationId).toBe('c-500');
    expect(toApiProblem(apiError(503, '<html>bad gateway</html>')).correlationId).toBe('sent-id');
    for (const error of [
      apiError(400, { error: 'INAPPROPRIATE_CONTENT', message: 'x', correlationId: 'c' }),
      apiError(429, { error: 'RATE_LIMIT_EXCEEDED', message: 'x', correlationId: 'c', retryAfter: 5 }),
      apiError(404, { error: 'JOB_NOT_FOUND', message: 'x', correlationId: 'c' }),
      apiError(0, undefined),
    ]) {
      expect(toApiProblem(error).correlationId).toBeUndefined();
    }
  });

  it('shows validation messages as the API wrote them with what to do, but never a 5xx message', () => {
    const validation = toApiProblem(
      apiError(400, { error: 'VALIDATION_FAILED', message: 'steps must be at most 100.', correlationId: 'c' }),
    );
    expect(validation.message).toBe('steps must be at most 100. Change it and try again.');
    const internal = toApiProblem(apiError(500, { error: 'INTERNAL_ERROR', message: 'db exploded', correlationId: 'c' }));
    expect(internal.message).not.toContain('db exploded');
    expect(toApiProblem(apiError(502, '<html>bad gateway</html>')).code).toBe('SERVICE_UNAVAILABLE');
    expect(toApiProblem(new Error('boom')).code).toBe('UNKNOWN');
  });

  it('words retry delays for people', () => {
    expect(retryIn(0.2)).toBe('in a second');
    expect(retryIn(89)).toBe('in 89 seconds');
    expect(retryIn(3600)).toBe('in 60 minutes');
    expect(retryIn(86400)).toBe('in about 24 hours');
    expect(whenRetryable(NOW + 30_000, NOW)).toBe('in 30 seconds');
    expect(whenRetryable(NOW + 2 * 3600 * 1000, NOW)).toMatch(/^at .+ \(in about 2 hours\)$/);
  });
});
