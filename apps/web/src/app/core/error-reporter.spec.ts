import { ApplicationRef } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { type FakeFetch, provideFakeFetch } from '../../testing/fake-fetch';
import { loadRuntimeConfig } from '../../testing/runtime-config';
import { ApiFailure } from './api-client';
import { ReportingErrorHandler } from './error-reporter';
import { REPORTS_PER_MINUTE } from './error-reports';

describe('ReportingErrorHandler', () => {
  let fetch: FakeFetch;
  let handler: ReportingErrorHandler;

  /**
   * The bodies POSTed to /log since the last call, each answered with 204, once `expected` of them
   * have arrived (the reporter is a lazy chunk); with none expected, once the handler is done.
   */
  async function reports(expected = 1): Promise<Record<string, unknown>[]> {
    if (expected > 0) await fetch.arrived('/api/log', expected);
    else await TestBed.inject(ApplicationRef).whenStable();
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

    const [report] = await reports();
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

    const [report] = await reports();
    expect(report).toMatchObject({ message: 'HTTP 500 from /api/models', correlationId: 'corr-42' });
    expect(JSON.stringify(report)).not.toContain('internal detail');
  });

  it('reports the same error once, and at most a few per minute', async () => {
    await loadRuntimeConfig(fetch);

    handler.handleError(new Error('same'));
    handler.handleError(new Error('same'));
    for (let i = 0; i < REPORTS_PER_MINUTE + 3; i++) handler.handleError(new Error(`error ${i}`));

    expect(await reports(REPORTS_PER_MINUTE)).toHaveLength(REPORTS_PER_MINUTE);
  });

  it('never throws when reporting fails, and reports nothing before the API is known', async () => {
    handler.handleError(new Error('before config'));
    expect(await reports(0)).toHaveLength(0);

    await loadRuntimeConfig(fetch);
    handler.handleError(new Error('API down'));
    await fetch.arrived('/api/log');
    fetch.expectOne('/api/log').fail();
    await TestBed.inject(ApplicationRef).whenStable();

    expect(console.warn).toHaveBeenCalledWith('Could not report the error', expect.any(ApiFailure));
    expect(console.error).toHaveBeenCalledTimes(2);
  });

  it('sends nothing while offline, nor for page code that could not be loaded: that is the connection, not a fault', async () => {
    await loadRuntimeConfig(fetch);
    handler.handleError(new TypeError('Failed to fetch dynamically imported module: http://localhost/chunk-X.js'));
    const online = jest.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    handler.handleError(new Error('while offline'));
    online.mockRestore();

    expect(await reports(0)).toHaveLength(0);
    expect(console.error).toHaveBeenCalledTimes(2);
  });
});
