import { generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GalleryDetailResponse, GalleryListResponse } from '@pixel-prompt/contracts';
import type { GalleryManifest, ObjectStorage } from '@pixel-prompt/storage';
import { TestS3, cannedPolicy, parseCloudFrontSignedUrl } from '@pixel-prompt/testing';
import { type InProcessGallery, manifestOf, startGallery, writerFor } from './support';

const CDN = 'https://d111111abcdef8.cloudfront.net';
const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';
const TTL_SECONDS = 3600;

describe('image links behind CloudFront', () => {
  let s3: TestS3;
  let writer: ObjectStorage;
  let manifest: GalleryManifest;
  const keyDir = mkdtempSync(join(tmpdir(), 'pp-cloudfront-key-'));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });

  beforeAll(async () => {
    s3 = await TestS3.start();
    writer = writerFor(s3);
    manifest = manifestOf(new Date('2026-04-01T00:00:00Z'));
    await writer.putGallery(manifest, 'test-writer');
  });

  afterAll(async () => {
    writer?.onApplicationShutdown();
    await s3?.dispose();
    rmSync(keyDir, { recursive: true, force: true });
  });

  async function getJson<T>(gallery: InProcessGallery, path: string): Promise<{ res: Response; body: T }> {
    const res = await fetch(`${gallery.url}${path}`);
    expect(res.status).toBe(200);
    return { res, body: (await res.json()) as T };
  }

  describe('unsigned (CDN_BASE_URL)', () => {
    let gallery: InProcessGallery;

    beforeAll(async () => {
      gallery = await startGallery(s3, { CDN_BASE_URL: `${CDN}/` });
    });

    afterAll(() => gallery?.close());

    it('links every image at the CDN, and keeps details cached for good', async () => {
      const list = await getJson<GalleryListResponse>(gallery, '/gallery/list');
      expect(list.body.galleries[0]).toMatchObject({
        preview: `${CDN}/images/${manifest.id}/0-model-0.png`,
        previewThumbnail: `${CDN}/images/${manifest.id}/0-model-0.thumb.png`,
        previewTile: `${CDN}/images/${manifest.id}/0-model-0.tile.webp`,
        previewTile2x: `${CDN}/images/${manifest.id}/0-model-0.tile2x.webp`,
      });
      const detail = await getJson<GalleryDetailResponse>(gallery, `/gallery/${manifest.id}`);
      expect(detail.body.images.map((i) => [i.url, i.thumbnailUrl, i.tileUrl, i.tile2xUrl])).toEqual(
        manifest.images.map((i) => [`${CDN}/${i.imageKey}`, `${CDN}/${i.thumbnailKey}`, `${CDN}/${i.tileKey}`, `${CDN}/${i.tile2xKey}`]),
      );
      expect(detail.res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    });

    it('leaves image delivery to the CDN', async () => {
      const res = await fetch(`${gallery.url}/${manifest.images[0]?.imageKey}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: 'NOT_FOUND' });
    });
  });

  describe.each([
    ['an inline key', () => ({ CLOUDFRONT_PRIVATE_KEY: privateKey })],
    ['an inline key with \\n escapes', () => ({ CLOUDFRONT_PRIVATE_KEY: privateKey.replace(/\n/g, '\\n') })],
    ['a key file', () => {
      const file = join(keyDir, 'cloudfront.pem');
      writeFileSync(file, privateKey, { mode: 0o600 });
      return { CLOUDFRONT_PRIVATE_KEY_FILE: file };
    }],
  ])('signed, with %s', (_, keyEnv) => {
    let gallery: InProcessGallery;

    beforeAll(async () => {
      gallery = await startGallery(s3, {
        CDN_BASE_URL: CDN,
        CLOUDFRONT_KEY_PAIR_ID: KEY_PAIR_ID,
        SIGNED_URL_TTL_SECONDS: String(TTL_SECONDS),
        ...keyEnv(),
      });
    });

    afterAll(() => gallery?.close());

    it('signs every link with a canned policy CloudFront verifies with the public key', async () => {
      const before = Math.floor(Date.now() / 1000);
      const { res, body } = await getJson<GalleryDetailResponse>(gallery, `/gallery/${manifest.id}`);
      const links = body.images.flatMap((i) => [i.url, i.thumbnailUrl]);
      expect(links).toHaveLength(4);

      for (const [index, link] of links.entries()) {
        const { resource, expires, keyPairId, signature, parameters } = parseCloudFrontSignedUrl(link);
        const image = manifest.images[Math.floor(index / 2)];
        expect(resource).toBe(`${CDN}/${index % 2 === 0 ? image?.imageKey : image?.thumbnailKey}`);
        expect(parameters).toEqual(['Expires', 'Key-Pair-Id', 'Signature']);
        expect(keyPairId).toBe(KEY_PAIR_ID);

        // Valid for between half and all of the TTL: expiry is rounded to a window of TTL / 2.
        expect(expires).toBeGreaterThanOrEqual(before + TTL_SECONDS / 2);
        expect(expires).toBeLessThanOrEqual(before + TTL_SECONDS + 1);

        expect(verify('RSA-SHA1', cannedPolicy(resource, expires), publicKey, signature)).toBe(true);
        expect(verify('RSA-SHA1', cannedPolicy(`${CDN}/images/other.png`, expires), publicKey, signature)).toBe(false);
        expect(verify('RSA-SHA1', cannedPolicy(resource, expires + 1), publicKey, signature)).toBe(false);
      }

      // Cached no longer than the links stay fresh: never past the window they were issued in.
      const maxAge = Number(/^public, max-age=(\d+)$/.exec(res.headers.get('cache-control') ?? '')?.[1]);
      expect(maxAge).toBeGreaterThan(0);
      expect(maxAge).toBeLessThanOrEqual(TTL_SECONDS / 2);
    });

    it('caches list pages for at most 10 s, like unsigned ones', async () => {
      const { res } = await getJson<GalleryListResponse>(gallery, '/gallery/list');
      expect(res.headers.get('cache-control')).toMatch(/^public, max-age=([1-9]|10)$/);
    });
  });
});
