import { Inject, Injectable } from '@nestjs/common';
import { isTerminalJobState } from '@pixel-prompt/contracts';
import { JobStore } from '@pixel-prompt/jobs';
import { type JsonDocument, jsonDocument } from '@pixel-prompt/service';
import { ImageLinks, LruCache } from '@pixel-prompt/storage';
import { GENERATION_API_CONFIG, type GenerationApiConfig } from './config';
import { toStatusResponse } from './results';

/** Finished jobs' documents kept per replica: about 3 KB each. */
const FINISHED_STATUS_CACHE_SIZE = 1000;

/** A job's GET /status answer, encoded, with how long clients may keep it. */
export interface StatusDocument extends JsonDocument {
  cacheControl: string;
}

interface FinishedStatus extends JsonDocument {
  /** Until the job expires in Redis or its links go stale (signed links), whichever comes first. */
  validUntilMs: number;
}

/**
 * The status documents GET /status answers with. A finished job none of whose models failed never
 * changes again (every model has ended, nothing moves an ended model, and only a failed model can
 * be retried, which reopens its job), so its document is read from Redis and rendered once per
 * replica and then served from memory, and clients may cache it: that is most of what a status
 * request cost (docs/PERFORMANCE.md). A job still running, or with a failed model, is read every
 * time and must be revalidated. Anything else that one day changes a finished job must stop caching
 * it here.
 */
@Injectable()
export class StatusDocuments {
  private readonly finished = new LruCache<string, FinishedStatus>(FINISHED_STATUS_CACHE_SIZE);

  constructor(
    private readonly store: JobStore,
    private readonly links: ImageLinks,
    @Inject(GENERATION_API_CONFIG) private readonly config: GenerationApiConfig,
  ) {}

  /** The job's document as of `nowMs`; undefined when there is no such job (or it expired). */
  async find(jobId: string, nowMs: number): Promise<StatusDocument | undefined> {
    const cached = this.finished.get(jobId);
    if (cached && nowMs < cached.validUntilMs) return withMaxAge(cached, nowMs);
    const job = await this.store.get(jobId);
    if (!job) return undefined;
    const links = this.links.at(nowMs);
    const document = jsonDocument(toStatusResponse(job, links.url));
    const final = isTerminalJobState(job.status) && !job.models.some((model) => model.status === 'error');
    if (!final) return { ...document, cacheControl: 'no-cache' };
    // Every change to a job renews its expiry, so a finished job expires a TTL after its last update.
    const expiresAtMs = Date.parse(job.updatedAt) + this.config.JOB_TTL_SECONDS * 1000;
    const linksStaleAtMs = links.freshForSeconds === undefined ? Infinity : nowMs + links.freshForSeconds * 1000;
    const finished = { ...document, validUntilMs: Math.min(expiresAtMs, linksStaleAtMs) };
    this.finished.set(jobId, finished);
    return withMaxAge(finished, nowMs);
  }
}

function withMaxAge({ bytes, etag, validUntilMs }: FinishedStatus, nowMs: number): StatusDocument {
  return { bytes, etag, cacheControl: `public, max-age=${Math.max(0, Math.floor((validUntilMs - nowMs) / 1000))}` };
}
