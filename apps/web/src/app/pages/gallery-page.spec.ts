import { type ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { GalleryListResponse, GallerySummary } from '@pixel-prompt/contracts';
import { queryButton } from '../../testing/dom';
import { type FakeFetch, type PendingRequest, provideFakeFetch } from '../../testing/fake-fetch';
import { loadRuntimeConfig } from '../../testing/runtime-config';
import { GalleryPage } from './gallery-page';

const LIST_URL = '/api/gallery/list';

function summary(n: number): GallerySummary {
  return {
    id: `job-${n}`,
    timestamp: new Date(Date.UTC(2026, 10, 23, 12, 0, 0) - n * 60_000).toISOString(),
    prompt: `Prompt number ${n}`,
    imageCount: n % 3 === 0 ? 1 : 3,
    preview: `/images/job-${n}/0-aurora.png`,
    previewThumbnail: n === 1 ? `https://cdn.example.com/job-1/0-aurora.thumb.png` : `/images/job-${n}/0-aurora.thumb.png`,
    // Galleries from before tiles have none: the first one here.
    ...(n === 1 ? {} : { previewTile: `/images/job-${n}/0-aurora.tile.webp`, previewTile2x: `/images/job-${n}/0-aurora.tile2x.webp` }),
  };
}

/**
 * jsdom has no IntersectionObserver. This one reports what a browser would when the test says the
 * observed marker has scrolled into view, and remembers what is being observed.
 */
class ReportingIntersectionObserver {
  static latest: ReportingIntersectionObserver | undefined;
  readonly observed = new Set<Element>();
  observeCalls = 0;

  constructor(private readonly callback: IntersectionObserverCallback) {
    ReportingIntersectionObserver.latest = this;
  }
  observe(target: Element): void {
    this.observed.add(target);
    this.observeCalls++;
  }
  unobserve(target: Element): void {
    this.observed.delete(target);
  }
  disconnect(): void {
    this.observed.clear();
  }
  report(isIntersecting: boolean): void {
    const entries = [...this.observed].map((target) => ({ isIntersecting, target }) as IntersectionObserverEntry);
    this.callback(entries, this as unknown as IntersectionObserver);
  }
}

describe('GalleryPage', () => {
  let fixture: ComponentFixture<GalleryPage>;
  let http: FakeFetch;

  function page(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }
  function items(): HTMLAnchorElement[] {
    return Array.from(page().querySelectorAll<HTMLAnchorElement>('[data-testid="gallery-item"]'));
  }
  function button(name: string): HTMLButtonElement | undefined {
    return queryButton(page(), name);
  }
  const isListRequest = (request: PendingRequest) => request.url.startsWith(`${LIST_URL}?`);
  function expectPage(cursor?: string): PendingRequest {
    const request = http.expectOne(isListRequest);
    const query = new URL(request.url, 'http://localhost').searchParams;
    expect(query.get('limit')).toBe('24');
    expect(query.get('cursor')).toBe(cursor ?? null);
    // Revalidated, so a gallery generated moments ago shows even if the list was cached.
    expect(request.init.cache).toBe('no-cache');
    return request;
  }
  function expectNoPageRequest(): void {
    expect(http.match(isListRequest)).toEqual([]);
  }
  async function answer(request: PendingRequest, body: GalleryListResponse): Promise<void> {
    request.flush(body);
    await fixture.whenStable();
  }
  async function render(): Promise<void> {
    await loadRuntimeConfig(http, { apiBaseUrl: '/api' });
    fixture = TestBed.createComponent(GalleryPage);
    // Renders; whenStable() would wait for the first page, which each test answers itself.
    TestBed.tick();
  }

  beforeEach(() => {
    http = provideFakeFetch();
    TestBed.configureTestingModule({ providers: [provideRouter([])] });
  });

  afterEach(() => {
    http.verify();
    Reflect.deleteProperty(globalThis, 'IntersectionObserver');
    ReportingIntersectionObserver.latest = undefined;
  });

  it('shows the first page newest first, with links, sized lazy tiles (thumbnails for older galleries) and prompts', async () => {
    await render();
    const request = expectPage();
    expect(page().querySelector('[role="status"]')?.textContent).toContain('Loading');

    await answer(request, { galleries: [summary(1), summary(2)], nextCursor: 'c1' });

    expect(page().querySelector('h1')?.textContent).toBe('Gallery');
    expect(items().map((item) => item.getAttribute('href'))).toEqual(['/gallery/job-1', '/gallery/job-2']);
    expect(items()[0].textContent).toContain('Prompt number 1');
    expect(items()[0].querySelector('time')?.getAttribute('datetime')).toBe(summary(1).timestamp);
    const thumbnails = items().map((item) => item.querySelector('img') as HTMLImageElement);
    expect(thumbnails.map((img) => [img.getAttribute('src'), img.getAttribute('srcset')])).toEqual([
      ['https://cdn.example.com/job-1/0-aurora.thumb.png', null],
      ['/api/images/job-2/0-aurora.tile.webp', '/api/images/job-2/0-aurora.tile.webp 288w, /api/images/job-2/0-aurora.tile2x.webp 576w'],
    ]);
    expect(thumbnails[0].getAttribute('loading')).toBe('lazy');
    expect([thumbnails[0].getAttribute('width'), thumbnails[0].getAttribute('height')]).toEqual(['288', '288']);
  });

  it('pages on with "Load more" until the last page, then offers no more', async () => {
    await render();
    await answer(expectPage(), { galleries: [summary(1)], nextCursor: 'c1' });

    button('Load more')?.click();
    TestBed.tick();
    // The button gives way to the loading state, so it cannot ask for the same page twice.
    expect(button('Load more')).toBeUndefined();
    await answer(expectPage('c1'), { galleries: [summary(2)], nextCursor: 'c2' });

    button('Load more')?.click();
    await answer(expectPage('c2'), { galleries: [summary(3)], nextCursor: null });

    expect(items().map((item) => item.getAttribute('href'))).toEqual(['/gallery/job-1', '/gallery/job-2', '/gallery/job-3']);
    expect(button('Load more')).toBeUndefined();
  });

  it('loads the next page when the end of the list scrolls into view, once while in flight, never after the last', async () => {
    globalThis.IntersectionObserver = ReportingIntersectionObserver as unknown as typeof IntersectionObserver;
    await render();
    const observer = ReportingIntersectionObserver.latest as ReportingIntersectionObserver;
    expect(observer.observed.size).toBe(1);

    // The marker is in view at once on an empty page; the first page is already on its way.
    observer.report(true);
    await answer(expectPage(), { galleries: [summary(1)], nextCursor: 'c1' });

    observer.report(true);
    observer.report(true);
    const second = expectPage('c1');
    expectNoPageRequest();
    const observeCallsBefore = observer.observeCalls;
    await answer(second, { galleries: [summary(2)], nextCursor: null });
    // Observed afresh after rendering, so a marker still in view is reported again.
    expect(observer.observeCalls).toBe(observeCallsBefore + 1);

    observer.report(true);
    expectNoPageRequest();
    expect(items()).toHaveLength(2);
  });

  it('says so when there are no galleries', async () => {
    await render();
    await answer(expectPage(), { galleries: [], nextCursor: null });

    expect(items()).toHaveLength(0);
    expect(page().querySelector('.empty')?.textContent).toContain('No galleries yet');
    expect(button('Load more')).toBeUndefined();
  });

  it('shows a friendly error with Retry, and does not retry by itself', async () => {
    globalThis.IntersectionObserver = ReportingIntersectionObserver as unknown as typeof IntersectionObserver;
    await render();
    await answer(expectPage(), { galleries: [summary(1)], nextCursor: 'c1' });
    const observer = ReportingIntersectionObserver.latest as ReportingIntersectionObserver;

    observer.report(true);
    expectPage('c1').flush(
      { error: 'SERVICE_UNAVAILABLE', message: 'gallery down', correlationId: 'abc' },
      503,
    );
    await fixture.whenStable();

    const alert = page().querySelector('[role="alert"]');
    expect(alert?.textContent).toContain('Pixel Prompt is busy or being updated');
    expect(alert?.textContent).not.toContain('SERVICE_UNAVAILABLE');
    observer.report(true);
    expectNoPageRequest();

    button('Retry')?.click();
    await answer(expectPage('c1'), { galleries: [summary(2)], nextCursor: null });
    expect(page().querySelector('[role="alert"]')).toBeNull();
    expect(items()).toHaveLength(2);
  });
});
