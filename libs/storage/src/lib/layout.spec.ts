import { imageKeys, manifestKey, mimeTypeOfKey } from './layout';

describe('bucket layout', () => {
  it('keeps images of a job under images/<jobId>/ with distinct keys per model', () => {
    expect(imageKeys('job-1', 3, 'aurora', 'image/png')).toEqual({
      image: 'images/job-1/3-aurora.png',
      thumbnail: 'images/job-1/3-aurora.thumb.png',
    });
    expect(() => imageKeys('job-1', 0, 'x', 'text/html')).toThrow('unsupported image type');
    expect(mimeTypeOfKey('images/job-1/3-aurora.thumb.webp')).toBe('image/webp');
    expect(() => mimeTypeOfKey('galleries/1-job.json')).toThrow('not an image key');
  });

  it('names manifests so that ascending key order is newest first', () => {
    const times = ['2026-01-01T00:00:00.000Z', '2026-11-22T12:00:00.000Z', '2026-11-22T12:00:00.001Z', '2030-05-05T00:00:00Z'];
    const keys = times.map((t, i) => manifestKey(new Date(t), `job-${i}`));
    expect([...keys].sort()).toEqual([...keys].reverse());
    expect(keys[0]).toMatch(/^galleries\/\d{13}-job-0\.json$/);
  });

  it('never collides for galleries created in the same millisecond', () => {
    const at = new Date('2026-11-22T12:00:00.000Z');
    expect(manifestKey(at, 'a')).not.toBe(manifestKey(at, 'b'));
  });
});
