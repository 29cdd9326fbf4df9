/**
 * Puts `url` on the clipboard; false when the browser cannot: the Clipboard API exists only in
 * secure contexts (HTTPS, localhost), and the browser may refuse.
 */
export async function copyLink(url: string): Promise<boolean> {
  const clipboard = globalThis.navigator?.clipboard;
  if (!clipboard) return false;
  try {
    await clipboard.writeText(url);
    return true;
  } catch {
    return false;
  }
}

/** `url` as an absolute address: links the API gives are root-relative (`/api/images/...`). */
export function absoluteUrl(url: string, base: string): string {
  return new URL(url, base).href;
}
