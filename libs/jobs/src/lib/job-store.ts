import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { AspectRatio, GenerationParameters, JobState, ModelErrorCode, ModelState } from '@pixel-prompt/contracts';
import { RedisConnection } from '@pixel-prompt/redis';
import { CANCEL_SCRIPT, CREATE_SCRIPT, MODEL_FIELDS, RETRY_SCRIPT, TRANSITION_SCRIPT } from './scripts';

export const JOB_TTL_SECONDS = Symbol('JOB_TTL_SECONDS');

/** How long an Idempotency-Key is remembered. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isJobId(value: string): boolean {
  return JOB_ID.test(value);
}

/** Each part of a Redis stream id (`<ms>-<seq>`) is an unsigned 64-bit number. */
const STREAM_ID_PART_MAX = 2n ** 64n - 1n;
const STREAM_ID = /^(\d{1,20})-(\d{1,20})$/;

function streamIdParts(id: string): [bigint, bigint] | undefined {
  const match = STREAM_ID.exec(id);
  if (!match) return undefined;
  const parts: [bigint, bigint] = [BigInt(match[1] ?? ''), BigInt(match[2] ?? '')];
  return parts.every((part) => part <= STREAM_ID_PART_MAX) ? parts : undefined;
}

/** `value` when it is a stream id Redis accepts, else undefined (a Last-Event-ID from anywhere). */
export function parseStreamId(value: string | undefined): string | undefined {
  return value !== undefined && streamIdParts(value) ? value : undefined;
}

/** The smallest id after `id`; undefined after the largest id there is. */
function nextStreamId(id: string): string | undefined {
  const [ms, seq] = streamIdParts(id) ?? [0n, 0n];
  if (seq < STREAM_ID_PART_MAX) return `${ms}-${seq + 1n}`;
  return ms < STREAM_ID_PART_MAX ? `${ms + 1n}-0` : undefined;
}

function isAfter(id: string, other: string): boolean {
  const [ms, seq] = streamIdParts(id) ?? [0n, 0n];
  const [otherMs, otherSeq] = streamIdParts(other) ?? [0n, 0n];
  return ms > otherMs || (ms === otherMs && seq > otherSeq);
}

const jobKey = (jobId: string) => `pp:job:${jobId}`;
const eventsKey = (jobId: string) => `pp:job:${jobId}:events`;
/**
 * A claim is `<jobId> <fingerprint of the body that claimed it>`, and for a retry also the model's
 * retries after it (which name the retried attempt's queue job).
 */
function outcomeOfClaim(claim: string, fingerprint: string | undefined): CreateOutcome {
  const [jobId = '', claimed, ...retry] = claim.split(' ');
  return claimed === fingerprint && retry.length === 0 ? { outcome: 'replayed', jobId } : { outcome: 'conflict' };
}

function retryOutcomeOfClaim(claim: string, fingerprint: string): RetryOutcome {
  const [, claimed, retries] = claim.split(' ');
  return claimed === fingerprint && retries ? { outcome: 'replayed', retries: Number(retries) } : { outcome: 'conflict' };
}

const idempotencyKey = (key: string) => `pp:idempotency:${createHash('sha256').update(key).digest('hex')}`;

type ModelField = (typeof MODEL_FIELDS)[number];

/** One model of a job as stored: strings, as Redis keeps them. */
export type ModelRecord = Partial<Record<ModelField, string>> & { model: string; name: string; status: ModelState };

export interface JobRecord {
  jobId: string;
  status: JobState;
  createdAt: string;
  updatedAt: string;
  prompt: string;
  parameters: GenerationParameters;
  correlationId: string;
  models: ModelRecord[];
  /** Failed models retried so far: each end of the job happens at its own count (see requestFinalize). */
  retries: number;
}

export interface NewJob {
  prompt: string;
  parameters: GenerationParameters;
  models: { id: string; displayName: string }[];
  correlationId: string;
}

export type CreateOutcome =
  | { outcome: 'created'; jobId: string }
  | { outcome: 'replayed'; jobId: string }
  | { outcome: 'conflict' };

export interface StoredImage {
  imageKey: string;
  thumbKey: string;
  tileKey: string;
  tile2xKey: string;
  bytes: number;
  width: number;
  height: number;
}

/**
 * Result of moving a model: whether it moved, and when that move ended the job, its final status and
 * how many failed models had been retried by then (which tells this end from earlier ones).
 */
export interface TransitionOutcome {
  moved: boolean;
  finalStatus?: JobState;
  retries?: number;
}

export type CancelOutcome =
  | { outcome: 'not_found' }
  | { outcome: 'finished'; status: JobState }
  | { outcome: 'canceled'; canceledModels: number; correlationId: string; retries: number };

/**
 * Result of sending a failed model back to the queue. `retries`: the model's retries after this one,
 * which name the new attempt's queue job (so a replay queues it idempotently) and its image keys.
 */
export type RetryOutcome =
  | { outcome: 'not_found' }
  | { outcome: 'not_failed'; status: ModelState }
  | { outcome: 'retried'; retries: number }
  | { outcome: 'replayed'; retries: number }
  | { outcome: 'conflict' };

export interface StoredEvent {
  id: string;
  type: 'model_started' | 'model_completed' | 'model_failed' | 'model_canceled' | 'model_retried' | 'completed';
  index: number;
  model?: ModelRecord;
}

type ScriptedRedis = RedisConnection['client'] & {
  ppCreate(...args: (string | number)[]): Promise<string | null>;
  ppTransition(...args: (string | number)[]): Promise<string | null>;
  ppCancel(...args: (string | number)[]): Promise<[string, string, string] | null>;
  ppRetry(...args: (string | number)[]): Promise<[string, string] | null>;
};

/**
 * Job state in Redis: one hash per job with per-model fields, changed only by atomic scripts, and a
 * stream of events per job (the stream ids are the SSE event ids, so a client resumes exactly).
 * Every change publishes the job id on EVENTS_CHANNEL, a cancel on CANCELS_CHANNEL too. Keys expire
 * after the job TTL.
 */
@Injectable()
export class JobStore {
  private readonly redis: ScriptedRedis;

  constructor(
    connection: RedisConnection,
    @Inject(JOB_TTL_SECONDS) private readonly ttlSeconds: number,
  ) {
    const client = connection.client;
    client.defineCommand('ppCreate', { numberOfKeys: 3, lua: CREATE_SCRIPT });
    client.defineCommand('ppTransition', { numberOfKeys: 2, lua: TRANSITION_SCRIPT });
    client.defineCommand('ppCancel', { numberOfKeys: 2, lua: CANCEL_SCRIPT });
    client.defineCommand('ppRetry', { numberOfKeys: 3, lua: RETRY_SCRIPT });
    this.redis = client as ScriptedRedis;
  }

  /**
   * Creates a job with every model pending. With an idempotency key, the first request with that key
   * creates the job; later ones with the same body (fingerprint) get the same job id back, and ones
   * with another body a conflict. Claim and creation happen in one script, so concurrent retries
   * can never create two jobs.
   */
  async create(job: NewJob, idempotency?: { key: string; fingerprint: string }): Promise<CreateOutcome> {
    const jobId = randomUUID();
    const now = new Date().toISOString();
    const fields: (string | number)[] = [
      'prompt', job.prompt, 'steps', job.parameters.steps, 'guidance', job.parameters.guidance,
      'seed', job.parameters.seed, 'correlationId', job.correlationId, 'createdAt', now, 'updatedAt', now,
      'status', 'pending', 'total', job.models.length, 'ended', 0, 'ok', 0, 'canceledModels', 0, 'retries', 0,
    ];
    const { negativePrompt, aspectRatio } = job.parameters;
    if (negativePrompt !== undefined) fields.push('negativePrompt', negativePrompt);
    if (aspectRatio !== undefined) fields.push('aspectRatio', aspectRatio);
    job.models.forEach((model, index) => {
      fields.push(`m:${index}:model`, model.id, `m:${index}:name`, model.displayName, `m:${index}:status`, 'pending');
    });
    const claim = await this.redis.ppCreate(
      jobKey(jobId), eventsKey(jobId), idempotency ? idempotencyKey(idempotency.key) : '',
      jobId, now, this.ttlSeconds, idempotency ? `${jobId} ${idempotency.fingerprint}` : '', IDEMPOTENCY_TTL_SECONDS,
      ...fields,
    );
    if (!claim) return { outcome: 'created', jobId };
    return outcomeOfClaim(claim, idempotency?.fingerprint);
  }

  /**
   * What an earlier request with this Idempotency-Key left: its job (same body) or a conflict;
   * undefined while the key is unused. Lets a replay be answered before anything is spent on it.
   */
  async claimOf(idempotency: { key: string; fingerprint: string }): Promise<CreateOutcome | undefined> {
    const claim = await this.redis.get(idempotencyKey(idempotency.key));
    return claim ? outcomeOfClaim(claim, idempotency.fingerprint) : undefined;
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    if (!isJobId(jobId)) return undefined;
    const hash = await this.redis.hgetall(jobKey(jobId));
    if (!hash['status']) return undefined;
    const total = Number(hash['total']);
    const models = Array.from({ length: total }, (_, index) => {
      const model: Record<string, string> = {};
      for (const field of MODEL_FIELDS) {
        const value = hash[`m:${index}:${field}`];
        if (value !== undefined) model[field] = value;
      }
      return model as ModelRecord;
    });
    const parameters: GenerationParameters = { steps: Number(hash['steps']), guidance: Number(hash['guidance']), seed: Number(hash['seed']) };
    if (hash['negativePrompt'] !== undefined) parameters.negativePrompt = hash['negativePrompt'];
    if (hash['aspectRatio'] !== undefined) parameters.aspectRatio = hash['aspectRatio'] as AspectRatio;
    return {
      jobId,
      status: hash['status'] as JobState,
      createdAt: hash['createdAt'] ?? '',
      updatedAt: hash['updatedAt'] ?? '',
      prompt: hash['prompt'] ?? '',
      parameters,
      correlationId: hash['correlationId'] ?? '',
      models,
      retries: Number(hash['retries'] ?? 0),
    };
  }

  // start, complete and fail move a model for one attempt at it: `retries` is the model's retries
  // the attempt was queued under (0 for its first). An attempt the model was retried after moves
  // nothing: its late result or failure must not touch the attempt that replaced it.

  /** Marks a model as running. False when it must not run: canceled, already ended, retried since, or job expired. */
  async start(jobId: string, index: number, retries = 0): Promise<boolean> {
    // in_progress is allowed too: a job whose worker died is picked up again after Bull finds it stalled.
    const outcome = await this.transition(jobId, index, retries, 'pending,in_progress', 'in_progress', 'model_started', [
      'startedAt', new Date().toISOString(),
    ]);
    return outcome.moved;
  }

  complete(jobId: string, index: number, image: StoredImage, retries = 0): Promise<TransitionOutcome> {
    return this.transition(jobId, index, retries, 'pending,in_progress', 'completed', 'model_completed', [
      'completedAt', new Date().toISOString(), 'imageKey', image.imageKey, 'thumbKey', image.thumbKey,
      'tileKey', image.tileKey, 'tile2xKey', image.tile2xKey, 'bytes', image.bytes, 'width', image.width, 'height', image.height,
    ]);
  }

  fail(jobId: string, index: number, error: { code: ModelErrorCode; message: string }, retries = 0): Promise<TransitionOutcome> {
    return this.transition(jobId, index, retries, 'pending,in_progress', 'error', 'model_failed', [
      'completedAt', new Date().toISOString(), 'errorCode', error.code, 'errorMessage', error.message,
    ]);
  }

  /**
   * Whether the model completed in the attempt queued under `retries`, by any run of it: then that
   * attempt's images are the model's result. False once the job has expired.
   */
  async completedIn(jobId: string, index: number, retries: number): Promise<boolean> {
    const [status, modelRetries] = await this.redis.hmget(jobKey(jobId), `m:${index}:status`, `m:${index}:retries`);
    return status === 'completed' && Number(modelRetries ?? 0) === retries;
  }

  /** Whether the model was canceled (a running model's worker asks, to stop its call). */
  async isCanceled(jobId: string, index: number): Promise<boolean> {
    return (await this.redis.hget(jobKey(jobId), `m:${index}:status`)) === 'canceled';
  }

  async cancel(jobId: string): Promise<CancelOutcome> {
    if (!isJobId(jobId)) return { outcome: 'not_found' };
    const result = await this.redis.ppCancel(jobKey(jobId), eventsKey(jobId), jobId, new Date().toISOString(), this.ttlSeconds);
    if (!result) return { outcome: 'not_found' };
    const [first = '', second = '', retries = '0'] = result;
    if (first === 'finished') return { outcome: 'finished', status: second as JobState };
    return { outcome: 'canceled', canceledModels: Number(first), correlationId: second, retries: Number(retries) };
  }

  /**
   * Sends the failed model `index` back to the queue (see RETRY_SCRIPT): its error is cleared, and a
   * job that had ended runs again until the model ends. With an idempotency key, the first request
   * retries; later ones with the same fingerprint are replays of it, others a conflict. Claim and
   * move happen in one script, so concurrent replays never retry twice.
   */
  async retry(jobId: string, index: number, idempotency?: { key: string; fingerprint: string }): Promise<RetryOutcome> {
    if (!isJobId(jobId)) return { outcome: 'not_found' };
    const result = await this.redis.ppRetry(
      jobKey(jobId), eventsKey(jobId), idempotency ? idempotencyKey(idempotency.key) : '',
      jobId, new Date().toISOString(), this.ttlSeconds, index,
      idempotency ? `${jobId} ${idempotency.fingerprint}` : '', IDEMPOTENCY_TTL_SECONDS,
    );
    if (!result) return { outcome: 'not_found' };
    const [outcome, value = ''] = result;
    if (outcome === 'claimed') return retryOutcomeOfClaim(value, idempotency?.fingerprint ?? '');
    if (outcome === 'not_failed') return { outcome: 'not_failed', status: value as ModelState };
    return { outcome: 'retried', retries: Number(value) };
  }

  /** What an earlier retry with this Idempotency-Key left (see claimOf); undefined while the key is unused. */
  async retryClaimOf(idempotency: { key: string; fingerprint: string }): Promise<RetryOutcome | undefined> {
    const claim = await this.redis.get(idempotencyKey(idempotency.key));
    return claim ? retryOutcomeOfClaim(claim, idempotency.fingerprint) : undefined;
  }

  /**
   * Events recorded after `afterId` (a valid stream id; all when omitted), oldest first. An id past
   * the last event cannot have come from us (we only send stored ids, and they grow), so it reads
   * from the start rather than waiting for events that would never come after it.
   */
  async eventsAfter(jobId: string, afterId?: string): Promise<StoredEvent[]> {
    const key = eventsKey(jobId);
    if (afterId === undefined) return toEvents(await this.redis.xrange(key, '-', '+'));
    const next = nextStreamId(afterId);
    const entries = next ? await this.redis.xrange(key, next, '+') : [];
    if (entries.length > 0) return toEvents(entries);
    const [last] = await this.redis.xrevrange(key, '+', '-', 'COUNT', 1);
    return last && isAfter(afterId, last[0]) ? toEvents(await this.redis.xrange(key, '-', '+')) : [];
  }

  private async transition(
    jobId: string,
    index: number,
    modelRetries: number,
    from: string,
    to: ModelState,
    eventType: StoredEvent['type'],
    extra: (string | number)[],
  ): Promise<TransitionOutcome> {
    const result = await this.redis.ppTransition(
      jobKey(jobId), eventsKey(jobId), jobId, new Date().toISOString(), this.ttlSeconds, index, from, to, eventType, modelRetries, ...extra,
    );
    if (result === null) return { moved: false };
    if (result === '') return { moved: true };
    const [finalStatus, retries] = result.split(' ');
    return { moved: true, finalStatus: finalStatus as JobState, retries: Number(retries) };
  }
}

function toEvents(entries: [id: string, fields: string[]][]): StoredEvent[] {
  return entries.map(([id, flat]) => {
    const fields = Object.fromEntries(flat.flatMap((value, i) => (i % 2 === 0 ? [[value, flat[i + 1]]] : [])));
    const index = Number(fields['index']);
    const type = fields['type'] as StoredEvent['type'];
    return type === 'completed'
      ? { id, type, index }
      : { id, type, index, model: JSON.parse(fields['data'] ?? '{}') as ModelRecord };
  });
}
