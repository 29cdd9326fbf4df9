import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { type WebRuntimeConfig, parseWebRuntimeConfig } from '@pixel-prompt/contracts';
import { firstValueFrom } from 'rxjs';

/** Served next to index.html, so one build serves every environment (see public/config.json). */
export const RUNTIME_CONFIG_URL = '/config.json';

/** The runtime configuration, loaded once by the app initializer before anything renders. */
@Injectable({ providedIn: 'root' })
export class RuntimeConfig {
  private readonly http = inject(HttpClient);
  private config: WebRuntimeConfig | undefined;

  /** Fetches and validates config.json; rejects (and so stops the app from starting) if it is unusable. */
  async load(): Promise<void> {
    const body = await firstValueFrom(this.http.get<unknown>(RUNTIME_CONFIG_URL));
    this.config = parseWebRuntimeConfig(body);
  }

  /** Absolute or root-relative URL of an API path such as `/health/ready`. */
  apiUrl(path: `/${string}`): string {
    if (!this.config) throw new Error('RuntimeConfig used before load()');
    return this.config.apiBaseUrl + path;
  }

  /**
   * URL of an image the API named: absolute URLs (CDN, possibly signed) are used as they are;
   * root-relative ones (`/images/...`) are served by the API and get its base URL.
   */
  mediaUrl(url: string): string {
    return url.startsWith('/') && !url.startsWith('//') ? this.apiUrl(url as `/${string}`) : url;
  }

  /** Origin images come from when it is not the API's, for an early connection; undefined otherwise. */
  cdnOrigin(): string | undefined {
    return this.config?.cdnOrigin;
  }

  /** Whether a request goes to the API; false until the configuration is loaded. */
  isApiUrl(url: string): boolean {
    const base = this.config?.apiBaseUrl;
    if (base === undefined) return false;
    return url === base || url.startsWith(`${base}/`) || url.startsWith(`${base}?`);
  }
}
