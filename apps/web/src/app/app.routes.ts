import type { Routes, UrlMatcher } from '@angular/router';
import { HomePage } from './pages/home-page';

/**
 * `/` (a new generation) and `/g/:jobId` (one generation, which a reload, Back or a shared link
 * opens again) are one route: moving between them keeps the page and only changes the generation.
 */
export const generateMatcher: UrlMatcher = (segments) => {
  if (segments.length === 0) return { consumed: [] };
  const [first, jobId] = segments;
  if (segments.length === 2 && first?.path === 'g' && jobId) return { consumed: segments, posParams: { jobId } };
  return null;
};

/** Every page is its own lazy chunk; the initial bundle holds only the shell and the start page's heading. */
export const appRoutes: Routes = [
  {
    matcher: generateMatcher,
    // The generation's prompt replaces this once it has loaded.
    title: 'Pixel Prompt',
    component: HomePage,
    children: [{ path: '', loadComponent: () => import('./generate/generate-page').then((m) => m.GeneratePage) }],
  },
  {
    path: 'gallery',
    title: 'Gallery · Pixel Prompt',
    loadComponent: () => import('./pages/gallery-page').then((m) => m.GalleryPage),
  },
  {
    path: 'gallery/:id',
    // The page names itself after the gallery's prompt once it has loaded.
    title: 'Gallery · Pixel Prompt',
    loadComponent: () => import('./gallery/gallery-detail-page').then((m) => m.GalleryDetailPage),
  },
  {
    path: '**',
    title: 'Page not found · Pixel Prompt',
    loadComponent: () => import('./pages/not-found-page').then((m) => m.NotFoundPage),
  },
];
