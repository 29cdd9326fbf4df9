import { galleryIndexKey, imageKeys, isImageKey, isJobId, jobIdOfManifestKey, manifestKey, mimeTypeOfKey, modelImagesPrefix } from './layout';

const JOB = '6f1c2a9e-5b1d-4c1e-9a57-0d8f1f2c3b4a';

describe('bucket layout', () => {
  it('keeps images of a job under images/<jobId>/ with distinct keys per model', () => {
    expect(imageKeys('job-1', 3, 'aurora', 'image/png')).toEqual({
      image: 'images/job-1/3-aurora.png',
      thumbnail: 'images/job-1/3-aurora.thumb.png',
      tile: 'images/job-1/3-aurora.tile.webp',
      tile2x: 'images/job-1/3-aurora.tile2x.webp',
    });
    expect(() => imageKeys('job-1', 0, 'x', 'text/html')).toThrow('unsupported image type');
    expect(mimeTypeOfKey('images/job-1/3-aurora.thumb.webp')).toBe('image/webp');
    expect(() => mimeTypeOfKey('galleries/1-job.json')).toThrow('not an image key');
  });

  it('gives each attempt at a model its own keys, under a prefix no other attempt’s keys start with', () => {
    expect(imageKeys('job-1', 3, 'aurora', 'image/png', 2)).toEqual({
      image: 'images/job-1/3-aurora_retry2.png',
      thumbnail: 'images/job-1/3-aurora_retry2.thumb.png',
      tile: 'images/job-1/3-aurora_retry2.tile.webp',
      tile2x: 'images/job-1/3-aurora_retry2.tile2x.webp',
    });
    // A late deletion of a failed attempt's images must leave every other attempt's alone.
    const attempts = [0, 1, 2, 10, 11].map((retries) => ({ prefix: modelImagesPrefix('job-1', 3, 'aurora', retries), keys: Object.values(imageKeys('job-1', 3, 'aurora', 'image/png', retries)) }));
    for (const { prefix } of attempts) {
      for (const other of attempts) expect(other.keys.every((key) => key.startsWith(prefix))).toBe(other.prefix === prefix);
    }
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

describe('keys exposed to clients', () => {
  it('accepts exactly the image keys a real job produces', () => {
    for (const key of Object.values(imageKeys(JOB, 12, 'neon-dreams', 'image/webp'))) expect(isImageKey(key)).toBe(true);
    expect(isImageKey(imageKeys(JOB, 0, 'aurora', 'image/jpeg').image)).toBe(true);
    for (const key of Object.values(imageKeys(JOB, 4, 'aurora', 'image/png', 12))) expect(isImageKey(key)).toBe(true);
  });

  it.each([
    manifestKey(new Date(), JOB),
    galleryIndexKey(JOB),
    `images/${JOB}/0-aurora.json`,
    `images/${JOB}/0-aurora.png/../../galleries/x.json`,
    `images/../galleries/0-${JOB}.json`,
    `images/${JOB}/%2e%2e/0-aurora.png`,
    `images/${JOB.toUpperCase()}/0-aurora.png`,
    `images/job-1/0-aurora.png`,
    `images/${JOB}/0-Aurora.png`,
    `images/${JOB}/x-aurora.png`,
    `/images/${JOB}/0-aurora.png`,
    `images/${JOB}/0-aurora.png\n`,
    `images/${JOB}/0-aurora.tile3x.webp`,
    `images/${JOB}/0-aurora_retry0.png`,
    `images/${JOB}/0-aurora_retry.png`,
    `images/${JOB}/0-aurora.thumb_retry1.png`,
  ])('refuses %s', (key) => {
    expect(isImageKey(key)).toBe(false);
  });
});

describe('finding a manifest by job id', () => {
  it('names the index object after the job id', () => {
    expect(galleryIndexKey(JOB)).toBe(`gallery-ids/${JOB}`);
  });

  it('reads the job id back from a well-formed manifest key only', () => {
    expect(jobIdOfManifestKey(manifestKey(new Date('2026-11-22T12:00:00Z'), JOB))).toBe(JOB);
    expect(jobIdOfManifestKey(`galleries/123-${JOB}.json`)).toBeUndefined();
    expect(jobIdOfManifestKey(`images/${JOB}/0-aurora.png`)).toBeUndefined();
  });

  it('recognises job ids as the job store creates them (UUID v4)', () => {
    expect(isJobId(JOB)).toBe(true);
    expect(isJobId(crypto.randomUUID())).toBe(true);
    expect(isJobId('6f1c2a9e-5b1d-1c1e-9a57-0d8f1f2c3b4a')).toBe(false);
    expect(isJobId('../../etc/passwd')).toBe(false);
    expect(isJobId(`${JOB}/..`)).toBe(false);
  });
});
