import { randomUUID } from 'node:crypto';
import { loadConfig, s3EnvSchema } from '@pixel-prompt/config';
import { TestS3 } from '@pixel-prompt/testing';
import { type GalleryIndexEntry, type GalleryManifest, ObjectStorage, galleryIndexKey, manifestKey } from '../src';

describe('ObjectStorage against an S3-protocol server', () => {
  let s3: TestS3;
  let storage: ObjectStorage;

  beforeAll(async () => {
    s3 = await TestS3.start();
    storage = new ObjectStorage(loadConfig(s3EnvSchema, s3.env()));
  });

  afterAll(async () => {
    storage.onApplicationShutdown();
    await s3.dispose();
  });

  it('writes a gallery as its manifest plus the index object that finds it by job id', async () => {
    const id = randomUUID();
    const manifest: GalleryManifest = {
      id,
      prompt: 'a lighthouse at dusk',
      parameters: { steps: 20, guidance: 7, seed: 42 },
      createdAt: '2026-11-22T12:00:00.000Z',
      completedAt: '2026-11-22T12:00:09.000Z',
      status: 'completed',
      images: [],
    };

    const key = await storage.putGallery(manifest, 'corr-1');

    expect(key).toBe(manifestKey(new Date(manifest.createdAt), id));
    expect(await storage.getJson<GalleryIndexEntry>(galleryIndexKey(id))).toEqual({ manifestKey: key });
    expect(await storage.getJson<GalleryManifest>(key)).toEqual(manifest);
  });
});
