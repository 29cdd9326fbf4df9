/**
 * @jest-environment node
 */
// Node, not jsdom: jsdom has no fetch, and these tests fetch real images from a real HTTP server.
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { unzipSync } from 'fflate';
import type { ViewerImage } from './viewer-image';
import { uniqueFileNames, zipImages } from './zip-download';

/** What the server serves: compressible bytes, so a deflated archive would be visibly smaller. */
const FILES: Record<string, Uint8Array> = {
  '/images/aurora.png': new Uint8Array(20_000).fill(1),
  '/images/nimbus.png': new Uint8Array(10_000).fill(2),
  '/images/aurora-again.png': new Uint8Array(5_000).fill(3),
};

describe('zip download', () => {
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const body = FILES[req.url ?? ''];
      res.writeHead(body ? 200 : 404, { 'Content-Type': body ? 'image/png' : 'text/plain' });
      res.end(body ?? 'Not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  });

  function image(path: string, fileName: string): ViewerImage {
    return { url: origin + path, thumbnailUrl: origin + path, title: fileName, fileName };
  }

  it('puts every fetched image into the archive, repeated names numbered', async () => {
    const archive = await zipImages([
      image('/images/aurora.png', 'aurora.png'),
      image('/images/nimbus.png', 'nimbus.png'),
      image('/images/aurora-again.png', 'aurora.png'),
    ]);

    const entries = unzipSync(archive);
    expect(Object.keys(entries).sort()).toEqual(['aurora-2.png', 'aurora.png', 'nimbus.png']);
    expect(entries['aurora.png']).toEqual(FILES['/images/aurora.png']);
    expect(entries['nimbus.png']).toEqual(FILES['/images/nimbus.png']);
    expect(entries['aurora-2.png']).toEqual(FILES['/images/aurora-again.png']);
  });

  it('stores the images without compressing them again', async () => {
    const archive = await zipImages([image('/images/aurora.png', 'aurora.png')]);

    // 20,000 equal bytes deflate to a few dozen; stored, the archive holds all of them.
    expect(archive.length).toBeGreaterThan(20_000);
  });

  it('fails, naming the file, when an image cannot be fetched', async () => {
    await expect(
      zipImages([image('/images/aurora.png', 'aurora.png'), image('/images/gone.png', 'gone.png')]),
    ).rejects.toThrow('gone.png could not be fetched (HTTP 404)');
  });
});

describe('uniqueFileNames', () => {
  it('numbers repeats before the extension and keeps distinct names as they are', () => {
    expect(uniqueFileNames(['a.png', 'b.png', 'a.png', 'a.png', 'a-2.png'])).toEqual([
      'a.png',
      'b.png',
      'a-2.png',
      'a-3.png',
      'a-2-2.png',
    ]);
  });

  it('keeps entries inside the folder the zip is unpacked into', () => {
    expect(uniqueFileNames(['../../evil.png', 'dir\\x.png', ''])).toEqual(['..-..-evil.png', 'dir-x.png', 'image']);
  });
});
