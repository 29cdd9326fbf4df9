import { execFileSync } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { jobsEnvSchema, loadConfig, s3EnvSchema } from '@pixel-prompt/config';
import type { JobStatusResponse } from '@pixel-prompt/contracts';
import { MAX_STALLED_COUNT } from '@pixel-prompt/jobs';
import { loadModelRegistry } from '@pixel-prompt/models';
import { ObjectStorage } from '@pixel-prompt/storage';
import { workspaceRoot } from '@pixel-prompt/testing';
import {
  RETURNED_TO_QUEUE,
  RUNNING_AGAIN,
  firstCompletionAfterMs,
  inspectStorage,
  modelKey,
  providerCalls,
  retriedProviderFailures,
  stalledRecoveryMs,
  storageRecoveryMs,
} from './checks';
import { awaitTerminal, modelsOf, submit } from './load';
import type { ChaosReport, Check } from './report';
import { ChaosSystem } from './system';

export interface ChaosOptions {
  jobs: number;
  /** Submissions are spread over this long, and every fault happens within it. */
  submitSeconds: number;
  workers: number;
  /** Worker SIGKILLs, evenly spread over the submissions (each worker is replaced at once). */
  workerKills: number;
  /** How long Redis stays down after its `kill -9`. */
  redisDownMs: number;
  /** How long s3rver is stopped. */
  s3OutageMs: number;
  /** STORAGE_RETRY_WINDOW_MS of the workers. */
  storageRetryWindowMs: number;
  registryPath: string;
  /** How long jobs may take to end once the submissions and faults are over. */
  finishTimeoutMs: number;
  /** Where to write every service's log at the end; nowhere when undefined. */
  logsDir?: string;
}

export type Progress = (line: string) => void;

interface FaultTimes {
  /** When each SIGKILL happened, and which worker process it hit. */
  kills: { at: number; worker: number }[];
  redis: { crashedAt: number; restartedAt: number; readyAt: number } | undefined;
  s3: { stoppedAt: number; restartedAt: number } | undefined;
}

const sleepUntil = (time: number) => delay(Math.max(0, time - Date.now()));

/** Injects the infrastructure faults while the submissions run: S3 first, then Redis, worker kills throughout. */
async function injectFaults(system: ChaosSystem, options: ChaosOptions, start: number, progress: Progress): Promise<FaultTimes> {
  const span = options.submitSeconds * 1000;
  const at = (share: number) => start + share * span;
  const elapsed = () => `${((Date.now() - start) / 1000).toFixed(1)} s`;
  const times: FaultTimes = { kills: [], redis: undefined, s3: undefined };

  const kills = (async () => {
    for (let i = 0; i < options.workerKills; i++) {
      await sleepUntil(at(0.05 + ((i + 0.5) * 0.9) / options.workerKills));
      const slot = i % system.workerCount;
      const { killedAt, worker } = await system.killWorker(slot);
      times.kills.push({ at: killedAt, worker });
      progress(`${elapsed()}  worker SIGKILL (slot ${slot}), replaced`);
    }
  })();
  const s3 = (async () => {
    await sleepUntil(at(0.1));
    const stoppedAt = Date.now();
    progress(`${elapsed()}  S3 stopped for ${options.s3OutageMs / 1000} s`);
    const restartedAt = await system.s3Outage(options.s3OutageMs);
    times.s3 = { stoppedAt, restartedAt };
    progress(`${elapsed()}  S3 back`);
  })();
  const redis = (async () => {
    await sleepUntil(at(0.75));
    const crashedAt = Date.now();
    progress(`${elapsed()}  Redis kill -9`);
    const restartedAt = await system.crashRedis(options.redisDownMs);
    progress(`${elapsed()}  Redis restarted on its data`);
    times.redis = { crashedAt, restartedAt, readyAt: await system.ready() };
  })();
  await Promise.all([kills, s3, redis]);
  return times;
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: workspaceRoot(), encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function examples(items: string[]): string | undefined {
  return items.length === 0 ? undefined : `${items.length}: ${items.slice(0, 3).join(', ')}${items.length > 3 ? ', ...' : ''}`;
}

/**
 * Inspects storage once every job's gallery lists its completed models, or at the deadline: a job's
 * gallery is written by the finalisation queued when it ends, so it can trail the job's end by a
 * moment, or by a stalled-job check when the worker finalising it was killed.
 */
async function awaitGalleries(bucket: ObjectStorage, ended: JobStatusResponse[], timeoutMs: number, progress: Progress) {
  const since = Date.now();
  let findings = await inspectStorage(bucket, ended);
  const trailing = findings.missingFromManifests.length;
  while (findings.missingFromManifests.length > 0 && Date.now() - since < timeoutMs) {
    await delay(1000);
    findings = await inspectStorage(bucket, ended);
  }
  const waited = ((Date.now() - since) / 1000).toFixed(1);
  progress(`galleries checked ${waited} s after the jobs ended (${trailing} image files not yet in their gallery at first look)`);
  return findings;
}

/**
 * Starts the system, submits `jobs` generations while injecting every fault, waits for the jobs to
 * end, and checks what the system promises: nothing accepted is lost, stored images match the
 * results and the galleries exactly, no provider is called more often than retries allow, and no
 * built-in model fails because of the infrastructure's faults.
 */
export async function runChaos(options: ChaosOptions, progress: Progress): Promise<ChaosReport> {
  const startedAt = new Date();
  const revision = commit();
  const registry = loadModelRegistry(options.registryPath);
  const builtIn = registry.enabled.filter((m) => m.provider === 'local').map((m) => m.id);
  const chaos = registry.enabled.filter((m) => m.provider === 'chaos').map((m) => m.id);
  const system = await ChaosSystem.start(options);
  progress(`system up: gateway, gallery, ${options.workers} workers; submitting ${options.jobs} jobs over ${options.submitSeconds} s`);
  try {
    const runId = `chaos-${startedAt.getTime()}`;
    const start = Date.now();
    const submitting = Promise.all(
      Array.from({ length: options.jobs }, async (_, index) => {
        await sleepUntil(start + (index * options.submitSeconds * 1000) / options.jobs);
        return submit(system.gateway.url, runId, index, modelsOf(index, builtIn, chaos), 120_000);
      }),
    );
    const [submissions, faults] = await Promise.all([submitting, injectFaults(system, options, start, progress)]);
    const accepted = submissions.flatMap((s) => (s.jobId ? [s.jobId] : []));
    progress(`${accepted.length} of ${options.jobs} accepted; waiting for every job to end`);
    const statuses = await awaitTerminal(system.gateway.url, accepted, options.finishTimeoutMs);
    const ended = [...statuses.values()].filter((s): s is JobStatusResponse => typeof s === 'object' && ['completed', 'partial', 'failed', 'canceled'].includes(s.status));

    const logs = system.workerLogs();
    const bucket = new ObjectStorage(loadConfig(s3EnvSchema, system.s3.env()));
    const storage = await awaitGalleries(bucket, ended, options.finishTimeoutMs, progress);
    bucket.onApplicationShutdown();

    const modelFailures = { builtIn: {} as Record<string, number>, chaos: {} as Record<string, number> };
    for (const job of ended) {
      for (const result of job.results) {
        if (result.status !== 'error') continue;
        const tally = builtIn.includes(result.model) ? modelFailures.builtIn : modelFailures.chaos;
        const code = result.error?.code ?? 'UNKNOWN';
        tally[code] = (tally[code] ?? 0) + 1;
      }
    }
    const endedAt = new Map(
      ended.flatMap((job) => job.results.flatMap((r) => (r.completedAt ? [[modelKey({ jobId: job.jobId, model: r.model }), Date.parse(r.completedAt)] as const] : []))),
    );
    const calls = providerCalls(logs);
    const allowed = loadConfig(jobsEnvSchema, {}).JOB_ATTEMPTS + MAX_STALLED_COUNT;
    const overCalled = [...calls.entries()].filter(([, n]) => n > allowed).map(([key, n]) => `${key} called ${n} times`);
    const lost = accepted.filter((jobId) => !ended.some((job) => job.jobId === jobId));
    const storageFailures = (modelFailures.builtIn['STORAGE_UNAVAILABLE'] ?? 0) + (modelFailures.chaos['STORAGE_UNAVAILABLE'] ?? 0);

    const checks: Check[] = [
      { name: 'every submission was accepted (202), retried with its Idempotency-Key through outages', ok: accepted.length === options.jobs },
      { name: 'every accepted job reached an end state (none lost)', ok: lost.length === 0, detail: examples(lost) },
      { name: 'every completed model’s image, thumbnail and tiles are in S3', ok: storage.missingImages.length === 0, detail: examples(storage.missingImages) },
      { name: 'and in its job’s gallery manifest', ok: storage.missingFromManifests.length === 0, detail: examples(storage.missingFromManifests) },
      { name: 'no image in S3 is unreferenced', ok: storage.unreferencedImages.length === 0, detail: examples(storage.unreferencedImages) },
      { name: `provider calls per model within the attempts allowed (${allowed})`, ok: overCalled.length === 0, detail: examples(overCalled) },
      {
        name: 'no model failed because of the infrastructure faults (built-in models never fail; none STORAGE_UNAVAILABLE)',
        ok: Object.keys(modelFailures.builtIn).length === 0 && storageFailures === 0,
        detail: Object.keys(modelFailures.builtIn).length + storageFailures > 0 ? JSON.stringify(modelFailures) : undefined,
      },
    ];

    const worst = (values: (number | undefined)[]) => {
      const measured = values.filter((v): v is number => v !== undefined);
      return measured.length === 0 ? undefined : Math.max(...measured) / 1000;
    };
    const retried = retriedProviderFailures(logs);
    const timeouts = (modelFailures.chaos['TIMEOUT'] ?? 0) + (modelFailures.builtIn['TIMEOUT'] ?? 0);
    const report: ChaosReport = {
      commit: revision,
      startedAt: startedAt.toISOString(),
      durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
      settings: {
        jobs: options.jobs,
        submitSeconds: options.submitSeconds,
        workers: options.workers,
        redisDownMs: options.redisDownMs,
        s3OutageMs: options.s3OutageMs,
        storageRetryWindowMs: options.storageRetryWindowMs,
      },
      faults: [
        {
          fault: 'worker SIGKILL',
          injected: faults.kills.length,
          worstRecoverySeconds: worst(faults.kills.map((k) => stalledRecoveryMs(logs, k.worker, k.at, [RETURNED_TO_QUEUE], (key) => endedAt.get(key)))),
          recovery: 'kill → its running models back in their queues',
        },
        {
          fault: 'worker SIGKILL (the same kills)',
          injected: faults.kills.length,
          worstRecoverySeconds: worst(faults.kills.map((k) => stalledRecoveryMs(logs, k.worker, k.at, RUNNING_AGAIN, (key) => endedAt.get(key)))),
          recovery: 'kill → those models running again (waits for a free slot)',
        },
        {
          fault: `Redis kill -9, restart after ${options.redisDownMs / 1000} s`,
          injected: faults.redis ? 1 : 0,
          worstRecoverySeconds: faults.redis && worst([faults.redis.readyAt - faults.redis.restartedAt, firstCompletionAfterMs(logs, faults.redis.restartedAt)]),
          recovery: 'restart → every service ready and a model completed',
        },
        {
          fault: `S3 outage of ${options.s3OutageMs / 1000} s`,
          injected: faults.s3 ? 1 : 0,
          worstRecoverySeconds: faults.s3 && worst([storageRecoveryMs(logs, faults.s3.stoppedAt, faults.s3.restartedAt) ?? 0]),
          recovery: 'S3 back → the last upload held through the outage stored',
        },
        { fault: 'provider 5xx', injected: retried['PROVIDER_ERROR'] ?? 0, recovery: 'retried with backoff' },
        { fault: 'provider 429 with Retry-After', injected: retried['RATE_LIMITED'] ?? 0, recovery: 'retried after Retry-After' },
        { fault: 'provider hang', injected: timeouts, recovery: 'stopped at the model timeout (TIMEOUT)' },
      ],
      jobs: {
        submitted: options.jobs,
        accepted: accepted.length,
        refusedThenRetried: submissions.reduce((sum, s) => sum + s.refusals, 0),
        completed: ended.filter((j) => j.status === 'completed').length,
        partial: ended.filter((j) => j.status === 'partial').length,
        failed: ended.filter((j) => j.status === 'failed').length,
        lost: lost.length,
      },
      modelFailures,
      providerCalls: { most: Math.max(0, ...calls.values()), allowed },
      checks,
      ok: checks.every((c) => c.ok),
    };
    return report;
  } finally {
    if (options.logsDir) system.saveLogs(options.logsDir);
    await system.stop();
  }
}
