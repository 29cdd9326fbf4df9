/**
 * Lets the browser open the connection to the image CDN while the page is still starting, instead
 * of when the first image is requested. No crossorigin attribute: the images are <img> loads
 * without one, and a crossorigin preconnect would open a connection only CORS requests use.
 */
export function preconnect(document: Document, origin: string | undefined): void {
  if (!origin || document.head.querySelector(`link[rel="preconnect"][href="${origin}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'preconnect';
  link.href = origin;
  document.head.appendChild(link);
}
