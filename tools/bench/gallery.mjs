// Benchmarks the gallery service on a private s3rver and the built service (dist/apps/gallery), on
// free loopback ports:
//  1. GET /gallery/list latency (p50 / p99), one request at a time, 24 galleries a page, over
//     --galleries manifests (default 10000): --requests (default 500) requests walking the pages
//     from the newest on, whose manifests are not in the service's cache yet (cold), then as many
//     over the first 40 pages, whose manifests it holds (warm: one LIST per page and nothing else);
//  2. GET /images/... throughput and latency at --connections (default 50) for --duration seconds
//     (default 10), one 128 KiB image (no CDN: the service streams it from S3).
// Each is preceded by the same measurement against s3rver directly (a LIST of 24 keys; a GET of the
// image), the floor under the service's numbers on this machine.
// Usage: npx nx run gallery:build && node tools/bench/gallery.mjs [--galleries N] [--requests N]
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { load, percentile } from './measure.mjs';
import { BUCKET, Supervisor, serviceEnv, startS3, startService } from '../stack/components.mjs';

const { values: options } = parseArgs({
  options: {
    galleries: { type: 'string', default: '10000' },
    requests: { type: 'string', default: '500' },
    connections: { type: 'string', default: '50' },
    duration: { type: 'string', default: '10' },
  },
});

const PAGE = 24;
const WARM_PAGES = 40; // 960 manifests: within the service's 1000-manifest cache
const IMAGE_BYTES = 128 * 1024;
const WRITE_CONCURRENCY = 64;

/** As libs/storage's layout names them: inverted creation time, so ascending keys are newest first. */
function manifestKey(createdAtMs, jobId) {
  return `galleries/${String(9_999_999_999_999 - createdAtMs).padStart(13, '0')}-${jobId}.json`;
}

function manifestOf(jobId, createdAtMs) {
  const images = Array.from({ length: 9 }, (_, index) => ({
    model: `model-${index}`,
    displayName: `Model ${index}`,
    index,
    imageKey: `images/${jobId}/${index}-model-${index}.png`,
    thumbnailKey: `images/${jobId}/${index}-model-${index}.thumb.png`,
    mimeType: 'image/png',
    width: 512,
    height: 512,
    bytes: IMAGE_BYTES,
  }));
  return {
    id: jobId,
    prompt: `benchmark gallery ${jobId.slice(0, 8)}: a city skyline at night, neon reflections on wet streets`,
    parameters: { steps: 25, guidance: 7, seed: 1234 },
    createdAt: new Date(createdAtMs).toISOString(),
    completedAt: new Date(createdAtMs + 8000).toISOString(),
    status: 'completed',
    images,
  };
}

async function fill(s3, count) {
  const now = Date.now();
  const puts = Array.from({ length: count }, (_, i) => () => {
    const jobId = randomUUID();
    const createdAtMs = now - i * 1000;
    return s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: manifestKey(createdAtMs, jobId),
        Body: JSON.stringify(manifestOf(jobId, createdAtMs)),
        ContentType: 'application/json',
      }),
    );
  });
  let next = 0;
  const worker = async () => {
    while (next < puts.length) await puts[next++]();
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
}

async function s3rverListLatency(s3Endpoint, requests) {
  const ms = [];
  for (let i = 0; i < requests; i++) {
    const started = performance.now();
    const res = await fetch(`${s3Endpoint}/${BUCKET}?list-type=2&prefix=galleries/&max-keys=${PAGE}`);
    await res.text();
    ms.push(performance.now() - started);
    if (!res.ok) throw new Error(`s3rver LIST answered ${res.status}`);
  }
  ms.sort((a, b) => a - b);
  return { requests, p50: percentile(ms, 50), p99: percentile(ms, 99), max: ms.at(-1) };
}

/** `requests` list pages one at a time, following nextCursor and starting over after `pages` pages or at the end. */
async function listLatency(api, requests, pages = Infinity) {
  const ms = [];
  let cursor = null;
  let page = 0;
  for (let i = 0; i < requests; i++) {
    const started = performance.now();
    const res = await fetch(`${api}/gallery/list?limit=${PAGE}${cursor ? `&cursor=${cursor}` : ''}`);
    const body = await res.json();
    ms.push(performance.now() - started);
    if (res.status !== 200 || body.galleries.length === 0) throw new Error(`list answered ${res.status}`);
    page += 1;
    cursor = page < pages ? body.nextCursor : null;
    if (!cursor) page = 0;
  }
  ms.sort((a, b) => a - b);
  return { requests, p50: percentile(ms, 50), p99: percentile(ms, 99), max: ms.at(-1) };
}

const state = mkdtempSync(join(tmpdir(), 'pp-bench-gallery-'));
const supervisor = new Supervisor({ quiet: true, onUnexpectedExit: (name, how) => console.error(`${name} exited (${how})`) });
try {
  const s3Endpoint = await startS3(supervisor, { dir: join(state, 's3') });
  const env = serviceEnv({ s3Endpoint, logLevel: 'warn' });
  const s3 = new S3Client({
    endpoint: s3Endpoint,
    region: env.S3_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });

  const galleries = Number(options.galleries);
  const started = performance.now();
  await fill(s3, galleries);
  console.log(`wrote ${galleries} manifests in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const imageKey = `images/${randomUUID()}/0-model-0.png`;
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: imageKey, Body: randomBytes(IMAGE_BYTES), ContentType: 'image/png' }));
  s3.destroy();

  const api = await startService(supervisor, 'gallery', { env });
  const requests = Number(options.requests);
  const connections = Number(options.connections);
  const duration = Number(options.duration);

  const floor = await s3rverListLatency(s3Endpoint, 100);
  console.log(`s3rver alone, ListObjectsV2 of ${PAGE} keys under galleries/, ${floor.requests} requests one at a time:`);
  console.log(`  p50 ${floor.p50.toFixed(1)} ms, p99 ${floor.p99.toFixed(1)} ms, max ${floor.max.toFixed(1)} ms`);

  const cold = await listLatency(api, requests);
  console.log(`GET /gallery/list?limit=${PAGE}, ${galleries} galleries, ${cold.requests} requests walking pages, manifests not cached:`);
  console.log(`  p50 ${cold.p50.toFixed(1)} ms, p99 ${cold.p99.toFixed(1)} ms, max ${cold.max.toFixed(1)} ms`);

  const warm = await listLatency(api, requests, WARM_PAGES);
  console.log(`GET /gallery/list?limit=${PAGE}, ${warm.requests} requests over the first ${WARM_PAGES} pages, manifests cached:`);
  console.log(`  p50 ${warm.p50.toFixed(1)} ms, p99 ${warm.p99.toFixed(1)} ms, max ${warm.max.toFixed(1)} ms`);

  const report = (run) =>
    `  ${run.requestsPerSecond.toFixed(0)} req/s (${run.megabytesPerSecond.toFixed(1)} MiB/s), ` +
    `p50 ${run.p50} ms, p99 ${run.p99} ms, ${run.ok} ok, ${run.other} other`;
  console.log(`s3rver alone, GET of the ${IMAGE_BYTES / 1024} KiB image, ${connections} connections for ${duration} s:`);
  console.log(report(await load({ url: `${s3Endpoint}/${BUCKET}/${imageKey}`, connections, duration })));
  console.log(`GET /images/... (the same image, streamed from s3rver), ${connections} connections for ${duration} s:`);
  console.log(report(await load({ url: `${api}/${imageKey}`, connections, duration })));
} finally {
  await supervisor.stopAll();
  rmSync(state, { recursive: true, force: true });
}
