import { generateKeyPairSync, verify } from 'node:crypto';
import type { CompletedEvent, GalleryDetailResponse, ModelEvent } from '@pixel-prompt/contracts';
import { cannedPolicy, parseCloudFrontSignedUrl, readSse, waitFor } from '@pixel-prompt/testing';
import { Pipeline, registryYaml } from './harness';

const CDN = 'https://d111111abcdef8.cloudfront.net';
const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';

/** Behind a private CloudFront distribution every link must be signed: live results as much as galleries. */
describe('image links behind a signing CDN, from submit to gallery', () => {
  let pipeline: Pipeline;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });

  beforeAll(async () => {
    pipeline = await Pipeline.start({
      registryYaml: registryYaml(['aurora', 'ink'], 64),
      env: { CDN_BASE_URL: CDN, CLOUDFRONT_KEY_PAIR_ID: KEY_PAIR_ID, CLOUDFRONT_PRIVATE_KEY: privateKey },
    });
  });

  afterAll(() => pipeline.stop());

  function expectSigned(link: string | undefined): void {
    const { resource, expires, keyPairId, signature } = parseCloudFrontSignedUrl(link ?? '');
    expect(resource.startsWith(`${CDN}/images/`)).toBe(true);
    expect(keyPairId).toBe(KEY_PAIR_ID);
    expect(verify('RSA-SHA1', cannedPolicy(resource, expires), publicKey, signature)).toBe(true);
  }

  it('signs the links of live events and /status, and they match the gallery’s', async () => {
    const { body } = await pipeline.submit({ prompt: 'a lantern in the fog', seed: 5 });
    const stream = await readSse(`${pipeline.gateway.url}${body.eventsUrl}`);
    const completed = stream.events.filter((e) => e.event === 'model_completed').map((e) => (JSON.parse(e.data) as ModelEvent).result);
    expect(completed).toHaveLength(2);
    for (const result of completed) {
      expectSigned(result.imageUrl);
      expectSigned(result.thumbnailUrl);
    }
    const final = JSON.parse(stream.events.at(-1)?.data ?? '{}') as CompletedEvent;
    expect(final.status.status).toBe('completed');

    const status = await pipeline.status(body.jobId);
    for (const result of status.results) {
      expectSigned(result.imageUrl);
      expectSigned(result.thumbnailUrl);
    }

    // The gallery is written after the job ends: wait for it, then compare resources, not signatures
    // (a link's expiry window may have moved on between the two answers).
    const gallery = await waitFor(async () => {
      const res = await fetch(`${pipeline.gateway.url}/gallery/${body.jobId}`);
      return res.status === 200 && ((await res.json()) as GalleryDetailResponse);
    }, { what: 'the gallery to be written', timeoutMs: 30_000 });
    const resources = (links: (string | undefined)[]) => links.map((l) => parseCloudFrontSignedUrl(l ?? '').resource).sort();
    expect(resources(gallery.images.map((i) => i.url))).toEqual(resources(status.results.map((r) => r.imageUrl)));
  });
});
