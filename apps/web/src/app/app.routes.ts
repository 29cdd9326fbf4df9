import type { Routes } from '@angular/router';

/** Every page is its own lazy chunk; the initial bundle holds only the shell. */
export const appRoutes: Routes = [
  {
    path: '',
    pathMatch: 'full',
    title: 'Pixel Prompt',
    loadComponent: () => import('./pages/home-page').then((m) => m.HomePage),
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
