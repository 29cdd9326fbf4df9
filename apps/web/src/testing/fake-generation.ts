import type {
  EnhanceResponse,
  GenerateAccepted,
  GenerateRequest,
  JobStatusResponse,
  ModelResult,
  ModelsResponse,
  RetryAccepted,
} from '@pixel-prompt/contracts';

/** Two models that honour seed only: enough to show names, order and capability hints. */
export const CAPABILITIES = { size: true, seed: true, steps: false, guidance: false, negativePrompt: false };
export const MODELS: ModelsResponse = {
  models: [
    { id: 'aurora', displayName: 'Aurora', capabilities: CAPABILITIES },
    { id: 'nimbus', displayName: 'Nimbus', capabilities: CAPABILITIES },
  ],
};

export const ACCEPTED: GenerateAccepted = {
  jobId: 'job-1',
  status: 'pending',
  statusUrl: '/status/job-1',
  eventsUrl: '/status/job-1/events',
  totalModels: 2,
};

/** Model `index`'s result in the given state. */
export function result(index: number, status: ModelResult['status'], extra: Partial<ModelResult> = {}): ModelResult {
  const model = MODELS.models[index] ?? { id: `m${index}`, displayName: `M${index}` };
  return { model: model.id, displayName: model.displayName, index, status, ...extra };
}

/** GET /status of job-1 with these results. */
export function statusOf(state: JobStatusResponse['status'], results: ModelResult[]): JobStatusResponse {
  const at = '2026-11-23T12:00:00.000Z';
  return {
    jobId: 'job-1',
    status: state,
    createdAt: at,
    updatedAt: at,
    totalModels: results.length,
    completedModels: results.filter((r) => ['completed', 'error', 'canceled'].includes(r.status)).length,
    prompt: 'a lighthouse at dawn',
    parameters: { steps: 30, guidance: 7.5, seed: 1 },
    results,
  };
}

/** A promise the test settles when it chooses, like an API call in flight. */
export class Deferred<T> {
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;
  readonly promise = new Promise<T>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });
}

/** GenerationApi with every call recorded and answered by the test. */
export class FakeGenerationApi {
  readonly calls: { method: string; args: unknown[]; answer: Deferred<unknown> }[] = [];

  models = (): Promise<ModelsResponse> => this.call('models');
  generate = (request: GenerateRequest, key: string): Promise<GenerateAccepted> => this.call('generate', request, key);
  status = (jobId: string): Promise<JobStatusResponse> => this.call('status', jobId);
  cancel = (jobId: string): Promise<void> => this.call('cancel', jobId);
  retry = (jobId: string, model: string, key: string): Promise<RetryAccepted> => this.call('retry', jobId, model, key);
  enhance = (prompt: string): Promise<EnhanceResponse> => this.call('enhance', prompt);
  eventsUrl = (path: string): string => `/api${path}`;

  /** The calls of `method` so far. */
  of(method: string) {
    return this.calls.filter((call) => call.method === method);
  }

  /** The last call of `method`; fails the test when there is none. */
  last(method: string) {
    const calls = this.of(method);
    if (calls.length === 0) throw new Error(`GenerationApi.${method} was not called`);
    return calls[calls.length - 1] as (typeof calls)[number];
  }

  private call<T>(method: string, ...args: unknown[]): Promise<T> {
    const answer = new Deferred<unknown>();
    this.calls.push({ method, args, answer });
    return answer.promise as Promise<T>;
  }
}

/** Stands in for EventSource (jsdom has none): the test emits the server's events. */
export class FakeEventSource {
  onerror: (() => void) | null = null;
  closed = false;
  private readonly listeners = new Map<string, ((message: MessageEvent<string>) => void)[]>();

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: (message: MessageEvent<string>) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  emit(type: string, data: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) {
      listener({ data: typeof data === 'string' ? data : JSON.stringify(data) } as MessageEvent<string>);
    }
  }

  close(): void {
    this.closed = true;
  }
}
