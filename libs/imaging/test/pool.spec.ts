import { join } from 'node:path';
import { type RenderRequest, RenderPool, renderImage } from '../src';

const workerEntry = join(__dirname, 'render-worker.js');
const request = (seed: number, size = 64): RenderRequest => ({
  style: 'ink',
  prompt: 'pool test',
  seed,
  steps: 20,
  guidance: 7,
  width: size,
  height: size,
  thumbnailSize: 16,
});

describe('RenderPool', () => {
  let pool: RenderPool;

  beforeEach(() => {
    pool = new RenderPool({ size: 2, workerEntry });
  });

  afterEach(() => pool.close());

  it('renders in a thread exactly what renderImage renders in-process', async () => {
    const threaded = await pool.render(request(1));
    expect(threaded.image).toBeInstanceOf(Uint8Array);
    expect(Buffer.compare(threaded.image, renderImage(request(1)).image)).toBe(0);
    expect(Buffer.compare(threaded.thumbnail, renderImage(request(1)).thumbnail)).toBe(0);
  });

  it('queues more requests than threads and completes them all', async () => {
    const results = await Promise.all(Array.from({ length: 7 }, (_, i) => pool.render(request(i))));
    expect(results.map((r) => Buffer.compare(r.image, renderImage(request(3)).image) === 0)).toEqual([false, false, false, true, false, false, false]);
  });

  it('keeps the event loop turning while a large image renders', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      await pool.render(request(9, 1024));
    } finally {
      // A live interval would keep Jest from exiting if the render failed.
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(3);
  });

  it('drops an aborted queued request and still serves the others', async () => {
    const running = [pool.render(request(1, 512)), pool.render(request(2, 512))];
    const controller = new AbortController();
    const queued = pool.render(request(3), controller.signal);
    controller.abort(new Error('no longer wanted'));
    await expect(queued).rejects.toThrow('no longer wanted');
    await expect(Promise.all(running)).resolves.toHaveLength(2);
  });

  it('stops a running render on abort, and keeps working after', async () => {
    const controller = new AbortController();
    const running = pool.render(request(4, 1024), controller.signal);
    controller.abort(new Error('timed out'));
    await expect(running).rejects.toThrow('timed out');
    expect(Buffer.compare((await pool.render(request(5))).image, renderImage(request(5)).image)).toBe(0);
  });

  it('rejects queued work when closed, and new work after', async () => {
    // Settlement is observed before close() rejects them, so no rejection goes unhandled.
    const queued = Promise.allSettled(Array.from({ length: 4 }, (_, i) => pool.render(request(i, 256))));
    await pool.close();
    for (const result of await queued) expect(result.status).toBe('rejected');
    await expect(pool.render(request(1))).rejects.toThrow('render pool is closed');
  });
});
