import { Injectable } from '@nestjs/common';
import type { GenerationParameters } from '@pixel-prompt/contracts';
import { GenerationQueues, type JobRecord } from '@pixel-prompt/jobs';
import type { Queue } from 'bull';

// What the queues carry and who adds it. The gateway queues models (submit, retry) and a cancel's
// finalisation; workers queue the finalisation of the jobs they end. ModelConsumer and
// FinalizeConsumer take them.

/** One attempt at one model of one generation: what a worker needs to run it (the job's parameters, flat). */
export interface ModelJobData extends GenerationParameters {
  jobId: string;
  index: number;
  model: string;
  prompt: string;
  /** The request that queued it: the worker logs and stores under it. */
  correlationId: string;
  /**
   * The model's retries when this attempt was queued; absent for its first attempt (and in jobs
   * queued before retries existed). Names the attempt's queue job and image keys, and a stale
   * attempt's moves are refused (JobStore.start).
   */
  retries?: number;
}

/** One end of a job, to finalise: write its gallery, count its outcome. */
export interface FinalizeJobData {
  jobId: string;
  correlationId: string;
  /** The job's retries when it ended; absent in jobs queued before retries existed. */
  retries?: number;
}

/** What a worker needs to run model `index` of `job`; `retries`: the model's retries before this attempt. */
export function modelJobData(job: Pick<JobRecord, 'jobId' | 'prompt' | 'parameters'>, index: number, model: string, correlationId: string, retries = 0): ModelJobData {
  return { jobId: job.jobId, index, model, prompt: job.prompt, ...job.parameters, correlationId, retries };
}

/** The producer side of the queues, for the gateway and the workers alike. */
@Injectable()
export class GenerationProducer {
  constructor(private readonly queues: GenerationQueues) {}

  private modelQueue(model: string): Queue<ModelJobData> {
    return this.queues.model(model);
  }

  private finalizeQueue(): Queue<FinalizeJobData> {
    return this.queues.finalize();
  }

  /**
   * Queues one attempt at one model of a job. Its Bull id makes queueing the same attempt twice a
   * no-op (and once Bull has forgotten a finished one, running it again finds the model ended); the
   * model's `retries` (absent for the first attempt) keeps a retried attempt apart.
   */
  async queueModel(data: ModelJobData): Promise<void> {
    const id = `${data.jobId}:${data.index}`;
    await this.modelQueue(data.model).add(data, { jobId: data.retries ? `${id}:retry-${data.retries}` : id });
  }

  /**
   * Queues the finalisation of one end of a job; its id makes a second request for the same end a
   * no-op. `retries`: the job's retries when it ended (a retried model can end a job again).
   */
  async requestFinalize(jobId: string, correlationId: string, retries: number): Promise<void> {
    await this.finalizeQueue().add({ jobId, correlationId, retries }, { jobId: retries === 0 ? `finalize:${jobId}` : `finalize:${jobId}:${retries}` });
  }

  /** See GenerationQueues.replicated: whether `replicas` Redis replicas hold what these models' queues wrote. */
  replicated(models: string[], replicas: number, timeoutMs: number): Promise<boolean> {
    return this.queues.replicated(models, replicas, timeoutMs);
  }
}
