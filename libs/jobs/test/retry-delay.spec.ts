import { retryDelayMs } from '../src';

describe('retryDelayMs', () => {
  const lowest = () => 0;
  const highest = () => 1;

  it('doubles per attempt, jittered between half and all of the step', () => {
    expect([1, 2, 3].map((attempt) => retryDelayMs(attempt, new Error('x'), 1000, lowest))).toEqual([500, 1000, 2000]);
    expect([1, 2, 3].map((attempt) => retryDelayMs(attempt, new Error('x'), 1000, highest))).toEqual([1000, 2000, 4000]);
  });

  it('waits at least as long as the provider’s Retry-After', () => {
    const rateLimited = Object.assign(new Error('slow down'), { retryAfterSeconds: 7.5 });
    expect(retryDelayMs(1, rateLimited, 1000, highest)).toBe(7500);
    // A Retry-After shorter than the backoff changes nothing.
    expect(retryDelayMs(4, Object.assign(new Error('x'), { retryAfterSeconds: 1 }), 1000, highest)).toBe(8000);
  });

  it('ignores a Retry-After that is not a positive number', () => {
    for (const retryAfterSeconds of [0, -3, '30', null]) {
      expect(retryDelayMs(1, Object.assign(new Error('x'), { retryAfterSeconds }), 1000, highest)).toBe(1000);
    }
    expect(retryDelayMs(1, undefined, 1000, highest)).toBe(1000);
  });
});
