/**
 * The web app's runtime configuration, fetched from `/config.json` at start so that one build
 * serves every environment.
 */
export interface WebRuntimeConfig {
  /** Base URL of the public API (the gateway), without a trailing slash: `/api` or `https://api.example.com`. */
  apiBaseUrl: string;
}

export function parseWebRuntimeConfig(value: unknown): WebRuntimeConfig {
  if (typeof value !== 'object' || value === null) {
    throw new Error('config.json must hold a JSON object');
  }
  const apiBaseUrl = (value as Record<string, unknown>)['apiBaseUrl'];
  if (typeof apiBaseUrl !== 'string' || apiBaseUrl.length === 0) {
    throw new Error('config.json: apiBaseUrl must be a non-empty string');
  }
  return { apiBaseUrl: apiBaseUrl.replace(/\/+$/, '') };
}
