import { ApplicationRef } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { CORRELATION_ID_HEADER } from '@pixel-prompt/contracts';
import { type FakeFetch, provideFakeFetch } from '../../testing/fake-fetch';
import { loadRuntimeConfig } from '../../testing/runtime-config';
import { ApiClient, ApiFailure } from './api-client';
import { ApiHealth } from './api-health';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('ApiClient', () => {
  let fetch: FakeFetch;
  let api: ApiClient;

  beforeEach(async () => {
    fetch = provideFakeFetch();
    await loadRuntimeConfig(fetch, { apiBaseUrl: 'https://api.example.com' });
    api = TestBed.inject(ApiClient);
  });

  afterEach(() => fetch.verify());

  it('sends paths to the configured API and parses the JSON answer', async () => {
    const answer = api.get<{ models: string[] }>('/models');
    const request = fetch.expectOne('https://api.example.com/models');
    request.flush({ models: ['aurora'] });

    await expect(answer).resolves.toEqual({ models: ['aurora'] });
    expect(request.method).toBe('GET');
    expect(request.header('Accept')).toBe('application/json');
  });

  it('posts JSON with the caller’s headers', async () => {
    const answer = api.post('/generate', { prompt: 'a fox' }, { headers: { 'Idempotency-Key': 'k1' } });
    const request = fetch.expectOne('https://api.example.com/generate');
    request.flush({ jobId: 'j1' }, 202);

    await expect(answer).resolves.toEqual({ jobId: 'j1' });
    expect(request.method).toBe('POST');
    expect(request.body()).toEqual({ prompt: 'a fox' });
    expect(request.header('Content-Type')).toBe('application/json');
    expect(request.header('Idempotency-Key')).toBe('k1');
  });

  it('gives every request a fresh correlation id', async () => {
    const answers = [api.get('/health/ready'), api.get('/health/ready')];
    const [first, second] = fetch.match('https://api.example.com/health/ready');
    first?.flush({});
    second?.flush({});
    await Promise.all(answers);

    expect(first?.header(CORRELATION_ID_HEADER)).toMatch(UUID);
    expect(second?.header(CORRELATION_ID_HEADER)).toMatch(UUID);
    expect(first?.header(CORRELATION_ID_HEADER)).not.toBe(second?.header(CORRELATION_ID_HEADER));
  });

  it('resolves an empty answer (202, 204) to undefined', async () => {
    const answer = api.post('/jobs/j1/cancel');
    const request = fetch.expectOne('https://api.example.com/jobs/j1/cancel');
    request.flush(undefined, 202);

    await expect(answer).resolves.toBeUndefined();
    expect(request.header('Content-Type')).toBeUndefined();
  });

  it('rejects an error answer with its status, body, Retry-After and the correlation id it names', async () => {
    const answer = api.get('/models');
    fetch
      .expectOne('https://api.example.com/models')
      .flush({ error: 'RATE_LIMIT_EXCEEDED', message: 'Slow down.', correlationId: 'c-9' }, 429, { 'Retry-After': '30' });

    const failure = (await answer.catch((error: unknown) => error)) as ApiFailure;
    expect(failure).toBeInstanceOf(ApiFailure);
    expect(failure).toMatchObject({ status: 429, retryAfter: '30', correlationId: 'c-9' });
    expect(failure.body).toMatchObject({ error: 'RATE_LIMIT_EXCEEDED' });
  });

  it('keeps a non-JSON error page as text and names the id it sent', async () => {
    const answer = api.get('/models');
    const request = fetch.expectOne('https://api.example.com/models');
    request.flush('<html>Bad gateway</html>', 502);

    await expect(answer).rejects.toMatchObject({
      status: 502,
      body: '<html>Bad gateway</html>',
      correlationId: request.header(CORRELATION_ID_HEADER),
    });
  });

  it('turns a request that got no answer into status 0', async () => {
    const answer = api.get('/models');
    fetch.expectOne('https://api.example.com/models').fail();

    await expect(answer).rejects.toMatchObject({ name: 'ApiFailure', status: 0 });
  });

  it('passes an abort through as it is, so callers can tell "stopped" from "failed"', async () => {
    const controller = new AbortController();
    const answer = api.get('/gallery/g1', { signal: controller.signal });
    controller.abort();

    await expect(answer).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('keeps the app unstable while a request is in flight', async () => {
    const app = TestBed.inject(ApplicationRef);
    let stable: boolean | undefined;
    const watching = app.isStable.subscribe((value) => (stable = value));
    expect(stable).toBe(true);

    const answer = api.get('/models');
    expect(stable).toBe(false);

    fetch.expectOne('https://api.example.com/models').flush({});
    await answer;
    await app.whenStable();
    expect(stable).toBe(true);
    watching.unsubscribe();
  });

  it('hands the answer’s headers to the caller, for refusals too', async () => {
    const seen: (string | null)[] = [];
    const readHeaders = (headers: { get(name: string): string | null }) => seen.push(headers.get('RateLimit'));
    const accepted = api.post('/generate', {}, { readHeaders });
    fetch.expectOne('https://api.example.com/generate').flush({}, 202, { RateLimit: '"ip";r=4;t=60' });
    await accepted;
    const refused = api.post('/generate', {}, { readHeaders });
    fetch.expectOne('https://api.example.com/generate').flush({ error: 'RATE_LIMIT_EXCEEDED', message: 'x', correlationId: 'c' }, 429, { RateLimit: '"ip";r=0;t=60' });
    await expect(refused).rejects.toBeInstanceOf(ApiFailure);

    expect(seen).toEqual(['"ip";r=4;t=60', '"ip";r=0;t=60']);
  });

  it('tells ApiHealth what each request met: an answer, or none', async () => {
    const reported: number[] = [];
    jest.spyOn(TestBed.inject(ApiHealth), 'report').mockImplementation((status) => void reported.push(status));
    const answered = api.get('/models');
    fetch.expectOne('https://api.example.com/models').flush({}, 404);
    await expect(answered).rejects.toBeInstanceOf(ApiFailure);
    const unanswered = api.get('/models');
    fetch.expectOne('https://api.example.com/models').fail();
    await expect(unanswered).rejects.toBeInstanceOf(ApiFailure);

    expect(reported).toEqual([404, 0]);
  });
});
