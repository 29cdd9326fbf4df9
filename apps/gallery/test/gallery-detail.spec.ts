import { randomUUID } from 'node:crypto';
import type { ErrorBody, GalleryDetailResponse } from '@pixel-prompt/contracts';
import { type GalleryManifest, type ObjectStorage, galleryIndexKey, manifestKey } from '@pixel-prompt/storage';
import { type GalleryFixture, type InProcessGallery, galleryFixture, manifestOf, rawGet } from './support';

describe('GET /gallery/:id', () => {
  let fixture: GalleryFixture;
  let writer: ObjectStorage;
  let gallery: InProcessGallery;
  let manifest: GalleryManifest;

  beforeAll(async () => {
    fixture = await galleryFixture(async (w) => {
      manifest = manifestOf(new Date('2026-03-04T05:06:07.089Z'), { images: 3 });
      await w.putGallery(manifest, 'test-writer');
    });
    ({ writer, gallery } = fixture);
  });

  afterAll(() => fixture?.dispose());

  it('returns the gallery from its manifest, found through the index object, with links to every image', async () => {
    gallery.s3Calls.length = 0;
    const res = await fetch(`${gallery.url}/gallery/${manifest.id}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as GalleryDetailResponse;
    expect(body).toEqual({
      galleryId: manifest.id,
      prompt: manifest.prompt,
      parameters: { steps: 25, guidance: 7, seed: 1234 },
      createdAt: '2026-03-04T05:06:07.089Z',
      models: ['model-0', 'model-1', 'model-2', 'model-failed'],
      images: [0, 1, 2].map((i) => ({
        model: `model-${i}`,
        displayName: `Model ${i}`,
        url: `/images/${manifest.id}/${i}-model-${i}.png`,
        thumbnailUrl: `/images/${manifest.id}/${i}-model-${i}.thumb.png`,
        tileUrl: `/images/${manifest.id}/${i}-model-${i}.tile.webp`,
        tile2xUrl: `/images/${manifest.id}/${i}-model-${i}.tile2x.webp`,
        width: 512,
        height: 512,
        bytes: 1000 + i,
      })),
    });
    expect(gallery.s3Calls).toEqual(['GetObjectCommand', 'GetObjectCommand']);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('answers from memory once it has seen a gallery: it never changes', async () => {
    gallery.s3Calls.length = 0;
    expect((await fetch(`${gallery.url}/gallery/${manifest.id}`)).status).toBe(200);
    expect(gallery.s3Calls).toEqual([]);
  });

  it('finds galleries seen in a list page without reading their index object', async () => {
    const listed = manifestOf(new Date('2026-03-05T00:00:00Z'));
    await writer.putGallery(listed, 'test-writer');
    expect((await fetch(`${gallery.url}/gallery/list?limit=1`)).status).toBe(200);
    gallery.s3Calls.length = 0;
    expect((await fetch(`${gallery.url}/gallery/${listed.id}`)).status).toBe(200);
    expect(gallery.s3Calls).toEqual([]);
  });

  it('serves galleries written before tiles and the model list existed, without those fields', async () => {
    const legacy = manifestOf(new Date('2026-01-02T03:04:05.000Z'), { legacy: true });
    await writer.putGallery(legacy, 'test-writer');
    const body = (await (await fetch(`${gallery.url}/gallery/${legacy.id}`)).json()) as GalleryDetailResponse;
    expect(body.models).toBeUndefined();
    expect(body.images.map((image) => Object.keys(image).sort())).toEqual(
      legacy.images.map(() => ['bytes', 'displayName', 'height', 'model', 'thumbnailUrl', 'url', 'width']),
    );
  });

  it('answers 304 to If-None-Match with the current ETag, weak or strong', async () => {
    const first = await fetch(`${gallery.url}/gallery/${manifest.id}`);
    const etag = first.headers.get('etag') as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await fetch(`${gallery.url}/gallery/${manifest.id}`, { headers: { 'If-None-Match': header } });
      expect(again.status).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expect(await again.text()).toBe('');
    }
    const stale = await fetch(`${gallery.url}/gallery/${manifest.id}`, { headers: { 'If-None-Match': '"stale"' } });
    expect(stale.status).toBe(200);
  });

  it('answers 404 GALLERY_NOT_FOUND for a job id without a gallery', async () => {
    const res = await fetch(`${gallery.url}/gallery/${randomUUID()}`, { headers: { 'X-Correlation-ID': 'detail-404' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'GALLERY_NOT_FOUND', correlationId: 'detail-404' });
  });

  it('never follows an index object to another job’s manifest', async () => {
    const id = randomUUID();
    await writer.putJson(galleryIndexKey(id), { manifestKey: manifestKey(new Date(manifest.createdAt), manifest.id) }, 'test');
    expect((await fetch(`${gallery.url}/gallery/${id}`)).status).toBe(404);
  });

  it.each([
    'not-a-uuid',
    'list2',
    `0000000000000-${randomUUID()}.json`,
    '6F1C2A9E-5B1D-4C1E-9A57-0D8F1F2C3B4A',
    '6f1c2a9e-5b1d-1c1e-9a57-0d8f1f2c3b4a',
    '..%2Fgalleries%2Fx.json',
    '%2e%2e',
    'a'.repeat(36),
    '6f1c2a9e-5b1d-4c1e-9a57-0d8f1f2c3b4a%00',
    '6f1c2a9e-5b1d-4c1e-9a57-0d8f1f2c3b4a.json',
  ])('answers 404 for the junk id %s without touching S3', async (id) => {
    gallery.s3Calls.length = 0;
    const res = await rawGet(gallery.url, `/gallery/${id}`);
    expect(res.status).toBe(404);
    expect((JSON.parse(res.body.toString()) as ErrorBody).error).toBe('GALLERY_NOT_FOUND');
    expect(gallery.s3Calls).toEqual([]);
  });

  it('does not reach manifests or index objects by path', async () => {
    for (const path of [
      `/gallery/../galleries/${manifestKey(new Date(manifest.createdAt), manifest.id).slice('galleries/'.length)}`,
      `/gallery/${manifest.id}/../../gallery-ids/${manifest.id}`,
      `/${galleryIndexKey(manifest.id)}`,
    ]) {
      const res = await rawGet(gallery.url, path);
      expect(res.status).toBe(404);
      expect(res.body.toString()).not.toContain(manifest.prompt);
    }
  });
});
