import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Logger } from '@pixel-prompt/observability';
import { RedisConnection } from '@pixel-prompt/redis';
import { LOGGER } from '@pixel-prompt/service';
import type { Redis } from 'ioredis';
import { CANCELS_CHANNEL, EVENTS_CHANNEL } from './scripts';

/**
 * One Redis subscription per replica to a channel the job scripts publish job ids on: each message
 * wakes what this replica watches of that job.
 */
@Injectable()
abstract class JobNotifications implements OnModuleInit, OnModuleDestroy {
  protected abstract readonly channel: string;
  private subscriber?: Redis;
  private readonly watchers = new Map<string, Set<() => void>>();

  constructor(
    private readonly redis: RedisConnection,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    const subscriber = this.redis.client.duplicate({ enableOfflineQueue: true });
    const channel = this.channel;
    subscriber.on('error', (error: Error) => this.logger.debug({ err: { message: error.message }, channel }, 'job subscriber error'));
    subscriber.on('message', (_channel: string, jobId: string) => this.wake(jobId));
    // Notifications sent while disconnected are lost: on (re)connect every watcher looks again.
    subscriber.on('ready', () => {
      for (const jobId of this.watchers.keys()) this.wake(jobId);
    });
    void subscriber.subscribe(channel).catch((error: unknown) => this.logger.warn({ err: error, channel }, 'job subscription failed'));
    this.subscriber = subscriber;
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /** Calls `wake` on each notification for the job, and on every (re)connect; returns the function that stops watching. */
  watch(jobId: string, wake: () => void): () => void {
    const set = this.watchers.get(jobId) ?? new Set();
    set.add(wake);
    this.watchers.set(jobId, set);
    return () => {
      set.delete(wake);
      if (set.size === 0) this.watchers.delete(jobId);
    };
  }

  private wake(jobId: string): void {
    for (const wake of this.watchers.get(jobId) ?? []) wake();
  }
}

/** Every change to a job: wakes the gateway's event streams, which then read the job's events from Redis. */
@Injectable()
export class JobEvents extends JobNotifications {
  protected readonly channel = EVENTS_CHANNEL;
}

/**
 * Cancellations only: wakes the worker's running model calls, which stop if their model was canceled.
 * A channel of its own, so workers hear nothing of the many other changes to their jobs.
 */
@Injectable()
export class JobCancellations extends JobNotifications {
  protected readonly channel = CANCELS_CHANNEL;
}
