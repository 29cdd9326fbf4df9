import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { ReadinessResponse } from '@pixel-prompt/contracts';
import { type FakeFetch, provideFakeFetch } from '../../testing/fake-fetch';
import { loadRuntimeConfig } from '../../testing/runtime-config';
import { ApiStatus } from './api-status';

describe('ApiStatus', () => {
  let fetch: FakeFetch;
  let fixture: ComponentFixture<ApiStatus>;

  beforeEach(async () => {
    fetch = provideFakeFetch();
    await loadRuntimeConfig(fetch, { apiBaseUrl: '/api' });
    fixture = TestBed.createComponent(ApiStatus);
    // Renders and lets the resource send its request; whenStable() would wait for the answer.
    TestBed.tick();
  });

  afterEach(() => fetch.verify());

  const text = () =>
    (fixture.nativeElement as HTMLElement).querySelector('[aria-live="polite"]')?.textContent?.trim();

  it('says it is checking until the gateway answers', () => {
    expect(text()).toBe('API: checking…');
    fetch.expectOne('/api/health/ready');
  });

  it('shows ready when /health/ready answers 200', async () => {
    const body: ReadinessResponse = { status: 'ok', checks: { redis: { status: 'up' } } };
    fetch.expectOne('/api/health/ready').flush(body);
    await fixture.whenStable();

    expect(text()).toBe('API: ready');
  });

  it('shows unavailable when /health/ready answers 503', async () => {
    const body: ReadinessResponse = {
      status: 'unavailable',
      checks: { redis: { status: 'down', reason: 'unreachable' } },
      error: 'NOT_READY',
      message: 'Not ready: redis is unreachable.',
      correlationId: 'c1',
    };
    fetch
      .expectOne('/api/health/ready')
      .flush(body, 503);
    await fixture.whenStable();

    expect(text()).toBe('API: unavailable');
  });

  it('believes the body over the status code', async () => {
    const body: ReadinessResponse = { status: 'unavailable', checks: {} };
    fetch.expectOne('/api/health/ready').flush(body);
    await fixture.whenStable();

    expect(text()).toBe('API: unavailable');
  });

  it('shows unavailable when the gateway cannot be reached', async () => {
    fetch.expectOne('/api/health/ready').fail();
    await fixture.whenStable();

    expect(text()).toBe('API: unavailable');
  });
});
