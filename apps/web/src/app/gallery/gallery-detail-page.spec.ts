import { TestBed } from '@angular/core/testing';
import { Title } from '@angular/platform-browser';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import type { GalleryDetailResponse } from '@pixel-prompt/contracts';
import { unzipSync } from 'fflate';
import { queryButton, whenTextContains } from '../../testing/dom';
import { bytesOf, recordDownloads } from '../../testing/downloads';
import { type FakeFetch, provideFakeFetch } from '../../testing/fake-fetch';
import { loadRuntimeConfig } from '../../testing/runtime-config';
import { GalleryDetailPage, rerunQuery } from './gallery-detail-page';

const PROMPT = 'A lighthouse at dawn & a "red" boat';

const DETAIL: GalleryDetailResponse = {
  galleryId: 'job-1',
  prompt: PROMPT,
  parameters: { steps: 30, guidance: 7.5, seed: 42 },
  createdAt: '2026-11-23T12:00:00.000Z',
  images: [
    {
      model: 'aurora',
      displayName: 'Aurora',
      url: '/images/job-1/0-aurora.png',
      thumbnailUrl: '/images/job-1/0-aurora.thumb.png',
      width: 1024,
      height: 768,
      bytes: 3,
    },
    {
      model: 'nimbus',
      displayName: 'Nimbus',
      url: 'https://cdn.example.com/job-1/1-nimbus.webp?Signature=abc',
      thumbnailUrl: 'https://cdn.example.com/job-1/1-nimbus.thumb.webp?Signature=abc',
      width: 512,
      height: 512,
      bytes: 2,
    },
  ],
};

describe('GalleryDetailPage', () => {
  let harness: RouterTestingHarness;
  let http: FakeFetch;

  function page(): HTMLElement {
    return harness.routeNativeElement as HTMLElement;
  }
  function button(name: string): HTMLButtonElement | undefined {
    return queryButton(page(), name);
  }
  async function open(id = 'job-1'): Promise<void> {
    await loadRuntimeConfig(http, { apiBaseUrl: '/api' });
    harness = await RouterTestingHarness.create();
    await harness.navigateByUrl(`/gallery/${id}`, GalleryDetailPage);
  }
  async function answer(body: object, status = 200): Promise<void> {
    http.expectOne('/api/gallery/job-1').flush(body, status);
    await harness.fixture.whenStable();
  }

  beforeEach(() => {
    http = provideFakeFetch();
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: 'gallery/:id', component: GalleryDetailPage }]),
      ],
    });
  });

  afterEach(() => http.verify());

  it('shows the prompt as heading, the parameters, the creation time and every image', async () => {
    await open();
    expect(page().textContent).toContain('Loading the gallery');
    await answer(DETAIL);

    expect(page().querySelector('h1')?.textContent).toBe(PROMPT);
    expect(TestBed.inject(Title).getTitle()).toBe(`${PROMPT} · Gallery · Pixel Prompt`);
    const facts = Array.from(page().querySelectorAll('.facts div')).map(
      (fact) => `${fact.querySelector('dt')?.textContent?.trim()}: ${fact.querySelector('dd')?.textContent?.trim()}`,
    );
    expect(facts.slice(1)).toEqual(['Steps: 30', 'Guidance: 7.5', 'Seed: 42']);
    expect(page().querySelector('time')?.getAttribute('datetime')).toBe(DETAIL.createdAt);

    const images = Array.from(page().querySelectorAll<HTMLImageElement>('.images img'));
    expect(images.map((img) => img.getAttribute('src'))).toEqual([
      '/api/images/job-1/0-aurora.thumb.png',
      'https://cdn.example.com/job-1/1-nimbus.thumb.webp?Signature=abc',
    ]);
    expect(images.map((img) => img.alt)).toEqual([`Aurora: ${PROMPT}`, `Nimbus: ${PROMPT}`]);
    expect([images[0].getAttribute('width'), images[0].getAttribute('height')]).toEqual(['1024', '768']);
  });

  it('links "Re-run this prompt" to the generate page with the prompt', async () => {
    await open();
    await answer(DETAIL);

    const link = Array.from(page().querySelectorAll('a')).find((a) => a.textContent?.trim() === 'Re-run this prompt');
    const href = new URL(link?.getAttribute('href') ?? '', 'http://localhost');
    expect(href.pathname).toBe('/');
    expect(href.searchParams.get('prompt')).toBe(PROMPT);
  });

  it('opens the viewer at the clicked image, with full-size URLs resolved', async () => {
    await open();
    await answer(DETAIL);

    const second = page().querySelectorAll<HTMLButtonElement>('.images button')[1];
    second.focus();
    second.click();
    await harness.fixture.whenStable();

    const viewer = page().querySelector('[role="dialog"][aria-label="Image viewer"]');
    expect(viewer?.querySelector('[data-testid="viewer-position"]')?.textContent?.trim()).toBe('2 / 2');
    expect(viewer?.querySelector('img.full')?.getAttribute('src')).toBe(DETAIL.images[1].url);

    viewer?.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    await harness.fixture.whenStable();
    expect(viewer?.querySelector('img.full')?.getAttribute('src')).toBe('/api/images/job-1/0-aurora.png');

    viewer?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await harness.fixture.whenStable();
    expect(page().querySelector('[role="dialog"]')).toBeNull();
    expect(document.activeElement).toBe(second);
  });

  it('shows a friendly not-found state for an unknown gallery', async () => {
    await open();
    await answer(
      { error: 'GALLERY_NOT_FOUND', message: 'There is no gallery with this id.', correlationId: 'abc' },
      404,
    );

    expect(page().querySelector('h1')?.textContent).toBe('Gallery not found');
    expect(page().textContent).toContain('This gallery does not exist (any more).');
    expect(page().textContent).not.toContain('GALLERY_NOT_FOUND');
    expect(page().querySelector('a[href="/gallery"]')).not.toBeNull();
    expect(button('Retry')).toBeUndefined();
  });

  it('offers Retry when the gallery could not be loaded, and shows it once it can', async () => {
    await open();
    await answer({ error: 'SERVICE_UNAVAILABLE', message: 'down', correlationId: 'abc' }, 503);

    expect(page().querySelector('[role="alert"]')?.textContent).toContain('Pixel Prompt is busy or being updated');
    // Not whenStable: the page is not stable until the repeated request is answered.
    button('Retry')?.click();
    TestBed.tick();
    await answer(DETAIL);

    expect(page().querySelector('h1')?.textContent).toBe(PROMPT);
  });

  describe('Download all', () => {
    const { saved, objectUrls } = recordDownloads();
    /** What the image hosts serve; a test may take an image away. */
    let served: Record<string, Uint8Array>;

    beforeEach(() => {
      served = {
        '/api/images/job-1/0-aurora.png': new Uint8Array([1, 2, 3]),
        [DETAIL.images[1].url]: new Uint8Array([4, 5]),
      };
      globalThis.fetch = async (url) => {
        const body = served[String(url)];
        return { ok: body !== undefined, status: body ? 200 : 404, arrayBuffer: async () => body?.buffer } as Response;
      };
    });

    /** Waits for the zip's status line to say `text`: zipping runs outside what whenStable() waits for. */
    async function statusSays(text: string): Promise<void> {
      await whenTextContains(page().querySelector('.status') as HTMLElement, text);
    }

    it('downloads one zip holding every image under its model name', async () => {
      await open();
      await answer(DETAIL);

      button('Download all')?.click();
      await statusSays('Zip downloaded');

      expect(saved.map((download) => download.name)).toEqual(['pixel-prompt-job-1.zip']);
      const entries = unzipSync(await bytesOf(objectUrls.get(saved[0].href) as Blob));
      expect(Object.keys(entries).sort()).toEqual(['aurora.png', 'nimbus.webp']);
      expect(entries['aurora.png']).toEqual(new Uint8Array([1, 2, 3]));
      expect(entries['nimbus.webp']).toEqual(new Uint8Array([4, 5]));
    });

    it('says so when an image cannot be fetched', async () => {
      delete served[DETAIL.images[1].url];
      await open();
      await answer(DETAIL);

      button('Download all')?.click();
      await statusSays('could not be zipped');

      expect(saved).toEqual([]);
      expect(button('Download all')?.getAttribute('aria-disabled')).toBe('false');
    });
  });
});

describe('rerunQuery', () => {
  it('carries the prompt, every parameter and every model the generation asked for', () => {
    const detail: GalleryDetailResponse = {
      ...DETAIL,
      parameters: { steps: 30, guidance: 7.5, seed: 42, negativePrompt: 'text', aspectRatio: '3:4' },
      models: ['aurora', 'nimbus', 'failed-one'],
    };
    expect(rerunQuery(detail)).toEqual({
      prompt: PROMPT, steps: 30, guidance: 7.5, seed: 42, negativePrompt: 'text', aspectRatio: '3:4', models: 'aurora,nimbus,failed-one',
    });
  });

  it('takes the models of the images for galleries that did not record the list', () => {
    expect(rerunQuery(DETAIL)).toEqual({ prompt: PROMPT, steps: 30, guidance: 7.5, seed: 42, models: 'aurora,nimbus' });
  });
});
