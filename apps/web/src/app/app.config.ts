import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import {
  type ApplicationConfig,
  inject,
  provideAppInitializer,
  provideBrowserGlobalErrorListeners,
} from '@angular/core';
import { provideRouter } from '@angular/router';
import { appRoutes } from './app.routes';
import { correlationIdInterceptor } from './core/correlation-id.interceptor';
import { RuntimeConfig } from './core/runtime-config';

// Zoneless change detection is Angular's default since v21: no zone.js, no provider needed.
export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideHttpClient(withFetch(), withInterceptors([correlationIdInterceptor])),
    // Nothing renders until config.json is loaded: every API call needs its base URL.
    provideAppInitializer(() => inject(RuntimeConfig).load()),
    provideRouter(appRoutes),
  ],
};
