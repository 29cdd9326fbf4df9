import type { Routes } from '@angular/router';
import { HomePage } from './pages/home-page';

/** Every page is its own lazy chunk; the initial bundle holds only the shell and the start page's heading. */
export const appRoutes: Routes = [
  {
    path: '',
    pathMatch: 'full',
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
