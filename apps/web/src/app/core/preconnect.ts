/**
 * Lets the browser open the connection to the image CDN while the page is still starting, instead
 * of when the first image is requested. Images are fetched without credentials, hence crossorigin
 * is not set.
 */
export function preconnect(document: Document, origin: string | undefined): void {
  if (!origin || document.head.querySelector(`link[rel="preconnect"][href="${origin}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'preconnect';
  link.href = origin;
  document.head.appendChild(link);
}
