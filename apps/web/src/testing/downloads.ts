/** A download the page asked the browser for: the clicked link's file name and address, and whether it was hidden. */
export interface SavedDownload {
  name: string;
  href: string;
  hidden: boolean;
}

/**
 * jsdom can neither make object URLs nor follow a clicked `<a download>`: for every test of the
 * calling describe this stands in for both, as a browser would, and records what was saved. jsdom
 * has no fetch either; a test sets its own on globalThis, and it is removed after each test.
 */
export function recordDownloads(): { readonly saved: SavedDownload[]; readonly objectUrls: Map<string, Blob> } {
  /** Downloads in the order they were asked for. */
  const saved: SavedDownload[] = [];
  /** Object URLs handed out and not yet revoked. */
  const objectUrls = new Map<string, Blob>();
  const save = (event: Event): void => {
    const link = event.target;
    if (!(link instanceof HTMLAnchorElement)) return;
    // jsdom cannot navigate; a browser would save the blob under this name.
    event.preventDefault();
    saved.push({ name: link.download, href: link.href, hidden: link.hidden === true });
  };

  beforeEach(() => {
    saved.length = 0;
    objectUrls.clear();
    let next = 0;
    document.addEventListener('click', save);
    URL.createObjectURL = (blob: Blob) => {
      const url = `blob:https://pixel-prompt.test/${next++}`;
      objectUrls.set(url, blob);
      return url;
    };
    URL.revokeObjectURL = (url: string) => void objectUrls.delete(url);
  });

  afterEach(() => {
    document.removeEventListener('click', save);
    Reflect.deleteProperty(globalThis, 'fetch');
    Reflect.deleteProperty(URL, 'createObjectURL');
    Reflect.deleteProperty(URL, 'revokeObjectURL');
  });

  return { saved, objectUrls };
}

/** The bytes in `blob` (jsdom's Blob has no arrayBuffer(); FileReader reads it the older way). */
export function bytesOf(blob: Blob): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error);
    reader.readAsArrayBuffer(blob);
  });
}
