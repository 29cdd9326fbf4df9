import {
  type ApplicationConfig,
  DOCUMENT,
  ErrorHandler,
  inject,
  provideAppInitializer,
  provideBrowserGlobalErrorListeners,
} from '@angular/core';
import { provideRouter } from '@angular/router';
import { appRoutes } from './app.routes';
import { ReportingErrorHandler } from './core/error-reporter';
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
    provideRouter(appRoutes),
  ],
};
