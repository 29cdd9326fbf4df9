import { type ErrorBody, isErrorBody } from '@pixel-prompt/contracts';
import { type RunningService, TestRedis, TestS3, startService, stopAllProcesses, waitFor } from '@pixel-prompt/testing';

const JOB_ID = '6f1c2a9e-5b1d-4c1e-9a57-0d8f1f2c3b4a';
const IMAGE_KEY = `images/${JOB_ID}/0-ink.png`;

/** Every public route that needs Redis, and one that needs the gallery and S3 behind it. */
const REDIS_ROUTES: [method: string, path: string, body?: unknown][] = [
  ['POST', '/generate', { prompt: 'a heron at dawn', models: ['ink'] }],
  ['GET', `/status/${JOB_ID}`],
  ['POST', `/jobs/${JOB_ID}/cancel`],
  ['GET', `/jobs/${JOB_ID}/events`],
  ['POST', '/enhance', { prompt: 'a heron at dawn' }],
  ['POST', '/log', { level: 'info', message: 'hello' }],
];
const GALLERY_ROUTES = ['/gallery/list', `/gallery/${JOB_ID}`, `/${IMAGE_KEY}`];

/**
 * The built gateway and gallery with their real dependencies stopped one at a time: every route
 * answers 503 SERVICE_UNAVAILABLE with Retry-After in the error contract, never 500, and works
 * again once the dependency is back.
 */
describe('gateway during dependency outages (built, as processes)', () => {
  let redis: TestRedis;
  let s3: TestS3;
  let gallery: RunningService;
  let gateway: RunningService;

  beforeAll(async () => {
    [redis, s3] = await Promise.all([TestRedis.start(), TestS3.start()]);
    gallery = await startService('gallery', s3.env());
    gateway = await startService('gateway', { REDIS_URL: redis.url, GALLERY_URL: gallery.url });
  });

  afterAll(async () => {
    await stopAllProcesses();
    await Promise.all([redis.dispose(), s3.dispose()]);
  });

  const send = (method: string, path: string, body?: unknown) =>
    fetch(`${gateway.url}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-Correlation-ID': 'outage-1' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });

  async function expectOutage(res: Response, status = 503): Promise<void> {
    const body: unknown = await res.json();
    expect({ status: res.status, retryAfter: res.headers.get('retry-after'), contract: isErrorBody(body) }).toEqual({ status, retryAfter: '5', contract: true });
    expect((body as ErrorBody).error).toBe('SERVICE_UNAVAILABLE');
  }

  it('answers every Redis route 503 with Retry-After while Redis is down, and serves again once it is back', async () => {
    await redis.stop();
    await waitFor(async () => (await fetch(`${gateway.url}/health/ready`)).status === 503, { what: 'the gateway to see Redis down' });
    for (const [method, path, body] of REDIS_ROUTES) await expectOutage(await send(method, path, body));
    // Nothing about the outage is a fault of the gateway's: no error lines, only warnings.
    expect(gateway.logs().filter((l) => l['level'] === 'error' && l['msg'] !== 'request completed')).toEqual([]);

    await redis.start();
    await waitFor(async () => (await send('GET', `/status/${JOB_ID}`)).status === 404, { what: 'the gateway to reach Redis again', timeoutMs: 20_000 });
    expect((await send('POST', '/generate', { prompt: 'a heron at dawn', models: ['ink'] })).status).toBe(202);
  });

  it('answers the gallery routes 503 while S3 is down behind the gallery, passing its answer on', async () => {
    await s3.stop();
    for (const path of GALLERY_ROUTES) await expectOutage(await send('GET', path));
    await s3.start();
    await waitFor(async () => (await send('GET', '/gallery/list')).status === 200, { what: 'the gallery to reach S3 again', timeoutMs: 20_000 });
  });

  it('answers the gallery routes 503 while the gallery itself is down', async () => {
    expect(await gallery.process.stop('SIGTERM')).toBe(0);
    for (const path of GALLERY_ROUTES) await expectOutage(await send('GET', path));
  });
});
