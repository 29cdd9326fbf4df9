import { ApiFailure } from './api-client';
import { retryIn, toApiProblem } from './api-error';

// The correlation id as ApiClient finds it: the one the error body names.
const apiError = (status: number, body: unknown, retryAfter: string | null = null) =>
  new ApiFailure('/api/x', status, body, retryAfter, (body as { correlationId?: string } | undefined)?.correlationId);

describe('toApiProblem', () => {
  it('says when a rate-limited request can be retried, from the body or the Retry-After header', () => {
    const fromBody = toApiProblem(
      apiError(429, { error: 'RATE_LIMIT_EXCEEDED', message: 'x', correlationId: 'c1', retryAfter: 42 }),
    );
    expect(fromBody).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', retryAfterSeconds: 42, retryable: true });
    expect(fromBody.message).toContain('in 42 seconds');
    expect(fromBody.correlationId).toBe('c1');

    const fromHeader = toApiProblem(
      apiError(429, { error: 'RATE_LIMIT_EXCEEDED', message: 'x', correlationId: 'c2' }, '600'),
    );
    expect(fromHeader.message).toContain('in 10 minutes');
  });

  it('explains a refused prompt instead of showing the code', () => {
    const problem = toApiProblem(apiError(400, { error: 'INAPPROPRIATE_CONTENT', message: 'x', correlationId: 'c' }));
    expect(problem.message).toContain('content policy');
    expect(problem.message).not.toContain('INAPPROPRIATE_CONTENT');
    expect(problem.retryable).toBe(false);
  });

  it('treats no answer at all as the network being down, and offers a retry', () => {
    expect(toApiProblem(apiError(0, undefined))).toMatchObject({ code: 'NETWORK', retryable: true });
  });

  it('shows validation messages as the API wrote them, but never a 5xx message', () => {
    const validation = toApiProblem(
      apiError(400, { error: 'VALIDATION_FAILED', message: 'steps must be at most 100.', correlationId: 'c' }),
    );
    expect(validation.message).toBe('steps must be at most 100.');
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
  });
});
