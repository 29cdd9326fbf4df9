import type { ViewerImage } from './viewer-image';

/**
 * `aurora.png`: the model id with the extension of the image's URL path (signed URLs carry a query);
 * images without one are saved as PNG.
 */
export function imageFileName(model: string, url: string): string {
  const path = new URL(url, 'http://relative.invalid').pathname;
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? 'png';
  return `${model}.${extension}`;
}

/** How long a saved file's object URL stays valid: revoking it at once can cancel the download. */
const OBJECT_URL_LIFETIME_MS = 60_000;

/**
 * The image's bytes. Fetched rather than linked: `<a download>` ignores the file name (and just
 * navigates) for cross-origin URLs such as a CDN's, but a blob URL is always same-origin.
 */
export async function fetchImageBytes(image: ViewerImage): Promise<Uint8Array<ArrayBuffer>> {
  // Past the HTTP cache: the copy an <img> left there was fetched without CORS, and a CDN that does
  // not answer with `Vary: Origin` would have it reused for this CORS request, which then fails.
  const response = await fetch(image.url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${image.fileName} could not be fetched (HTTP ${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Hands `blob` to the browser as a download named `fileName`. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), OBJECT_URL_LIFETIME_MS);
}

/** Downloads one image under its own file name. */
export async function downloadImage(image: ViewerImage): Promise<void> {
  const bytes = await fetchImageBytes(image);
  saveBlob(new Blob([bytes]), image.fileName);
}
