import { ApplicationRef } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { type FakeFetch, provideFakeFetch } from '../../testing/fake-fetch';
import { loadRuntimeConfig } from '../../testing/runtime-config';
import { ApiFailure } from './api-client';
import { REPORTS_PER_MINUTE, ReportingErrorHandler } from './error-reporter';

describe('ReportingErrorHandler', () => {
  let fetch: FakeFetch;
  let handler: ReportingErrorHandler;

  /** The bodies POSTed to /log since the last call, each answered with 204. */
  function reports(): Record<string, unknown>[] {
    return fetch.match('/api/log').map((request) => {
      expect(request.method).toBe('POST');
      request.flush(undefined, 204);
      return request.body() as Record<string, unknown>;
    });
  }

  beforeEach(() => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    fetch = provideFakeFetch();
    TestBed.configureTestingModule({ providers: [ReportingErrorHandler] });
    handler = TestBed.inject(ReportingErrorHandler);
  });

  afterEach(() => {
    fetch.verify();
    jest.restoreAllMocks();
  });

  it('reports an uncaught error with its stack, page and browser, and still logs it', async () => {
    await loadRuntimeConfig(fetch);
    const error = new TypeError('x is undefined');

    handler.handleError(error);

    const [report] = reports();
    expect(report).toMatchObject({
      level: 'error',
      message: 'TypeError: x is undefined',
      url: 'http://localhost/',
      userAgent: navigator.userAgent,
    });
    expect(report?.['stack']).toContain('error-reporter.spec');
    expect(console.error).toHaveBeenCalledWith(error);
  });

  it('reports a failed API call under its correlation id, without the response body', async () => {
    await loadRuntimeConfig(fetch);

    handler.handleError(new ApiFailure('/api/models', 500, { secret: 'internal detail' }, null, 'corr-42'));

    const [report] = reports();
    expect(report).toMatchObject({ message: 'HTTP 500 from /api/models', correlationId: 'corr-42' });
    expect(JSON.stringify(report)).not.toContain('internal detail');
  });

  it('reports the same error once, and at most a few per minute', async () => {
    await loadRuntimeConfig(fetch);

    handler.handleError(new Error('same'));
    handler.handleError(new Error('same'));
    for (let i = 0; i < REPORTS_PER_MINUTE + 3; i++) handler.handleError(new Error(`error ${i}`));

    expect(reports()).toHaveLength(REPORTS_PER_MINUTE);
  });

  it('never throws when reporting fails, and reports nothing before the API is known', async () => {
    handler.handleError(new Error('before config'));
    expect(reports()).toHaveLength(0);

    await loadRuntimeConfig(fetch);
    handler.handleError(new Error('API down'));
    fetch.expectOne('/api/log').fail();
    await TestBed.inject(ApplicationRef).whenStable();

    expect(console.warn).toHaveBeenCalledWith('Could not report the error', expect.any(ApiFailure));
    expect(console.error).toHaveBeenCalledTimes(2);
  });
});
