import { BullModule, getQueueToken } from '@nestjs/bull';
import { type DynamicModule, Injectable, Module } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { JobsEnv, RedisEnv } from '@pixel-prompt/config';
import type { AspectRatio } from '@pixel-prompt/contracts';
import type { Queue } from 'bull';

/** One queue per model: a slow model's backlog never delays the others, and each has its own concurrency. */
export const modelQueueName = (modelId: string) => `model-${modelId}`;

/**
 * How many times a job whose worker died is run again before it fails. A worker dying says little
 * about its job (a node lost, a pod evicted, a neighbour's memory): a job may outlive a burst of
 * such losses. One that kills every worker it lands on still fails after six of them.
 */
export const MAX_STALLED_COUNT = 5;

/** Writes a job's gallery manifest and counts its outcome once it has ended, whoever ended it. */
export const FINALIZE_QUEUE = 'finalize';

/** One model of one generation. */
export interface ModelJobData {
  jobId: string;
  index: number;
  model: string;
  prompt: string;
  steps: number;
  guidance: number;
  seed: number;
  negativePrompt?: string;
  aspectRatio?: AspectRatio;
  correlationId: string;
  /**
   * The model's retries when this attempt was queued; absent for its first attempt (and in jobs
   * queued before retries existed). Names the attempt's queue job and image keys, and a stale
   * attempt's moves are refused (JobStore.start).
   */
  retries?: number;
}

export interface FinalizeJobData {
  jobId: string;
  correlationId: string;
  /** The job's retries when it ended; absent in jobs queued before retries existed. */
  retries?: number;
}

/**
 * How long a failed job waits before its next attempt: exponential with "equal jitter", so replicas
 * retrying together spread out, but never sooner than the provider's Retry-After (a ProviderError's
 * `retryAfterSeconds`, read by shape so this library needs no provider code).
 */
export function retryDelayMs(attemptsMade: number, error: unknown, baseMs: number, random = Math.random): number {
  const base = baseMs * 2 ** Math.max(0, attemptsMade - 1);
  const jittered = Math.round(base / 2 + (random() * base) / 2);
  const retryAfter = typeof error === 'object' && error !== null ? (error as { retryAfterSeconds?: unknown }).retryAfterSeconds : undefined;
  return typeof retryAfter === 'number' && retryAfter > 0 ? Math.max(jittered, Math.ceil(retryAfter * 1000)) : jittered;
}

/**
 * Seconds the job next in line has been waiting since it was submitted, 0 when none waits: how long
 * the queue keeps people waiting. A retried job counts from its first submission, as its user does.
 * Reads the head of the waiting list only (one job, not the list), so every scrape can afford it.
 */
export async function headOfLineWaitSeconds(queue: Queue, now = Date.now()): Promise<number> {
  // getWaiting(0, 0) is the next job of the wait list and of the paused list (Bull keeps both).
  const heads = (await queue.getWaiting(0, 0)).filter((job) => job !== null);
  if (heads.length === 0) return 0;
  const submittedAt = Math.min(...heads.map((job) => job.timestamp));
  return Math.max(0, (now - submittedAt) / 1000);
}

/** The Bull connection and the queues, for the gateway (producer) and generation (consumer). */
@Module({})
export class QueuesModule {
  /** `modelIds`: every model in the registry, enabled or not, so no queue is ever unknown. */
  static forRoot(config: RedisEnv & JobsEnv, modelIds: string[]): DynamicModule {
    const names = [...modelIds.map(modelQueueName), FINALIZE_QUEUE];
    return {
      module: QueuesModule,
      global: true,
      imports: [
        BullModule.forRoot({
          url: config.REDIS_URL,
          prefix: 'pp:bull',
          settings: {
            lockDuration: config.QUEUE_LOCK_DURATION_MS,
            stalledInterval: config.QUEUE_STALLED_INTERVAL_MS,
            maxStalledCount: MAX_STALLED_COUNT,
            backoffStrategies: {
              jitter: (attemptsMade: number, error: unknown) => retryDelayMs(attemptsMade, error, config.RETRY_BACKOFF_MS),
            },
          },
          defaultJobOptions: {
            attempts: config.JOB_ATTEMPTS,
            backoff: { type: 'jitter' },
            // Bounded history: enough to inspect recent work, never an ever-growing Redis.
            removeOnComplete: { age: 24 * 60 * 60, count: 1000 },
            removeOnFail: { age: 7 * 24 * 60 * 60, count: 5000 },
          },
        }),
        BullModule.registerQueue(...names.map((name) => ({ name }))),
      ],
      providers: [GenerationQueues],
      exports: [GenerationQueues, BullModule],
    };
  }
}

@Injectable()
export class GenerationQueues {
  constructor(private readonly moduleRef: ModuleRef) {}

  model(modelId: string): Queue<ModelJobData> {
    return this.moduleRef.get(getQueueToken(modelQueueName(modelId)), { strict: false });
  }

  finalize(): Queue<FinalizeJobData> {
    return this.moduleRef.get(getQueueToken(FINALIZE_QUEUE), { strict: false });
  }

  /**
   * Whether at least `replicas` Redis replicas hold every write the queues of `modelIds` made so far,
   * waiting up to `timeoutMs` (WAIT on each queue's connection). WAIT covers the writes of its own
   * connection; the replication stream keeps order, so writes made before them on other connections
   * (the job's state) are covered too.
   */
  async replicated(modelIds: string[], replicas: number, timeoutMs: number): Promise<boolean> {
    const acknowledged = await Promise.all([...new Set(modelIds)].map((id) => this.model(id).client.wait(replicas, timeoutMs)));
    return acknowledged.every((count) => count >= replicas);
  }

  /**
   * Queues one attempt at one model of a job. Its Bull id makes queueing the same attempt twice a
   * no-op (and once Bull has forgotten a finished one, running it again finds the model ended); the
   * model's `retries` (absent for the first attempt) keeps a retried attempt apart.
   */
  async queueModel(data: ModelJobData): Promise<void> {
    const id = `${data.jobId}:${data.index}`;
    await this.model(data.model).add(data, { jobId: data.retries ? `${id}:retry-${data.retries}` : id });
  }

  /**
   * Queues the finalisation of one end of a job; its id makes a second request for the same end a
   * no-op. `retries`: the job's retries when it ended (a retried model can end a job again).
   */
  async requestFinalize(jobId: string, correlationId: string, retries: number): Promise<void> {
    await this.finalize().add({ jobId, correlationId, retries }, { jobId: retries === 0 ? `finalize:${jobId}` : `finalize:${jobId}:${retries}` });
  }
}
