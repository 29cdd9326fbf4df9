import type { Provider } from '@nestjs/common';
import { JobCancellations, JobEvents } from '@pixel-prompt/jobs';
import { GENERATION_API_CONFIG, GENERATION_WORKER_CONFIG, type GenerationApiConfig, type GenerationWorkerConfig } from './config';
import { JobEventStreams } from './event-stream';
import { FinalizeConsumer } from './finalize-consumer';
import { GenerationService } from './generation.service';
import { GenerationProducer } from './model-jobs';
import { StatusDocuments } from './status-documents';
import { ModelConsumer } from './model-consumer';
import { WorkerMetrics } from './worker-metrics';

// The use case's parts for each side. Both need JobsModule, QueuesModule, RedisModule and
// ServiceModule, and the app's ModelRegistry; the API side ImageLinks and libs/prompts' policy, the
// workers StorageModule and ProvidersModule.

/** The public API's side: submit, status, cancel, retry and event streams. */
export function provideGenerationApi(config: GenerationApiConfig): Provider[] {
  return [{ provide: GENERATION_API_CONFIG, useValue: config }, JobEvents, GenerationProducer, GenerationService, StatusDocuments, JobEventStreams];
}

/** The workers' side: running models and finalising ended jobs (their queues are consumed by the app's processors). */
export function provideGenerationWorker(config: GenerationWorkerConfig): Provider[] {
  return [{ provide: GENERATION_WORKER_CONFIG, useValue: config }, JobCancellations, GenerationProducer, WorkerMetrics, ModelConsumer, FinalizeConsumer];
}
