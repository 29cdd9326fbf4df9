import { bytesOf, recordDownloads } from '../../testing/downloads';
import { downloadImage, fetchImageBytes, imageFileName, saveBlob } from './image-files';
import type { ViewerImage } from './viewer-image';

const IMAGE: ViewerImage = {
  url: 'https://cdn.example.com/g/aurora.png',
  thumbnailUrl: 'https://cdn.example.com/g/aurora.thumb.png',
  title: 'Aurora',
  fileName: 'aurora.png',
};

describe('image files', () => {
  const { saved: downloads, objectUrls } = recordDownloads();
  /** Requests made through fetch, with their options. */
  let requests: { url: string; init?: RequestInit }[];

  /** jsdom has no fetch: answer every request with `status` and `bytes`. */
  function serve(status: number, bytes: number[] = []): void {
    globalThis.fetch = async (url, init) => {
      requests.push({ url: String(url), init });
      return { ok: status >= 200 && status < 300, status, arrayBuffer: async () => new Uint8Array(bytes).buffer } as Response;
    };
  }

  beforeEach(() => {
    requests = [];
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  describe('imageFileName', () => {
    it('names the file after the model, with the extension of the URL path (query and case ignored)', () => {
      expect(imageFileName('aurora', '/images/job-1/0-aurora.png')).toBe('aurora.png');
      expect(imageFileName('nimbus', 'https://cdn.example.com/job-1/1-nimbus.WEBP?Signature=a.b')).toBe('nimbus.webp');
    });

    it('falls back to PNG for a URL without an extension', () => {
      expect(imageFileName('comet', 'https://cdn.example.com/job-1/2-comet?x=1.jpg')).toBe('comet.png');
    });
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
      expect(saved && (await bytesOf(saved))).toEqual(new Uint8Array([137, 80, 78, 71]));
    });

    it('saves nothing when the image cannot be fetched', async () => {
      serve(500);

      await expect(downloadImage(IMAGE)).rejects.toThrow('HTTP 500');

      expect(downloads).toEqual([]);
      expect(objectUrls.size).toBe(0);
    });
  });
});
