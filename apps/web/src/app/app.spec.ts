import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { Title } from '@angular/platform-browser';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { loadRuntimeConfig } from '../testing/runtime-config';
import { App } from './app';
import { appRoutes } from './app.routes';

describe('App shell', () => {
  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [provideRouter(appRoutes), provideHttpClient(), provideHttpClientTesting()],
    });
    await loadRuntimeConfig();
  });

  afterEach(() => TestBed.inject(HttpTestingController).verify());

  it('renders the landmarks, the navigation and the API status', async () => {
    const fixture = TestBed.createComponent(App);
    TestBed.tick();
    TestBed.inject(HttpTestingController).expectOne('/api/health/ready').flush({ status: 'ok', checks: {} });
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
    ['/', 'One prompt, many models', 'Pixel Prompt'],
    ['/gallery', 'Gallery', 'Gallery · Pixel Prompt'],
    ['/no/such/page', 'Page not found', 'Page not found · Pixel Prompt'],
  ])('lazily loads the page for %s', async (url, heading, title) => {
    const harness = await RouterTestingHarness.create(url);

    expect(harness.routeNativeElement?.querySelector('h1')?.textContent).toBe(heading);
    expect(TestBed.inject(Title).getTitle()).toBe(title);
  });

  it('says honestly that there are no galleries yet', async () => {
    const harness = await RouterTestingHarness.create('/gallery');

    expect(harness.routeNativeElement?.textContent).toContain('No galleries yet.');
  });
});
