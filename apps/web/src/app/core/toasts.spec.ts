import { TestBed } from '@angular/core/testing';
import type { ApiProblem } from './api-error';
import { INFO_TOAST_MS, Toasts } from './toasts';

/** An API problem as ApiError would describe it; retryable unless said otherwise. */
function apiProblem(fields: Partial<ApiProblem> = {}): ApiProblem {
  return { code: 'SERVICE_UNAVAILABLE', message: 'Pixel Prompt is busy.', retryable: true, ...fields };
}

describe('Toasts', () => {
  let toasts: Toasts;

  function messages(): string[] {
    return toasts.toasts().map((toast) => toast.message);
  }

  beforeEach(() => {
    jest.useFakeTimers();
    toasts = TestBed.inject(Toasts);
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('shows an info toast for a few seconds', () => {
    toasts.info('Link copied');
    expect(toasts.toasts()).toEqual([{ id: expect.any(Number), kind: 'info', message: 'Link copied' }]);

    jest.advanceTimersByTime(INFO_TOAST_MS - 1);
    expect(messages()).toEqual(['Link copied']);

    jest.advanceTimersByTime(1);
    expect(toasts.toasts()).toEqual([]);
  });

  it('shows an API problem as an error that stays until dismissed', () => {
    toasts.problem(apiProblem({ message: 'Something went wrong.', retryable: false }));

    jest.advanceTimersByTime(10 * INFO_TOAST_MS);

    expect(toasts.toasts()).toEqual([{ id: expect.any(Number), kind: 'error', message: 'Something went wrong.' }]);
  });

  it('quotes the correlation id so the problem can be reported', () => {
    toasts.problem(apiProblem({ message: 'Something went wrong.', correlationId: 'c0ffee-42' }));

    expect(messages()).toEqual(['Something went wrong. (Reference: c0ffee-42)']);
  });

  it('offers Retry only for problems where trying again may work', () => {
    const retry = jest.fn();

    toasts.problem(apiProblem({ message: 'Busy', retryable: true }), retry);
    toasts.problem(apiProblem({ message: 'Not allowed', retryable: false }), retry);
    toasts.problem(apiProblem({ message: 'Busy, nothing to retry', retryable: true }));

    const [busy, notAllowed, nothingToRetry] = toasts.toasts();
    expect(busy.retry).toBe(retry);
    expect(notAllowed.retry).toBeUndefined();
    expect(nothingToRetry.retry).toBeUndefined();
    expect(retry).not.toHaveBeenCalled();
  });

  it('offers Retry for a rate limit only once its time has come', () => {
    const retry = jest.fn();
    toasts.problem(apiProblem({ code: 'RATE_LIMIT_EXCEEDED', message: 'Limit', retryAt: Date.now() + 60_000 }), retry);
    expect(toasts.toasts()[0]?.retry).toBeUndefined();

    jest.advanceTimersByTime(60_000);
    expect(toasts.toasts()[0]?.retry).toBe(retry);
  });

  it('dismisses just the one toast', () => {
    toasts.problem(apiProblem({ message: 'First' }));
    toasts.problem(apiProblem({ message: 'Second' }));
    toasts.info('Third');
    const [, second] = toasts.toasts();

    toasts.dismiss(second.id);

    expect(messages()).toEqual(['First', 'Third']);
  });

  it('gives every toast its own id, also for identical messages', () => {
    toasts.info('Saved');
    toasts.info('Saved');

    const [first, second] = toasts.toasts();
    expect(first.id).not.toBe(second.id);
  });

  it('does not dismiss a newer toast when an earlier info toast times out', () => {
    toasts.info('Old news');
    jest.advanceTimersByTime(INFO_TOAST_MS / 2);
    toasts.problem(apiProblem({ message: 'Error' }));
    toasts.info('Fresh news');

    jest.advanceTimersByTime(INFO_TOAST_MS / 2);

    expect(messages()).toEqual(['Error', 'Fresh news']);
  });

  it('keeps only the four newest toasts in a burst', () => {
    for (const n of [1, 2, 3, 4, 5, 6]) toasts.problem(apiProblem({ message: `Failure ${n}` }));

    expect(messages()).toEqual(['Failure 3', 'Failure 4', 'Failure 5', 'Failure 6']);
  });
});
