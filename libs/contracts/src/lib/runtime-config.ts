/**
 * The web app's runtime configuration, fetched from `/config.json` at start so that one build
 * serves every environment.
 */
export interface WebRuntimeConfig {
  /** Base URL of the public API (the gateway), without a trailing slash: `/api` or `https://api.example.com`. */
  apiBaseUrl: string;
  /**
   * Origin images are delivered from when it differs from the API's (`https://cdn.example.com`): the
   * app tells the browser to connect to it early. Omitted when images come through the API.
   */
  cdnOrigin?: string;
}

export function parseWebRuntimeConfig(value: unknown): WebRuntimeConfig {
  if (typeof value !== 'object' || value === null) {
    throw new Error('config.json must hold a JSON object');
  }
  const apiBaseUrl = (value as Record<string, unknown>)['apiBaseUrl'];
  if (typeof apiBaseUrl !== 'string' || apiBaseUrl.length === 0) {
    throw new Error('config.json: apiBaseUrl must be a non-empty string');
  }
  const cdnOrigin = (value as Record<string, unknown>)['cdnOrigin'];
  if (cdnOrigin === undefined) return { apiBaseUrl: apiBaseUrl.replace(/\/+$/, '') };
  if (typeof cdnOrigin !== 'string' || !/^https?:\/\/[^/]+$/.test(cdnOrigin.replace(/\/+$/, ''))) {
    throw new Error('config.json: cdnOrigin must be an origin such as https://cdn.example.com');
  }
  return { apiBaseUrl: apiBaseUrl.replace(/\/+$/, ''), cdnOrigin: cdnOrigin.replace(/\/+$/, '') };
}
