import {
  type ApplicationConfig,
  DOCUMENT,
  ErrorHandler,
  inject,
  provideAppInitializer,
  provideBrowserGlobalErrorListeners,
} from '@angular/core';
import { provideRouter, withNavigationErrorHandler, withRouterConfig } from '@angular/router';
import { appRoutes } from './app.routes';
import { ReportingErrorHandler } from './core/error-reporter';
import { LazyLoadFailure } from './core/lazy-load';
import { preconnect } from './core/preconnect';
import { RuntimeConfig } from './core/runtime-config';

// Zoneless change detection is Angular's default since v21: no zone.js, no provider needed.
export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    { provide: ErrorHandler, useClass: ReportingErrorHandler },
    // Nothing renders until config.json is loaded: every API call needs its base URL.
    provideAppInitializer(async () => {
      const config = inject(RuntimeConfig);
      const document = inject(DOCUMENT);
      await config.load();
      preconnect(document, config.cdnOrigin());
    }),
    provideRouter(
      appRoutes,
      // A page that fails to load is the shell's to explain, not an unhandled rejection.
      withRouterConfig({ resolveNavigationPromiseOnError: true }),
      withNavigationErrorHandler((error) => inject(LazyLoadFailure).handle(error)),
    ),
  ],
};
