import { Worker, parentPort } from 'node:worker_threads';
import { type RenderRequest, type RenderedImage, renderImage } from './render';

interface Task {
  id: number;
  request: RenderRequest;
  resolve: (image: RenderedImage) => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

type Reply = { id: number; image: RenderedImage } | { id: number; error: string };

export interface RenderPoolOptions {
  /** Worker threads. */
  size: number;
  /** Absolute path of a JavaScript file whose code calls runRenderWorker(). */
  workerEntry: string;
}

/**
 * Renders in worker threads so the caller's event loop stays free. Requests beyond `size` wait in
 * order; an aborted request leaves the queue, or, when already rendering, its thread is terminated
 * and replaced; a thread that crashes fails its request and is replaced.
 */
export class RenderPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private nextId = 0;
  private closed = false;

  constructor(private readonly options: RenderPoolOptions) {
    for (let i = 0; i < options.size; i++) this.idle.push(this.spawn());
  }

  render(request: RenderRequest, signal?: AbortSignal): Promise<RenderedImage> {
    if (this.closed) return Promise.reject(new Error('render pool is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const task: Task = { id: this.nextId++, request, resolve, reject, signal };
      if (signal) {
        task.onAbort = () => this.abort(task);
        signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.queue.push(task);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) this.settle(task, new Error('render pool closed'));
    for (const [, task] of this.busy) this.settle(task, new Error('render pool closed'));
    const workers = [...this.idle.splice(0), ...this.busy.keys()];
    this.busy.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private spawn(): Worker {
    const worker = new Worker(this.options.workerEntry);
    worker.on('message', (reply: Reply) => {
      const task = this.busy.get(worker);
      if (!task || task.id !== reply.id) return;
      this.busy.delete(worker);
      this.idle.push(worker);
      if ('image' in reply) this.settle(task, undefined, reply.image);
      else this.settle(task, new Error(reply.error));
      this.dispatch();
    });
    worker.on('error', (error) => this.replace(worker, error));
    worker.on('exit', (code) => {
      if (!this.closed && (this.busy.has(worker) || this.idle.includes(worker))) {
        this.replace(worker, new Error(`render thread exited with code ${code}`));
      }
    });
    return worker;
  }

  private dispatch(): void {
    while (!this.closed && this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker;
      const task = this.queue.shift() as Task;
      this.busy.set(worker, task);
      worker.postMessage({ id: task.id, request: task.request });
    }
  }

  private abort(task: Task): void {
    const queued = this.queue.indexOf(task);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(task, task.signal?.reason);
      return;
    }
    for (const [worker, running] of this.busy) {
      if (running === task) {
        // A render cannot be interrupted from outside: end its thread and start a fresh one.
        this.replace(worker, task.signal?.reason);
        void worker.terminate();
        return;
      }
    }
  }

  private replace(worker: Worker, error: unknown): void {
    const task = this.busy.get(worker);
    this.busy.delete(worker);
    const idleAt = this.idle.indexOf(worker);
    if (idleAt >= 0) this.idle.splice(idleAt, 1);
    if (task) this.settle(task, error);
    if (!this.closed) {
      this.idle.push(this.spawn());
      this.dispatch();
    }
  }

  private settle(task: Task, error?: unknown, image?: RenderedImage): void {
    if (task.onAbort) task.signal?.removeEventListener('abort', task.onAbort);
    if (image) task.resolve(image);
    else task.reject(error);
  }
}

/** The body of a render thread: renders what the pool sends, transferring the bytes back. */
export function runRenderWorker(): void {
  const port = parentPort;
  if (!port) throw new Error('runRenderWorker must run in a worker thread');
  port.on('message', ({ id, request }: { id: number; request: RenderRequest }) => {
    try {
      const image = renderImage(request);
      port.postMessage({ id, image }, [image.image.buffer as ArrayBuffer, image.thumbnail.buffer as ArrayBuffer]);
    } catch (error) {
      port.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
    }
  });
}
