import { setTimeout as delay } from 'node:timers/promises';
import type { JobStatusResponse } from '@pixel-prompt/contracts';
import { isTerminalJobState } from '@pixel-prompt/contracts';

export interface Submission {
  index: number;
  jobId?: string;
  /** 503s and connection errors answered before the 202 (each retried with the same Idempotency-Key). */
  refusals: number;
}

/** The models job `index` asks for: two built-in ones and two chaos ones, in rotation. */
export function modelsOf(index: number, local: string[], chaos: string[]): string[] {
  const pick = (ids: string[], offset: number) => ids[(index + offset) % ids.length] ?? '';
  return [...new Set([pick(local, 0), pick(local, 1), pick(chaos, 0), pick(chaos, 1)])];
}

/**
 * Submits one generation the way a careful client does: with an Idempotency-Key, retrying 503s and
 * lost connections with the same key until the gateway answers 202 or `giveUpMs` passes.
 */
export async function submit(gatewayUrl: string, runId: string, index: number, models: string[], giveUpMs: number): Promise<Submission> {
  const submission: Submission = { index, refusals: 0 };
  const deadline = Date.now() + giveUpMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${gatewayUrl}/generate`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `${runId}-${index}` },
        body: JSON.stringify({ prompt: `chaos job ${index}`, seed: index, models }),
        signal: AbortSignal.timeout(30_000),
      });
      if (res.status === 202) {
        submission.jobId = ((await res.json()) as { jobId: string }).jobId;
        return submission;
      }
      await res.body?.cancel();
      if (res.status !== 503) throw new Error(`job ${index}: POST /generate answered ${res.status}`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith(`job ${index}:`)) throw error;
    }
    submission.refusals++;
    await delay(500);
  }
  return submission;
}

/** The job's status, or undefined while the gateway cannot say (its Redis is down). */
async function statusOf(gatewayUrl: string, jobId: string): Promise<JobStatusResponse | 'not found' | undefined> {
  try {
    const res = await fetch(`${gatewayUrl}/status/${jobId}`, { signal: AbortSignal.timeout(10_000) });
    if (res.status === 404) return 'not found';
    if (res.status !== 200) return undefined;
    return (await res.json()) as JobStatusResponse;
  } catch {
    return undefined;
  }
}

/**
 * Polls every job until it has ended or `timeoutMs` passes; returns the last status of each
 * (`not found` when the gateway no longer knows the job: it was lost).
 */
export async function awaitTerminal(gatewayUrl: string, jobIds: string[], timeoutMs: number): Promise<Map<string, JobStatusResponse | 'not found' | undefined>> {
  const statuses = new Map<string, JobStatusResponse | 'not found' | undefined>();
  const deadline = Date.now() + timeoutMs;
  let open = jobIds;
  while (open.length > 0 && Date.now() < deadline) {
    const next: string[] = [];
    for (let i = 0; i < open.length; i += 20) {
      const batch = open.slice(i, i + 20);
      const answers = await Promise.all(batch.map((jobId) => statusOf(gatewayUrl, jobId)));
      batch.forEach((jobId, j) => {
        const answer = answers[j];
        statuses.set(jobId, answer);
        if (answer !== 'not found' && !(answer && isTerminalJobState(answer.status))) next.push(jobId);
      });
    }
    open = next;
    if (open.length > 0) await delay(1000);
  }
  return statuses;
}
