import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { CORRELATION_ID_HEADER } from '@pixel-prompt/contracts';
import { loadRuntimeConfig } from '../../testing/runtime-config';
import { correlationIdInterceptor } from './correlation-id.interceptor';
import { RUNTIME_CONFIG_URL, RuntimeConfig } from './runtime-config';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('correlationIdInterceptor', () => {
  let http: HttpClient;
  let httpTesting: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([correlationIdInterceptor])),
        provideHttpClientTesting(),
      ],
    });
    http = TestBed.inject(HttpClient);
    httpTesting = TestBed.inject(HttpTestingController);
  });

  afterEach(() => httpTesting.verify());

  it('adds a fresh UUID to every API request', async () => {
    await loadRuntimeConfig({ apiBaseUrl: '/api' });

    http.get('/api/health/ready').subscribe();
    http.get('/api/health/ready').subscribe();
    const [first, second] = httpTesting.match('/api/health/ready');

    expect(first.request.headers.get(CORRELATION_ID_HEADER)).toMatch(UUID);
    expect(second.request.headers.get(CORRELATION_ID_HEADER)).toMatch(UUID);
    expect(first.request.headers.get(CORRELATION_ID_HEADER)).not.toBe(
      second.request.headers.get(CORRELATION_ID_HEADER),
    );
  });

  it('keeps an id the caller set', async () => {
    await loadRuntimeConfig({ apiBaseUrl: '/api' });

    http.get('/api/x', { headers: { [CORRELATION_ID_HEADER]: 'mine-1' } }).subscribe();

    expect(httpTesting.expectOne('/api/x').request.headers.get(CORRELATION_ID_HEADER)).toBe('mine-1');
  });

  it('leaves requests to other origins and the config file alone', async () => {
    // The config.json request itself goes out before any API base URL is known.
    const loading = TestBed.inject(RuntimeConfig).load();
    const configRequest = httpTesting.expectOne(RUNTIME_CONFIG_URL);
    expect(configRequest.request.headers.has(CORRELATION_ID_HEADER)).toBe(false);
    configRequest.flush({ apiBaseUrl: '/api' });
    await loading;

    http.get('https://cdn.example.com/image.png').subscribe();

    expect(
      httpTesting.expectOne('https://cdn.example.com/image.png').request.headers.has(CORRELATION_ID_HEADER),
    ).toBe(false);
  });
});
