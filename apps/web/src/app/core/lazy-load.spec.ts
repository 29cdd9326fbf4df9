import { ApplicationRef, ChangeDetectionStrategy, Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter, withNavigationErrorHandler, withRouterConfig } from '@angular/router';
import { LazyLoadFailure, isChunkLoadError } from './lazy-load';

@Component({ changeDetection: ChangeDetectionStrategy.OnPush, template: '<h1>Gallery</h1>' })
class GalleryStub {}

describe('LazyLoadFailure', () => {
  /** Whether the page's chunk loads: the test cuts and restores the "connection". */
  let reachable: boolean;

  beforeEach(() => {
    reachable = false;
    TestBed.configureTestingModule({
      providers: [
        provideRouter(
          [
            {
              path: 'gallery',
              loadComponent: () =>
                reachable ? Promise.resolve(GalleryStub) : Promise.reject(new TypeError('Failed to fetch dynamically imported module: /chunk-A.js')),
            },
          ],
          withRouterConfig({ resolveNavigationPromiseOnError: true }),
          withNavigationErrorHandler((error) => TestBed.inject(LazyLoadFailure).handle(error)),
        ),
      ],
    });
  });

  it('recognises a chunk that failed to load, in the words of each browser', () => {
    expect(isChunkLoadError(new TypeError('Failed to fetch dynamically imported module: x.js'))).toBe(true);
    expect(isChunkLoadError(new TypeError('Importing a module script failed.'))).toBe(true);
    expect(isChunkLoadError(new TypeError('error loading dynamically imported module: x.js'))).toBe(true);
    expect(isChunkLoadError(new TypeError('x is undefined'))).toBe(false);
    expect(isChunkLoadError('Failed to fetch dynamically imported module')).toBe(false);
  });

  it('names the page that could not be loaded, and loads it when the connection returns', async () => {
    const router = TestBed.inject(Router);
    const failure = TestBed.inject(LazyLoadFailure);
    expect(await router.navigateByUrl('/gallery')).toBe(false);
    expect(failure.url()).toBe('/gallery');

    reachable = true;
    window.dispatchEvent(new Event('online'));
    await TestBed.inject(ApplicationRef).whenStable();
    expect([router.url, failure.url()]).toEqual(['/gallery', undefined]);
  });
});
