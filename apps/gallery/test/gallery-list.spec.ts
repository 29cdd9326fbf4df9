import type { ErrorBody, GalleryListResponse } from '@pixel-prompt/contracts';
import type { GalleryManifest, ObjectStorage } from '@pixel-prompt/storage';
import { type GalleryFixture, type InProcessGallery, galleryFixture, writeGalleries } from './support';

const NEWEST = new Date('2026-06-01T12:00:00.000Z');

describe('GET /gallery/list', () => {
  let fixture: GalleryFixture;
  let writer: ObjectStorage;
  let gallery: InProcessGallery;
  let seeded: GalleryManifest[];

  beforeAll(async () => {
    fixture = await galleryFixture(async (w) => {
      seeded = await writeGalleries(w, 250, NEWEST);
    });
    ({ writer, gallery } = fixture);
  });

  afterAll(() => fixture?.dispose());

  async function page(query: string): Promise<{ res: Response; body: GalleryListResponse }> {
    const res = await fetch(`${gallery.url}/gallery/list${query}`);
    expect(res.status).toBe(200);
    return { res, body: (await res.json()) as GalleryListResponse };
  }

  /** Follows nextCursor to the end; `between` runs after each page. Returns the ids in order. */
  async function walk(limit: number, between: (pageIndex: number) => Promise<void> = async () => undefined): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let index = 0; index === 0 || cursor; index++) {
      const { body } = await page(`?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...body.galleries.map((g) => g.id));
      cursor = body.nextCursor;
      await between(index);
    }
    return ids;
  }

  function count(calls: string[], command: string): number {
    return calls.filter((c) => c === command).length;
  }

  it('walks 250 galleries 24 at a time, newest first, each once, with one LIST per page', async () => {
    gallery.s3Calls.length = 0;
    const listsPerPage: number[] = [];
    let manifestGets = 0;
    const ids = await walk(24, async () => {
      listsPerPage.push(count(gallery.s3Calls, 'ListObjectsV2Command'));
      manifestGets += count(gallery.s3Calls, 'GetObjectCommand');
      gallery.s3Calls.length = 0;
    });

    expect(ids).toEqual(seeded.map((m) => m.id));
    expect(listsPerPage).toEqual(Array(11).fill(1));
    expect(manifestGets).toBe(250);
  });

  it('serves pages it has seen from its manifest cache: repeated walks cost one LIST per page and nothing else', async () => {
    gallery.s3Calls.length = 0;
    const ids = await walk(24);
    expect(ids).toHaveLength(250);
    expect(gallery.s3Calls).toEqual(Array(11).fill('ListObjectsV2Command'));
  });

  it('summarises each gallery from its manifest, with links to its first image', async () => {
    const { res, body } = await page('');
    expect(body.galleries).toHaveLength(24);
    const [newest] = seeded;
    expect(body.galleries[0]).toEqual({
      id: newest?.id,
      timestamp: NEWEST.toISOString(),
      prompt: newest?.prompt,
      imageCount: 2,
      preview: `/images/${newest?.id}/0-model-0.png`,
      previewThumbnail: `/images/${newest?.id}/0-model-0.thumb.png`,
      previewTile: `/images/${newest?.id}/0-model-0.tile.webp`,
      previewTile2x: `/images/${newest?.id}/0-model-0.tile2x.webp`,
    });
    expect(body.nextCursor).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));
    expect(res.headers.get('cache-control')).toBe('public, max-age=10');
  });

  it('answers 304 to a client that holds the current page', async () => {
    const { res } = await page('?limit=5');
    const etag = res.headers.get('etag') as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await fetch(`${gallery.url}/gallery/list?limit=5`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it.each([
    ['?limit=0', ['limit']],
    ['?limit=101', ['limit']],
    ['?limit=ten', ['limit']],
    ['?limit=2.5', ['limit']],
    ['?limit=', ['limit']],
    ['?limit=5&limit=6', ['limit']],
    ['?cursor=not*base64', ['cursor']],
    [`?cursor=${Buffer.from('images/x.png').toString('base64url')}`, ['cursor']],
    [`?cursor=${Buffer.from('galleries/\n').toString('base64url')}`, ['cursor']],
    ['?cursor=', ['cursor']],
    ['?limit=1000&cursor=%00', ['limit', 'cursor']],
  ])('refuses %s with 400 naming the bad parameters, before any S3 call', async (query, fields) => {
    gallery.s3Calls.length = 0;
    const res = await fetch(`${gallery.url}/gallery/list${query}`, { headers: { 'X-Correlation-ID': 'list-400' } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body).toMatchObject({ error: 'VALIDATION_FAILED', correlationId: 'list-400' });
    expect((body.details as { field: string }[]).map((d) => d.field)).toEqual(fields);
    expect(gallery.s3Calls).toEqual([]);
  });

  it('stays stable while galleries are added: no duplicates, no gaps, new ones only on a fresh walk', async () => {
    const before = await walk(24);
    let newer: GalleryManifest[] = [];
    let older: GalleryManifest[] = [];

    const during = await walk(24, async (pageIndex) => {
      if (pageIndex !== 1) return;
      // After two pages: galleries newer than all of them, and some older than everything listed.
      newer = await writeGalleries(writer, 10, new Date(NEWEST.getTime() + 60_000));
      older = await writeGalleries(writer, 5, new Date(NEWEST.getTime() - 3_600_000));
    });

    expect(new Set(during).size).toBe(during.length);
    expect(during).toEqual([...before, ...older.map((m) => m.id)]);

    const fresh = await walk(100);
    expect(fresh).toEqual([...newer.map((m) => m.id), ...before, ...older.map((m) => m.id)]);
  });
});
