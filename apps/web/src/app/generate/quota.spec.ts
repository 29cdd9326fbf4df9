import { TestBed } from '@angular/core/testing';
import { QUOTA_KEY, Quota, parseRateLimit } from './quota';

const headers = (value: string | null) => ({ get: (name: string) => (name === 'RateLimit' ? value : null) });

describe('Quota', () => {
  beforeEach(() => {
    localStorage.clear();
    jest.useFakeTimers({ now: Date.parse('2026-11-23T08:00:00Z') });
  });

  afterEach(() => jest.useRealTimers());

  it('reads the RateLimit header: requests left in the tightest limit, and when its window ends', () => {
    expect(parseRateLimit('"ip";r=49;t=3600', 1000)).toEqual({ remaining: 49, resetAt: 3_601_000 });
    expect(parseRateLimit('"global";r=0;t=5', 0)).toEqual({ remaining: 0, resetAt: 5000 });
    expect(parseRateLimit(null)).toBeUndefined();
    expect(parseRateLimit('garbage')).toBeUndefined();
  });

  it('keeps what the last answer said until its window ends, across page loads', () => {
    const quota = TestBed.inject(Quota);
    expect(quota.state()).toBeUndefined();
    quota.read(headers('"ip";r=3;t=60'));
    quota.read(headers(null));
    expect(quota.state()).toEqual({ remaining: 3, resetAt: Date.now() + 60_000 });

    TestBed.resetTestingModule();
    expect(TestBed.inject(Quota).state()?.remaining).toBe(3);

    jest.advanceTimersByTime(60_000);
    expect(TestBed.inject(Quota).state()).toBeUndefined();
    TestBed.resetTestingModule();
    expect(TestBed.inject(Quota).state()).toBeUndefined();
  });

  it('forgets a stored quota that is unreadable', () => {
    localStorage.setItem(QUOTA_KEY, '{"remaining":"many"}');
    expect(TestBed.inject(Quota).state()).toBeUndefined();
  });
});
