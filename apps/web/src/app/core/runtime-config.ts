import { Injectable, inject } from '@angular/core';
import { type WebRuntimeConfig, parseWebRuntimeConfig } from '@pixel-prompt/contracts';
import { FETCH } from './fetch';

/** Served next to index.html, so one build serves every environment (see public/config.json). */
export const RUNTIME_CONFIG_URL = '/config.json';

/** The runtime configuration, loaded once by the app initializer before anything renders. */
@Injectable({ providedIn: 'root' })
export class RuntimeConfig {
  private readonly fetch = inject(FETCH);
  private config: WebRuntimeConfig | undefined;

  /** Fetches and validates config.json; rejects (and so stops the app from starting) if it is unusable. */
  async load(): Promise<void> {
    // index.html preloads it. The server marks it no-cache, so a new release never runs on an old copy.
    const response = await this.fetch(RUNTIME_CONFIG_URL);
    if (!response.ok) throw new Error(`${RUNTIME_CONFIG_URL} could not be loaded (HTTP ${response.status})`);
    this.config = parseWebRuntimeConfig(JSON.parse(await response.text()) as unknown);
  }

  /** Whether load() has succeeded; only code that can run before the app starts needs to ask. */
  isLoaded(): boolean {
    return this.config !== undefined;
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
}
