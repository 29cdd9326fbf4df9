import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { JobStatusResponse } from '@pixel-prompt/contracts';
import { type GalleryIndexEntry, type GalleryManifest, IMAGES_PREFIX, galleryIndexKey } from '@pixel-prompt/storage';
import type { WorkerLogLine } from './system';

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

async function getJson<T>(s3: S3Client, bucket: string, key: string): Promise<T | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse((await object.Body?.transformToString()) ?? 'null') as T;
  } catch {
    return undefined;
  }
}

const keyOf = (url: string | undefined) => (url ?? '').replace(/^\//, '');

export interface StorageFindings {
  /** Completed models whose image, thumbnail or tiles are not in S3. */
  missingImages: string[];
  /** Completed models whose job's gallery manifest does not list them. */
  missingFromManifests: string[];
  /** Objects under images/ no completed model links to. */
  unreferencedImages: string[];
}

/**
 * Compares S3 with what the jobs say: every image of a completed model (with its thumbnail and
 * tiles) stored and in its gallery, nothing else stored.
 */
export async function inspectStorage(s3: S3Client, bucket: string, jobs: JobStatusResponse[]): Promise<StorageFindings> {
  const stored = new Set(await listKeys(s3, bucket, IMAGES_PREFIX));
  const referenced = new Set<string>();
  const findings: StorageFindings = { missingImages: [], missingFromManifests: [], unreferencedImages: [] };
  for (const job of jobs) {
    const completed = job.results.filter((r) => r.status === 'completed');
    if (completed.length === 0) continue;
    const index = await getJson<GalleryIndexEntry>(s3, bucket, galleryIndexKey(job.jobId));
    const manifest = index && (await getJson<GalleryManifest>(s3, bucket, index.manifestKey));
    const listed = new Set(manifest?.images.flatMap((i) => [i.imageKey, i.thumbnailKey, i.tileKey, i.tile2xKey]) ?? []);
    for (const result of completed) {
      for (const key of [result.imageUrl, result.thumbnailUrl, result.tileUrl, result.tile2xUrl].map(keyOf)) {
        referenced.add(key);
        if (!stored.has(key)) findings.missingImages.push(key);
        if (!listed.has(key)) findings.missingFromManifests.push(key);
      }
    }
  }
  findings.unreferencedImages = [...stored].filter((key) => !referenced.has(key));
  return findings;
}

/** A model of a job, as worker logs name it: `<jobId>/<model>`. */
export const modelKey = (fields: Record<string, unknown>) => `${String(fields['jobId'])}/${String(fields['model'])}`;

/** Provider calls per model of a job: one `model started` line each, across every worker that ever ran. */
export function providerCalls(logs: WorkerLogLine[]): Map<string, number> {
  const calls = new Map<string, number>();
  for (const { fields } of logs) {
    if (fields['msg'] === 'model started') calls.set(modelKey(fields), (calls.get(modelKey(fields)) ?? 0) + 1);
  }
  return calls;
}

/** Failed provider calls that were retried, by the code the provider's failure had. */
export function retriedProviderFailures(logs: WorkerLogLine[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { fields } of logs) {
    if (fields['msg'] === 'model call failed; retrying with backoff') {
      const code = String(fields['code']);
      counts[code] = (counts[code] ?? 0) + 1;
    }
  }
  return counts;
}

/** The worker's log line when the stalled-job check puts a dead worker's model job back in its queue. */
export const RETURNED_TO_QUEUE = 'model job of a stopped worker returned to the queue';
/** The lines of a worker taking a model job up again: starting it, or finding it ended. */
export const RUNNING_AGAIN = ['model started', 'model skipped: canceled or already ended'];

/**
 * For a worker killed at `killedAt`: the longest a model it had started and not finished waited
 * until one of the `pickedUp` lines (by any worker) or until it ended otherwise (`endedAt`, from the
 * job's status); undefined when it had none running. A model that ended before the kill (its worker
 * died before logging it) waited for nothing.
 */
export function stalledRecoveryMs(
  logs: WorkerLogLine[],
  worker: number,
  killedAt: number,
  pickedUp: string[],
  endedAt: (key: string) => number | undefined,
): number | undefined {
  const finished = new Set([
    'model completed',
    'model failed',
    'model call failed; retrying with backoff',
    'model call stopped: canceled',
    'model skipped: canceled or already ended',
    'model result dropped: the model had already ended',
  ]);
  const running = new Set<string>();
  for (const { worker: w, fields } of logs) {
    if (w !== worker) continue;
    if (fields['msg'] === 'model started') running.add(modelKey(fields));
    else if (finished.has(String(fields['msg']))) running.delete(modelKey(fields));
  }
  let worst: number | undefined;
  for (const key of running) {
    const ended = endedAt(key);
    if (ended !== undefined && ended < killedAt) continue;
    const next = logs.find((line) => line.worker !== worker && line.time >= killedAt && pickedUp.includes(String(line.fields['msg'])) && modelKey(line.fields) === key);
    // Neither: counted up to now, so a model nobody took up again shows.
    const waited = Math.min(next?.time ?? Date.now(), ended ?? Date.now()) - killedAt;
    worst = Math.max(worst ?? 0, waited);
  }
  return worst;
}

/**
 * How long after `since` (S3 back) the last upload held through an S3 outage was stored by the
 * worker holding it. Uploads whose worker was killed meanwhile went with it: the worker-kill
 * recovery covers those.
 */
export function storageRecoveryMs(logs: WorkerLogLine[], outageStart: number, since: number): number | undefined {
  const holder = (line: WorkerLogLine) => `${line.worker}:${modelKey(line.fields)}`;
  const retrying = new Set(
    logs.filter((l) => l.time >= outageStart && String(l.fields['msg']).startsWith('storing the image failed')).map(holder),
  );
  const completions = logs.filter((l) => l.fields['msg'] === 'model completed' && l.time >= since && retrying.has(holder(l)));
  return completions.length === 0 ? undefined : Math.max(...completions.map((l) => l.time)) - since;
}

/** Time after `since` until the first model completed: the pipeline flowing again. */
export function firstCompletionAfterMs(logs: WorkerLogLine[], since: number): number | undefined {
  const times = logs.filter((l) => l.fields['msg'] === 'model completed' && l.time >= since).map((l) => l.time);
  return times.length === 0 ? undefined : Math.min(...times) - since;
}
