import { type CompletedEvent, type JobStatusResponse, type ModelEvent, type ModelsResponse, TILE_SIZE } from '@pixel-prompt/contracts';
import { readSse, waitFor } from '@pixel-prompt/testing';
import sharp from 'sharp';
import { Pipeline } from './harness';

/** The built-in registry: 9 local models at 1024×1024, exactly as `npm start` runs them. */
describe('generation pipeline, built-in models', () => {
  let pipeline: Pipeline;
  let models: ModelsResponse['models'];

  beforeAll(async () => {
    pipeline = await Pipeline.start({ env: { SSE_HEARTBEAT_MS: '1000' } });
    models = ((await (await fetch(`${pipeline.gateway.url}/models`)).json()) as { models: typeof models }).models;
  });

  afterAll(() => pipeline.stop());

  it('offers the 9 built-in models, each saying which controls it honours', () => {
    expect(models).toHaveLength(9);
    expect(new Set(models.map((m) => m.displayName)).size).toBe(9);
    for (const model of models) expect(model.capabilities).toEqual({ size: true, seed: true, steps: true, guidance: true, negativePrompt: false });
  });

  it('generates all 9 images into S3, streams every event in order, completes, and writes the manifest', async () => {
    const submitted = await pipeline.submit({ prompt: '  a lighthouse on a cliff at dusk  ', seed: 7 }, { 'X-Correlation-ID': 'e2e-main-1' });
    expect(submitted.status).toBe(202);
    const { jobId } = submitted.body;
    expect(submitted.body).toEqual({
      jobId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'pending',
      totalModels: 9,
      statusUrl: `/status/${jobId}`,
      eventsUrl: `/jobs/${jobId}/events`,
    });

    const stream = await readSse(`${pipeline.gateway.url}${submitted.body.eventsUrl}`);
    expect(stream.status).toBe(200);
    const types = stream.events.map((e) => e.event);
    expect(types.at(-1)).toBe('completed');
    expect(types.filter((t) => t === 'model_started')).toHaveLength(9);
    expect(types.filter((t) => t === 'model_completed')).toHaveLength(9);
    // Per model: started before completed; ids strictly increasing (Redis stream order).
    for (let index = 0; index < 9; index++) {
      const mine = stream.events.filter((e) => e.event !== 'completed' && (JSON.parse(e.data) as ModelEvent).result.index === index);
      expect(mine.map((e) => e.event)).toEqual(['model_started', 'model_completed']);
    }
    const ids = stream.events.map((e) => (e.id ?? '').split('-').map(Number) as [number, number]);
    ids.slice(1).forEach(([ms, seq], i) => {
      const [prevMs, prevSeq] = ids[i] ?? [0, 0];
      expect(ms > prevMs || (ms === prevMs && seq > prevSeq)).toBe(true);
    });

    const final = (JSON.parse(stream.events.at(-1)?.data ?? '{}') as CompletedEvent).status;
    const status = await pipeline.status(jobId);
    expect(final).toEqual(status);
    expect(status).toMatchObject({ jobId, status: 'completed', totalModels: 9, completedModels: 9, prompt: 'a lighthouse on a cliff at dusk' });
    expect(status.parameters).toEqual({ steps: 25, guidance: 7, seed: 7 });

    for (const result of status.results) {
      expect(result).toMatchObject({ status: 'completed', duration: expect.any(Number) });
      for (const [url, minBytes] of [[result.imageUrl, 10_000], [result.thumbnailUrl, 1_000]] as const) {
        const head = await pipeline.head(Pipeline.keyOf(url));
        expect(head.contentType).toBe('image/png');
        expect(head.cacheControl).toBe('public, max-age=31536000, immutable');
        expect(head.correlationId).toBe('e2e-main-1');
        expect(head.size).toBeGreaterThan(minBytes);
      }
      // Tiles for cards: WebP, the image fitted into TILE_SIZE and twice that.
      for (const [url, size] of [[result.tileUrl, TILE_SIZE], [result.tile2xUrl, 2 * TILE_SIZE]] as const) {
        const head = await pipeline.head(Pipeline.keyOf(url));
        expect({ type: head.contentType, cache: head.cacheControl }).toEqual({ type: 'image/webp', cache: 'public, max-age=31536000, immutable' });
        expect(await sharp(await pipeline.bytes(Pipeline.keyOf(url))).metadata()).toMatchObject({ format: 'webp', width: size, height: size });
      }
      const png = await pipeline.bytes(Pipeline.keyOf(result.imageUrl));
      expect(Buffer.from(png.subarray(0, 8)).toString('hex')).toBe('89504e470d0a1a0a');
      // IHDR width and height: 1024×1024 by default.
      expect([Buffer.from(png).readUInt32BE(16), Buffer.from(png).readUInt32BE(20)]).toEqual([1024, 1024]);
    }
    expect(new Set(status.results.map((r) => r.imageUrl)).size).toBe(9);

    // The gallery is written by the finalisation that follows the job's end.
    const key = await waitFor(async () => (await pipeline.list('galleries/')).find((k) => k.endsWith(`-${jobId}.json`)), { what: 'the gallery manifest' });
    const manifest = await pipeline.storage.galleryManifest(key);
    expect(manifest).toMatchObject({ id: jobId, prompt: 'a lighthouse on a cliff at dusk', parameters: status.parameters, createdAt: status.createdAt });
    expect(manifest?.images).toHaveLength(9);
    expect(manifest?.images.map((i) => `/${i.imageKey}`)).toEqual(status.results.map((r) => r.imageUrl));
    expect(manifest?.images.map((i) => `/${i.tileKey}`)).toEqual(status.results.map((r) => r.tileUrl));
    expect(manifest?.models).toEqual(status.results.map((r) => r.model));

    // The public API serves the new gallery through the gallery service, images included.
    // The detail first: found through the manifest index, before any list page has shown the gallery.
    const api = pipeline.gateway.url;
    const detailAnswer = await fetch(`${api}/gallery/${jobId}`, { headers: { 'X-Correlation-ID': 'e2e-gallery-1' } });
    expect(detailAnswer.headers.get('x-correlation-id')).toBe('e2e-gallery-1');
    const detail = (await detailAnswer.json()) as { images: { model: string; url: string }[] };
    expect(detail.images.map((i) => i.model)).toEqual(status.results.map((r) => r.model));
    const image = await fetch(`${api}${detail.images[0]?.url ?? ''}`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.compare(Buffer.from(await image.arrayBuffer()), Buffer.from(await pipeline.bytes(Pipeline.keyOf(status.results[0]?.imageUrl))))).toBe(0);
    expect((await fetch(`${api}/gallery/not-a-gallery-id`)).status).toBe(404);
    const list = (await (await fetch(`${api}/gallery/list?limit=5`)).json()) as { galleries: { id: string; imageCount: number }[] };
    expect(list.galleries.find((g) => g.id === jobId)).toMatchObject({ imageCount: 9 });

    // Every worker log line for this job carries the submit request's correlation id.
    const workerLines = pipeline.generation?.logs().filter((l) => l['jobId'] === jobId) ?? [];
    expect(workerLines.length).toBeGreaterThanOrEqual(18);
    for (const line of workerLines) expect(line['correlationId']).toBe('e2e-main-1');
  });

  it('answers the status of a job that ended with every model completed with a strong ETag, a Cache-Control clients may keep, and 304 to a client holding it', async () => {
    const { body } = await pipeline.submit({ prompt: 'a finished harbour', seed: 5, steps: 5, models: [models[0]?.id ?? ''] });
    expect((await pipeline.terminal(body.jobId)).status).toBe('completed');
    const url = `${pipeline.gateway.url}/status/${body.jobId}`;
    const answer = await fetch(url);
    const etag = answer.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]{32}"$/);
    expect(answer.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    const again = await fetch(url);
    expect({ etag: again.headers.get('etag'), body: await again.text() }).toEqual({ etag, body: await answer.text() });
    const held = await fetch(url, { headers: { 'If-None-Match': etag } });
    expect({ status: held.status, body: await held.text() }).toEqual({ status: 304, body: '' });
  });

  it('resumes the event stream after Last-Event-ID without losing or repeating events', async () => {
    const { body } = await pipeline.submit({ prompt: 'a quiet harbour', seed: 3, steps: 5 });
    const full = await readSse(`${pipeline.gateway.url}${body.eventsUrl}`);
    const cut = 5;
    const resumed = await readSse(`${pipeline.gateway.url}${body.eventsUrl}`, { lastEventId: full.events[cut - 1]?.id });
    expect(resumed.events).toEqual(full.events.slice(cut));
  });

  it('makes the aspect ratio asked for, at about the pixels of the registry size', async () => {
    const { body } = await pipeline.submit({ prompt: 'a tall tower', seed: 4, steps: 5, aspectRatio: '16:9', models: [models[0]?.id ?? ''] });
    const [result] = (await pipeline.terminal(body.jobId)).results;
    const png = Buffer.from(await pipeline.bytes(Pipeline.keyOf(result?.imageUrl)));
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1360, 768]);
    expect(await sharp(await pipeline.bytes(Pipeline.keyOf(result?.tileUrl))).metadata()).toMatchObject({ width: TILE_SIZE, height: 163 });
  });

  it('gives byte-identical images for the same request', async () => {
    const request = { prompt: 'a red fox in fresh snow', seed: 1234, steps: 12, guidance: 9 };
    const first = await pipeline.terminal((await pipeline.submit(request)).body.jobId);
    const second = await pipeline.terminal((await pipeline.submit(request)).body.jobId);
    for (const [a, b] of first.results.map((r, i) => [r, second.results[i]] as const)) {
      expect(a.imageUrl).not.toBe(b?.imageUrl);
      expect(Buffer.compare(await pipeline.bytes(Pipeline.keyOf(a.imageUrl)), await pipeline.bytes(Pipeline.keyOf(b?.imageUrl)))).toBe(0);
    }
  });

  it('returns the same job for a replayed Idempotency-Key and refuses it with another body', async () => {
    const headers = { 'Idempotency-Key': 'e2e-idem-1' };
    const first = await pipeline.submit({ prompt: 'one job only', seed: 1 }, headers);
    const replay = await pipeline.submit({ prompt: 'one job only', seed: 1 }, headers);
    expect(first.status).toBe(202);
    expect(replay.status).toBe(202);
    expect(replay.body.jobId).toBe(first.body.jobId);
    const other = await pipeline.submit({ prompt: 'a different job', seed: 1 }, headers);
    expect(other.status).toBe(409);
    expect(other.body.error).toBe('IDEMPOTENCY_KEY_REUSED');
    const done: JobStatusResponse = await pipeline.terminal(first.body.jobId);
    expect(done.status).toBe('completed');
  });
});
