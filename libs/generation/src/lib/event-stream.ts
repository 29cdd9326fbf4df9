import { Inject, Injectable } from '@nestjs/common';
import { type JobEvent, isTerminalJobState } from '@pixel-prompt/contracts';
import { JobEvents, JobStore, parseStreamId } from '@pixel-prompt/jobs';
import type { Logger, ServiceMetrics } from '@pixel-prompt/observability';
import { LOGGER, Lifecycle, METRICS } from '@pixel-prompt/service';
import { ImageLinks } from '@pixel-prompt/storage';
import { Gauge } from 'prom-client';
import { GENERATION_API_CONFIG, type GenerationApiConfig } from './config';
import { jobNotFound } from './errors';
import { toModelResult, toStatusResponse } from './results';

/** The response headers of an event stream: never cached or transformed, never buffered by a proxy. */
export const EVENT_STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
} as const;

/** How long a client waits before reconnecting (the stream's first frame). */
const RECONNECT_MS = 2000;

/** Where a stream's frames go: in the gateway, the HTTP response. */
export interface EventSink {
  write(frame: string): void;
  /** The stream has ended (the job ended, or the service is draining): end the response. */
  end(): void;
}

/**
 * Runs `task` when called, and when called again while it runs, once more after it: wake-ups that
 * arrive during a run cause exactly one more run, never a parallel one. A failed run is reported;
 * the next call runs again.
 */
export function coalesced(task: () => Promise<void>, onError: (error: unknown) => void): () => void {
  let running = false;
  let again = false;
  const run = async () => {
    running = true;
    try {
      do {
        again = false;
        await task();
      } while (again);
    } catch (error) {
      onError(error);
    } finally {
      running = false;
    }
  };
  return () => {
    if (running) again = true;
    else void run();
  };
}

interface StreamDependencies {
  store: JobStore;
  jobEvents: JobEvents;
  lifecycle: Lifecycle;
  links: ImageLinks;
  heartbeatMs: number;
  open: Gauge;
  logger: Logger;
}

/**
 * One client's stream of one job's events: everything after its cursor (the last stream id sent, so
 * a reconnect with Last-Event-ID resumes exactly), read whenever the job changes, and at every
 * heartbeat, which also keeps proxies from closing an idle stream and bounds the delay a lost
 * notification can cause. A `completed` event ends the stream when the job has really ended; one
 * that a retry superseded (the job runs again) is skipped. Draining ends it too: the client
 * reconnects elsewhere and resumes.
 */
export class JobEventStream {
  private cursor: string | undefined;
  private ended = false;
  private readonly stops: (() => void)[] = [];

  constructor(
    private readonly jobId: string,
    lastEventId: string | undefined,
    private readonly sink: EventSink,
    private readonly deps: StreamDependencies,
  ) {
    // A Last-Event-ID Redis would refuse (malformed, or past the largest stream id) replays from the start.
    this.cursor = parseStreamId(lastEventId);
  }

  /** Writes the first frame and everything stored so far, then follows the job until the stream ends or is closed. */
  start(): void {
    const { jobEvents, lifecycle, heartbeatMs, open, logger } = this.deps;
    this.sink.write(`retry: ${RECONNECT_MS}\n\n`);
    open.inc();
    const read = coalesced(
      () => this.readNewEvents(),
      (error) => logger.warn({ err: error, jobId: this.jobId }, 'event stream read failed'),
    );
    const heartbeat = setInterval(() => {
      this.sink.write(': heartbeat\n\n');
      read();
    }, heartbeatMs);
    this.stops.push(
      () => clearInterval(heartbeat),
      jobEvents.watch(this.jobId, read),
      lifecycle.onShutdown(() => this.end()),
      () => open.dec(),
    );
    read();
  }

  /** The client left: stop following (nothing more is written). */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    for (const stop of this.stops) stop();
  }

  private end(): void {
    if (this.ended) return;
    this.close();
    this.sink.end();
  }

  private async readNewEvents(): Promise<void> {
    const { store, links } = this.deps;
    if (this.ended) return;
    const events = await store.eventsAfter(this.jobId, this.cursor);
    for (const [position, event] of events.entries()) {
      if (this.ended) return;
      if (event.type === 'completed') {
        // Read after the events: a job running again (a retry) has not really ended.
        const job = position === events.length - 1 ? await store.get(this.jobId) : undefined;
        if (!job || !isTerminalJobState(job.status)) {
          this.cursor = event.id;
          continue;
        }
        this.send(event.id, { type: 'completed', jobId: this.jobId, status: toStatusResponse(job, links.at(Date.now()).url) });
        this.end();
        return;
      }
      if (event.model) this.send(event.id, { type: event.type, jobId: this.jobId, result: toModelResult(event.index, event.model, links.at(Date.now()).url) });
    }
  }

  private send(id: string, payload: JobEvent): void {
    if (this.ended) return;
    this.sink.write(`id: ${id}\nevent: ${payload.type}\ndata: ${JSON.stringify(payload)}\n\n`);
    this.cursor = id;
  }
}

/** Opens event streams (GET /jobs/:jobId/events): each a JobEventStream, all counted in one gauge. */
@Injectable()
export class JobEventStreams {
  private readonly open: Gauge;

  constructor(
    private readonly store: JobStore,
    private readonly jobEvents: JobEvents,
    private readonly lifecycle: Lifecycle,
    private readonly links: ImageLinks,
    @Inject(GENERATION_API_CONFIG) private readonly config: Pick<GenerationApiConfig, 'SSE_HEARTBEAT_MS'>,
    @Inject(METRICS) { registry }: ServiceMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.open = new Gauge({
      name: 'pixel_prompt_sse_connections',
      help: 'Server-Sent Event streams this replica holds open now.',
      registers: [registry],
    });
  }

  /**
   * The stream of `jobId`'s events after `lastEventId`, into `sink` once started; 404 JOB_NOT_FOUND
   * (before anything is written) when there is no such job.
   */
  async stream(jobId: string, lastEventId: string | undefined, sink: EventSink): Promise<JobEventStream> {
    if (!(await this.store.get(jobId))) throw jobNotFound();
    const { store, jobEvents, lifecycle, links, open, logger } = this;
    return new JobEventStream(jobId, lastEventId, sink, { store, jobEvents, lifecycle, links, open, logger, heartbeatMs: this.config.SSE_HEARTBEAT_MS });
  }
}
