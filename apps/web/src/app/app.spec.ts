import { TestBed } from '@angular/core/testing';
import { Title } from '@angular/platform-browser';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { type FakeFetch, provideFakeFetch } from '../testing/fake-fetch';
import { loadRuntimeConfig } from '../testing/runtime-config';
import { App } from './app';
import { appRoutes } from './app.routes';

describe('App shell', () => {
  let fetch: FakeFetch;

  beforeEach(async () => {
    fetch = provideFakeFetch();
    TestBed.configureTestingModule({ providers: [provideRouter(appRoutes)] });
    await loadRuntimeConfig(fetch);
  });

  afterEach(() => fetch.verify());

  it('renders the landmarks, the navigation and the API status', async () => {
    const fixture = TestBed.createComponent(App);
    TestBed.tick();
    fetch.expectOne('/api/health/ready').flush({ status: 'ok', checks: {} });
    await fixture.whenStable();
    const page = fixture.nativeElement as HTMLElement;

    expect(page.querySelector('header')?.textContent).toContain('Pixel Prompt');
    expect(page.querySelector('main router-outlet')).not.toBeNull();
    const links = [...page.querySelectorAll<HTMLAnchorElement>('nav[aria-label="Main"] a')];
    expect(links.map((a) => [a.textContent?.trim(), a.getAttribute('href')])).toEqual([
      ['Generate', '/'],
      ['Gallery', '/gallery'],
    ]);
    expect(page.querySelector('footer')?.textContent).toContain('API: ready');
  });

  it.each([
    ['/', 'One prompt, many models', 'Pixel Prompt', '/api/models'],
    ['/gallery', 'Gallery', 'Gallery · Pixel Prompt', '/api/gallery/list?limit=24'],
    ['/no/such/page', 'Page not found', 'Page not found · Pixel Prompt', undefined],
  ])('lazily loads the page for %s', async (url, heading, title, pageRequest) => {
    const harness = await RouterTestingHarness.create(url);
    // Pages load their data at once; answering is the pages' own tests' business.
    if (pageRequest) fetch.expectOne(pageRequest);

    expect(harness.routeNativeElement?.querySelector('h1')?.textContent).toBe(heading);
    expect(TestBed.inject(Title).getTitle()).toBe(title);
  });

  it('marks Generate as the current page on a generation’s own address, and switches the theme', async () => {
    const fixture = TestBed.createComponent(App);
    const router = TestBed.inject(Router);
    await router.navigateByUrl('/g/6f1c2a9e-5b1d-4c1e-9a57-0d8f1f2c3b4a');
    TestBed.tick();
    fetch.expectOne('/api/health/ready').flush({ status: 'ok', checks: {} });
    // The page asks for its models and the job; answering is the page's own tests' business.
    fetch.match(() => true);
    const page = fixture.nativeElement as HTMLElement;
    const generate = [...page.querySelectorAll('nav a')].find((a) => a.textContent?.trim() === 'Generate');
    expect(generate?.getAttribute('aria-current')).toBe('page');

    const theme = page.querySelector<HTMLButtonElement>('[data-testid="theme"]');
    expect(theme?.textContent?.trim()).toBe('Theme: system');
    theme?.click();
    TestBed.tick();
    expect([theme?.textContent?.trim(), document.documentElement.dataset['theme']]).toEqual(['Theme: dark', 'dark']);
  });
});
