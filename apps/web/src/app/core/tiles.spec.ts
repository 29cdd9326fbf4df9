import { type FakeFetch, provideFakeFetch } from '../../testing/fake-fetch';
import { loadRuntimeConfig } from '../../testing/runtime-config';
import { tileSrcset } from './tiles';

describe('tileSrcset', () => {
  let fetch: FakeFetch;

  beforeEach(() => {
    fetch = provideFakeFetch();
  });

  it('makes a srcset of an image’s two tiles, and none for images stored before tiles', async () => {
    const config = await loadRuntimeConfig(fetch, { apiBaseUrl: '/api' });
    expect(tileSrcset(config, '/images/j/0-a.tile.webp', 'https://cdn.example.com/images/j/0-a.tile2x.webp')).toBe(
      '/api/images/j/0-a.tile.webp 288w, https://cdn.example.com/images/j/0-a.tile2x.webp 576w',
    );
    expect(tileSrcset(config, undefined, undefined)).toBe('');
  });
});
