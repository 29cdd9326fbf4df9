import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Logger } from '@pixel-prompt/observability';
import { RedisConnection } from '@pixel-prompt/redis';
import { LOGGER } from '@pixel-prompt/service';
import type { Redis } from 'ioredis';
import { EVENTS_CHANNEL } from './scripts';

/**
 * One Redis subscription per replica: a change to a job, published by whichever replica made it,
 * wakes what this replica watches of that job (the gateway's event streams, which then read the
 * job's events from Redis; the worker's running model calls, which stop if their model was canceled).
 */
@Injectable()
export class JobEvents implements OnModuleInit, OnModuleDestroy {
  private subscriber?: Redis;
  private readonly watchers = new Map<string, Set<() => void>>();

  constructor(
    private readonly redis: RedisConnection,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    const subscriber = this.redis.client.duplicate({ enableOfflineQueue: true });
    subscriber.on('error', (error: Error) => this.logger.debug({ err: { message: error.message } }, 'event subscriber error'));
    subscriber.on('message', (_channel: string, jobId: string) => this.wake(jobId));
    // Notifications sent while disconnected are lost: on (re)connect every stream re-reads.
    subscriber.on('ready', () => {
      for (const jobId of this.watchers.keys()) this.wake(jobId);
    });
    void subscriber.subscribe(EVENTS_CHANNEL).catch((error: unknown) => this.logger.warn({ err: error }, 'event subscription failed'));
    this.subscriber = subscriber;
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /** Calls `wake` whenever the job changes; returns the function that stops watching. */
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
