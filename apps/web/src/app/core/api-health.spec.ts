import { ApplicationRef } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { ReadinessResponse } from '@pixel-prompt/contracts';
import { type FakeFetch, provideFakeFetch } from '../../testing/fake-fetch';
import { loadRuntimeConfig } from '../../testing/runtime-config';
import { ApiHealth, RECHECK_MS } from './api-health';

const READY: ReadinessResponse = { status: 'ok', checks: { redis: { status: 'up' } } };
const DOWN: ReadinessResponse = { status: 'unavailable', checks: { redis: { status: 'down', reason: 'unreachable' } } };

describe('ApiHealth', () => {
  let fetch: FakeFetch;
  let health: ApiHealth;

  beforeEach(async () => {
    fetch = provideFakeFetch();
    await loadRuntimeConfig(fetch);
    health = TestBed.inject(ApiHealth);
  });

  afterEach(() => {
    fetch.verify();
    jest.useRealTimers();
  });

  it('asks /health/ready once started, and says ready or unavailable', async () => {
    expect(health.state()).toBe('checking');
    health.start();
    health.start();
    fetch.expectOne('/api/health/ready').flush(READY);
    await TestBed.inject(ApplicationRef).whenStable();
    expect(health.state()).toBe('ready');
  });

  it('says unavailable on a 503 or no answer, and asks again until the API is back', async () => {
    jest.useFakeTimers();
    health.start();
    fetch.expectOne('/api/health/ready').flush(DOWN, 503);
    await jest.advanceTimersByTimeAsync(0);
    expect(health.state()).toBe('unavailable');

    await jest.advanceTimersByTimeAsync(RECHECK_MS);
    fetch.expectOne('/api/health/ready').fail();
    await jest.advanceTimersByTimeAsync(0);
    expect(health.state()).toBe('unavailable');

    await jest.advanceTimersByTimeAsync(RECHECK_MS);
    fetch.expectOne('/api/health/ready').flush(READY);
    await jest.advanceTimersByTimeAsync(0);
    expect(health.state()).toBe('ready');
    await jest.advanceTimersByTimeAsync(RECHECK_MS);
    expect(fetch.match('/api/health/ready')).toEqual([]);
  });

  it('follows what API calls meet, and goes offline and back with the connection', async () => {
    jest.useFakeTimers();
    health.start();
    fetch.expectOne('/api/health/ready').flush(READY);
    await jest.advanceTimersByTimeAsync(0);

    health.report(0);
    fetch.expectOne('/api/health/ready').fail();
    await jest.advanceTimersByTimeAsync(0);
    expect(health.state()).toBe('unavailable');
    health.report(404);
    expect(health.state()).toBe('ready');

    window.dispatchEvent(new Event('offline'));
    expect(health.state()).toBe('offline');
    window.dispatchEvent(new Event('online'));
    fetch.expectOne('/api/health/ready').flush(READY);
    await jest.advanceTimersByTimeAsync(0);
    expect(health.state()).toBe('ready');
  });
});
