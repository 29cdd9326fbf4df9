import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { loadRuntimeConfig } from '../../testing/runtime-config';
import { RUNTIME_CONFIG_URL, RuntimeConfig } from './runtime-config';

describe('RuntimeConfig', () => {
  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
  });

  afterEach(() => TestBed.inject(HttpTestingController).verify());

  it('builds API URLs from the loaded apiBaseUrl', async () => {
    const config = await loadRuntimeConfig({ apiBaseUrl: 'https://api.example.com/' });

    expect(config.apiUrl('/health/ready')).toBe('https://api.example.com/health/ready');
  });

  it('resolves image URLs: relative ones through the API, absolute ones as they are', async () => {
    const config = await loadRuntimeConfig({ apiBaseUrl: '/api', cdnOrigin: 'https://cdn.example.com' });

    expect(config.mediaUrl('/images/g/1.png')).toBe('/api/images/g/1.png');
    expect(config.mediaUrl('https://cdn.example.com/g/1.png?sig=x')).toBe('https://cdn.example.com/g/1.png?sig=x');
    expect(config.cdnOrigin()).toBe('https://cdn.example.com');
  });

  it('tells API requests from other requests', async () => {
    const config = await loadRuntimeConfig({ apiBaseUrl: '/api' });

    expect(config.isApiUrl('/api/health/ready')).toBe(true);
    expect(config.isApiUrl('/api?x=1')).toBe(true);
    expect(config.isApiUrl('/apiary/x')).toBe(false);
    expect(config.isApiUrl('/config.json')).toBe(false);
  });

  it('rejects a config.json without apiBaseUrl', async () => {
    await expect(loadRuntimeConfig({ apiUrl: '/api' })).rejects.toThrow('apiBaseUrl');
  });

  it('rejects when config.json cannot be fetched', async () => {
    const loading = TestBed.inject(RuntimeConfig).load();
    TestBed.inject(HttpTestingController)
      .expectOne(RUNTIME_CONFIG_URL)
      .flush('Not found', { status: 404, statusText: 'Not Found' });

    await expect(loading).rejects.toMatchObject({ status: 404 });
  });

  it('refuses to build URLs before it is loaded', () => {
    const config = TestBed.inject(RuntimeConfig);

    expect(() => config.apiUrl('/health/ready')).toThrow('before load()');
    expect(config.isApiUrl('/api/health/ready')).toBe(false);
  });
});
