import { generateKeyPairSync } from 'node:crypto';
import { ImageLinks } from './image-links';

const KEY = 'images/6f1c2a9e-5b1d-4c1e-9a57-0d8f1f2c3b4a/0-aurora.png';
const CDN = 'https://cdn.example.com';

describe('ImageLinks', () => {
  it('links to this service without a CDN, and to the CDN with one; neither expires', () => {
    expect(new ImageLinks({}).at(0).url(KEY)).toBe(`/${KEY}`);
    const cdn = new ImageLinks({ cdnBaseUrl: CDN }).at(0);
    expect(cdn.url(KEY)).toBe(`${CDN}/${KEY}`);
    expect(cdn.freshForSeconds).toBeUndefined();
  });

  describe('signed', () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const links = new ImageLinks({ cdnBaseUrl: CDN, signing: { keyPairId: 'KTESTKEY01', privateKey, ttlSeconds: 3600 } });
    const windowStart = 1_800_000_000; // a multiple of the 1800 s window
    const expiresOf = (url: string) => Number(new URL(url).searchParams.get('Expires'));

    it('expires links one TTL after the start of their half-TTL window', () => {
      const atStart = links.at(windowStart * 1000);
      expect(expiresOf(atStart.url(KEY))).toBe(windowStart + 3600);
      expect(atStart.freshForSeconds).toBe(1800);

      const late = links.at((windowStart + 1799) * 1000 + 999);
      expect(expiresOf(late.url(KEY))).toBe(windowStart + 3600);
      expect(late.freshForSeconds).toBe(1);
    });

    it('gives identical links throughout a window and new ones in the next', () => {
      const first = links.at(windowStart * 1000 + 5).url(KEY);
      expect(links.at((windowStart + 1000) * 1000).url(KEY)).toBe(first);
      const next = links.at((windowStart + 1800) * 1000).url(KEY);
      expect(expiresOf(next)).toBe(windowStart + 1800 + 3600);
      expect(next).not.toBe(first);
    });
  });
});
