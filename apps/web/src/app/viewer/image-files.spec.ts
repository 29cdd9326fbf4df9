import { downloadImage, fetchImageBytes, saveBlob } from './image-files';
import type { ViewerImage } from './viewer-image';

const IMAGE: ViewerImage = {
  url: 'https://cdn.example.com/g/aurora.png',
  thumbnailUrl: 'https://cdn.example.com/g/aurora.thumb.png',
  title: 'Aurora',
  fileName: 'aurora.png',
};

/** The bytes in `blob` (jsdom's Blob has no arrayBuffer()). */
function bytesOf(blob: Blob): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve([...new Uint8Array(reader.result as ArrayBuffer)]);
    reader.onerror = () => reject(reader.error);
    reader.readAsArrayBuffer(blob);
  });
}

describe('image files', () => {
  /** Requests made through fetch, with their options. */
  let requests: { url: string; init?: RequestInit }[];
  /** Object URLs handed out and not yet revoked. */
  let objectUrls: Map<string, Blob>;
  /** Downloads the browser was asked for: the clicked link's name and address, and whether it was hidden. */
  let downloads: { name: string; href: string; hidden: boolean }[];
  const recordDownload = (event: Event): void => {
    if (!(event.target instanceof HTMLAnchorElement)) return;
    // jsdom cannot navigate; a browser would save the blob under this name.
    event.preventDefault();
    downloads.push({ name: event.target.download, href: event.target.href, hidden: event.target.hidden === true });
  };

  /** jsdom has no fetch: answer every request with `status` and `bytes`. */
  function serve(status: number, bytes: number[] = []): void {
    globalThis.fetch = async (url, init) => {
      requests.push({ url: String(url), init });
      return { ok: status >= 200 && status < 300, status, arrayBuffer: async () => new Uint8Array(bytes).buffer } as Response;
    };
  }

  beforeEach(() => {
    requests = [];
    objectUrls = new Map();
    downloads = [];
    document.addEventListener('click', recordDownload);
    // jsdom has no object URLs either; these stand in for the browser's.
    let next = 0;
    URL.createObjectURL = (blob: Blob) => {
      const url = `blob:https://pixel-prompt.test/${next++}`;
      objectUrls.set(url, blob);
      return url;
    };
    URL.revokeObjectURL = (url: string) => void objectUrls.delete(url);
  });

  afterEach(() => {
    jest.useRealTimers();
    document.removeEventListener('click', recordDownload);
    Reflect.deleteProperty(globalThis, 'fetch');
    Reflect.deleteProperty(URL, 'createObjectURL');
    Reflect.deleteProperty(URL, 'revokeObjectURL');
  });

  describe('fetchImageBytes', () => {
    it('fetches the full image past the HTTP cache and returns its bytes', async () => {
      serve(200, [137, 80, 78, 71]);

      const bytes = await fetchImageBytes(IMAGE);

      expect([...bytes]).toEqual([137, 80, 78, 71]);
      expect(requests).toEqual([{ url: IMAGE.url, init: { cache: 'no-store' } }]);
    });

    it('fails with the file name and HTTP status when the image cannot be had', async () => {
      serve(404);

      await expect(fetchImageBytes(IMAGE)).rejects.toThrow('aurora.png could not be fetched (HTTP 404)');
    });

    it('passes on network failures', async () => {
      globalThis.fetch = async () => {
        throw new TypeError('Failed to fetch');
      };

      await expect(fetchImageBytes(IMAGE)).rejects.toThrow('Failed to fetch');
    });
  });

  describe('saveBlob', () => {
    it('has the browser save the blob under the file name through a hidden link it cleans up', () => {
      const blob = new Blob([new Uint8Array([1, 2, 3])]);

      saveBlob(blob, 'images.zip');

      expect(downloads).toEqual([{ name: 'images.zip', href: 'blob:https://pixel-prompt.test/0', hidden: true }]);
      expect(objectUrls.get('blob:https://pixel-prompt.test/0')).toBe(blob);
      expect(document.querySelector('a[download]')).toBeNull();
    });

    it('keeps the object URL valid long enough for the download to start, then frees it', () => {
      jest.useFakeTimers();

      saveBlob(new Blob(['x']), 'a.png');

      jest.advanceTimersByTime(59_999);
      expect(objectUrls.size).toBe(1);
      jest.advanceTimersByTime(1);
      expect(objectUrls.size).toBe(0);
    });
  });

  describe('downloadImage', () => {
    it('saves the fetched bytes under the image’s own file name', async () => {
      serve(200, [137, 80, 78, 71]);

      await downloadImage(IMAGE);

      expect(downloads).toEqual([{ name: 'aurora.png', href: 'blob:https://pixel-prompt.test/0', hidden: true }]);
      const saved = objectUrls.get('blob:https://pixel-prompt.test/0');
      expect(saved && (await bytesOf(saved))).toEqual([137, 80, 78, 71]);
    });

    it('saves nothing when the image cannot be fetched', async () => {
      serve(500);

      await expect(downloadImage(IMAGE)).rejects.toThrow('HTTP 500');

      expect(downloads).toEqual([]);
      expect(objectUrls.size).toBe(0);
    });
  });
});
