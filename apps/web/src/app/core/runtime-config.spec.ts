import { TestBed } from '@angular/core/testing';
import { type FakeFetch, provideFakeFetch } from '../../testing/fake-fetch';
import { loadRuntimeConfig } from '../../testing/runtime-config';
import { RUNTIME_CONFIG_URL, RuntimeConfig } from './runtime-config';

describe('RuntimeConfig', () => {
  let fetch: FakeFetch;

  beforeEach(() => {
    fetch = provideFakeFetch();
  });

  afterEach(() => fetch.verify());

  it('builds API URLs from the loaded apiBaseUrl', async () => {
    const config = await loadRuntimeConfig(fetch, { apiBaseUrl: 'https://api.example.com/' });

    expect(config.apiUrl('/health/ready')).toBe('https://api.example.com/health/ready');
  });

  it('resolves image URLs: relative ones through the API, absolute ones as they are', async () => {
    const config = await loadRuntimeConfig(fetch, { apiBaseUrl: '/api', cdnOrigin: 'https://cdn.example.com' });

    expect(config.mediaUrl('/images/g/1.png')).toBe('/api/images/g/1.png');
    expect(config.mediaUrl('https://cdn.example.com/g/1.png?sig=x')).toBe('https://cdn.example.com/g/1.png?sig=x');
    expect(config.cdnOrigin()).toBe('https://cdn.example.com');
  });

  it('rejects a config.json without apiBaseUrl', async () => {
    await expect(loadRuntimeConfig(fetch, { apiUrl: '/api' })).rejects.toThrow('apiBaseUrl');
  });

  it('rejects when config.json cannot be fetched', async () => {
    const loading = TestBed.inject(RuntimeConfig).load();
    fetch.expectOne(RUNTIME_CONFIG_URL).flush('Not found', 404);

    await expect(loading).rejects.toThrow('HTTP 404');
  });

  it('refuses to build URLs before it is loaded', () => {
    expect(() => TestBed.inject(RuntimeConfig).apiUrl('/health/ready')).toThrow('before load()');
  });
});
