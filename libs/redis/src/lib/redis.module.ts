import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Logger } from '@pixel-prompt/observability';
import { LOGGER, type ReadinessCheck, isNetworkFailure } from '@pixel-prompt/service';

export const REDIS_URL = Symbol('REDIS_URL');

/**
 * Whether a Redis command failed because Redis is unreachable or not serving, as ioredis and Redis
 * say it: refused while disconnected (no offline queue), cut off by a lost connection, out of
 * reconnection attempts, or a server that is loading its data, read-only after a failover, or
 * without the replicas a write needs.
 */
export function isRedisOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    isNetworkFailure(error) ||
    error.name === 'MaxRetriesPerRequestError' ||
    /^(Stream isn't writeable|Connection is closed)/.test(error.message) ||
    (error.name === 'ReplyError' && /^(LOADING|READONLY|MASTERDOWN|NOREPLICAS|TRYAGAIN|CLUSTERDOWN) /.test(error.message))
  );
}

/** The process's Redis connection. Reconnects by itself; commands fail fast while it is down. */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  readonly client: Redis;
  private down = false;
  private closing = false;

  constructor(@Inject(REDIS_URL) url: string, @Inject(LOGGER) logger: Logger) {
    this.client = new Redis(url, {
      // Fail commands at once while disconnected instead of queueing them: callers (and readiness)
      // learn immediately, and nothing piles up in memory during an outage.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectionName: 'pixel-prompt',
    });
    // Log transitions only: ioredis reports an error on every reconnect attempt. 'close' fires for
    // every way a connection ends (Redis stopped, network cut), also when no error is raised.
    this.client.on('error', (error: Error) => logger.debug({ err: { message: error.message } }, 'redis error'));
    this.client.on('close', () => {
      if (this.down || this.closing) return;
      this.down = true;
      logger.warn({}, 'redis connection lost; reconnecting');
    });
    this.client.on('ready', () => {
      if (!this.down) return;
      this.down = false;
      logger.info('redis connection restored');
    });
  }

  // The last shutdown phase: queues finish their active jobs (which write to Redis) before it.
  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

@Injectable()
export class RedisReadinessCheck implements ReadinessCheck {
  readonly name = 'redis';

  constructor(private readonly redis: RedisConnection) {}

  async check(): Promise<void> {
    await this.redis.client.ping();
  }

  isOutage(error: unknown): boolean {
    return isRedisOutage(error);
  }
}

@Module({})
export class RedisModule {
  static forRoot(url: string): DynamicModule {
    return {
      module: RedisModule,
      global: true,
      providers: [{ provide: REDIS_URL, useValue: url }, RedisConnection, RedisReadinessCheck],
      exports: [RedisConnection, RedisReadinessCheck],
    };
  }
}
