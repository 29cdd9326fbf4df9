import { DestroyRef, Injectable, InjectionToken, computed, inject, signal } from '@angular/core';
import {
  ENHANCE_PROMPT_MAX_LENGTH,
  type GenerateAccepted,
  type GenerateRequest,
  GENERATION_LIMITS,
  type JobEventType,
  type ModelEvent,
  type ModelResult,
  type ModelsResponse,
  type JobStatusResponse,
  isTerminalJobState,
} from '@pixel-prompt/contracts';
import { toApiProblem } from '../core/api-error';
import { Sounds } from '../core/sounds';
import { Toasts } from '../core/toasts';
import { GenerationApi } from './generation-api';
import { pickInspiration } from './inspirations';
import { PromptHistory } from './prompt-history';

/** Opens the job's event stream; a token so tests can drive the stream themselves (jsdom has no EventSource). */
export const EVENT_SOURCE_FACTORY = new InjectionToken<(url: string) => EventSource>('EVENT_SOURCE_FACTORY', {
  providedIn: 'root',
  factory: () => (url) => new EventSource(url),
});

/** How often GET /status is asked when the event stream is not available. */
export const POLL_INTERVAL_MS = 1500;

const MODEL_EVENTS: readonly Exclude<JobEventType, 'completed'>[] = [
  'model_started',
  'model_completed',
  'model_failed',
  'model_canceled',
];

export type ModelInfo = ModelsResponse['models'][number];

interface ParameterErrors {
  steps?: string;
  guidance?: string;
  seed?: string;
}

function isFinished(result: ModelResult): boolean {
  return result.status === 'completed' || result.status === 'error' || result.status === 'canceled';
}

function inRange(value: number | null, limits: { min: number; max: number }, integer: boolean): boolean {
  return value !== null && Number.isFinite(value) && value >= limits.min && value <= limits.max && (!integer || Number.isInteger(value));
}

/** A fresh Idempotency-Key; crypto.randomUUID needs a secure context, so plain HTTP gets a random token. */
function newIdempotencyKey(): string {
  if (typeof globalThis.crypto?.randomUUID === 'function') return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}

/**
 * Everything the generate page knows and does: the prompt and parameters, enhancement, and the
 * running job. A job is followed over its event stream; if the stream fails it is polled instead,
 * and its final state is always read from GET /status. Provided by the page, so it ends with it.
 */
@Injectable()
export class GenerateStore {
  private readonly api = inject(GenerationApi);
  private readonly toasts = inject(Toasts);
  private readonly sounds = inject(Sounds);
  private readonly history = inject(PromptHistory);
  private readonly openEventSource = inject(EVENT_SOURCE_FACTORY);

  readonly prompt = signal('');
  readonly steps = signal<number | null>(GENERATION_LIMITS.steps.default);
  readonly guidance = signal<number | null>(GENERATION_LIMITS.guidance.default);
  /** Empty means the server picks a seed. */
  readonly seed = signal<number | null>(null);

  /** The enabled models from GET /models; undefined until they arrive. */
  readonly models = signal<ModelInfo[] | undefined>(undefined);
  /** GET /models failed (a toast offers Retry); the page can still generate with every model. */
  readonly modelsFailed = signal(false);

  /** The suggestion from POST /enhance, waiting for Use or Discard. */
  readonly enhanced = signal<string | null>(null);
  readonly enhancing = signal(false);

  /** The job shown in the results, with the prompt it was generated from (for alt texts). */
  readonly job = signal<{ jobId: string; prompt: string } | null>(null);
  readonly results = signal<ModelResult[]>([]);
  /** Local time (ms) each model was first seen generating, by result index: drives the elapsed time. */
  readonly startTimes = signal<ReadonlyMap<number, number>>(new Map());
  readonly submitting = signal(false);
  readonly finished = signal(false);
  readonly canceling = signal(false);

  readonly running = computed(() => this.job() !== null && !this.finished());
  readonly finishedCount = computed(() => this.results().filter(isFinished).length);
  readonly completed = computed(() => this.results().filter((result) => result.status === 'completed' && result.imageUrl));

  readonly parameterErrors = computed<ParameterErrors>(() => {
    const { steps, guidance, seed } = GENERATION_LIMITS;
    const errors: ParameterErrors = {};
    if (!inRange(this.steps(), steps, true)) errors.steps = `Steps must be a whole number from ${steps.min} to ${steps.max}.`;
    if (!inRange(this.guidance(), guidance, false)) errors.guidance = `Guidance must be a number from ${guidance.min} to ${guidance.max}.`;
    if (this.seed() !== null && !inRange(this.seed(), seed, true)) {
      errors.seed = `Seed must be empty or a whole number from ${seed.min} to ${seed.max}.`;
    }
    return errors;
  });

  readonly canGenerate = computed(
    () =>
      this.prompt().trim().length > 0 &&
      this.prompt().length <= GENERATION_LIMITS.promptMaxLength &&
      Object.keys(this.parameterErrors()).length === 0 &&
      !this.submitting() &&
      !this.running(),
  );

  private lastInspiration: string | undefined;
  private events: EventSource | undefined;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.loadModels();
    inject(DestroyRef).onDestroy(() => this.stopFollowing());
  }

  inspire(): void {
    this.lastInspiration = pickInspiration(this.lastInspiration);
    this.prompt.set(this.lastInspiration);
  }

  clear(): void {
    this.prompt.set('');
    this.enhanced.set(null);
  }

  randomiseSeed(): void {
    this.seed.set(Math.floor(Math.random() * (GENERATION_LIMITS.seed.max + 1)));
  }

  enhance(): void {
    const prompt = this.prompt().trim();
    if (!prompt || this.enhancing()) return;
    if (prompt.length > ENHANCE_PROMPT_MAX_LENGTH) {
      this.toasts.info(`Enhance works on prompts of up to ${ENHANCE_PROMPT_MAX_LENGTH} characters; shorten yours first.`);
      return;
    }
    this.enhancing.set(true);
    this.api.enhance(prompt).then(
      (response) => this.enhanced.set(response.enhanced),
      (error: unknown) => this.toasts.problem(toApiProblem(error), () => this.enhance()),
    ).finally(() => this.enhancing.set(false));
  }

  useEnhanced(): void {
    const enhanced = this.enhanced();
    if (enhanced === null) return;
    this.prompt.set(enhanced.slice(0, GENERATION_LIMITS.promptMaxLength));
    this.enhanced.set(null);
  }

  discardEnhanced(): void {
    this.enhanced.set(null);
  }

  /** Starts a generation; one Idempotency-Key per submission, reused when the submission is retried. */
  generate(): void {
    if (!this.canGenerate()) return;
    const steps = this.steps();
    const guidance = this.guidance();
    // canGenerate() has checked both; the test narrows the types.
    if (steps === null || guidance === null) return;
    const request: GenerateRequest = { prompt: this.prompt().trim(), steps, guidance };
    const seed = this.seed();
    if (seed !== null) request.seed = seed;
    this.history.add(request.prompt);
    this.sounds.play('submit');
    this.submit(request, newIdempotencyKey());
  }

  cancel(): void {
    const job = this.job();
    if (!job || !this.running() || this.canceling()) return;
    this.canceling.set(true);
    // On success the event stream (or polling) reports each model as canceled and the job as ended.
    this.api.cancel(job.jobId).catch((error: unknown) => {
      const problem = toApiProblem(error);
      // Finished in the meantime: nothing to cancel, the results are already on their way.
      if (problem.code !== 'JOB_FINISHED') this.toasts.problem(problem, () => this.cancel());
    }).finally(() => this.canceling.set(false));
  }

  private loadModels(): void {
    this.modelsFailed.set(false);
    this.api.models().then(
      (response) => this.models.set(response.models),
      (error: unknown) => {
        this.modelsFailed.set(true);
        this.toasts.problem(toApiProblem(error), () => this.loadModels());
      },
    );
  }

  private submit(request: GenerateRequest, idempotencyKey: string): void {
    if (this.submitting() || this.running()) return;
    this.submitting.set(true);
    this.api.generate(request, idempotencyKey).then(
      (accepted) => {
        this.submitting.set(false);
        this.follow(accepted, request.prompt);
      },
      (error: unknown) => {
        this.submitting.set(false);
        this.toasts.problem(toApiProblem(error), () => this.submit(request, idempotencyKey));
      },
    );
  }

  /** Shows one waiting card per model at once, then follows the job over its event stream. */
  private follow(accepted: GenerateAccepted, prompt: string): void {
    this.stopFollowing();
    this.job.set({ jobId: accepted.jobId, prompt });
    this.finished.set(false);
    this.startTimes.set(new Map());
    const models = this.models();
    // Names come from /models when it lists exactly the job's models; otherwise from the first event or status.
    this.results.set(
      Array.from({ length: accepted.totalModels }, (_, index) => {
        const known = models?.length === accepted.totalModels ? models[index] : undefined;
        return {
          model: known?.id ?? `model-${index + 1}`,
          displayName: known?.displayName ?? `Model ${index + 1}`,
          index,
          status: 'pending',
        };
      }),
    );

    const events = this.openEventSource(this.api.eventsUrl(accepted.eventsUrl));
    this.events = events;
    for (const type of MODEL_EVENTS) {
      events.addEventListener(type, (message) => {
        try {
          this.applyResult((JSON.parse((message as MessageEvent<string>).data) as ModelEvent).result);
        } catch {
          this.fallBackToPolling();
        }
      });
    }
    // The completed event carries a status too, but the final state is always read from /status.
    events.addEventListener('completed', () => {
      this.closeEvents();
      this.poll();
    });
    // EventSource cannot tell a dropped connection from a refused one: either way, poll instead.
    events.onerror = () => this.fallBackToPolling();
  }

  private fallBackToPolling(): void {
    if (!this.events) return;
    this.closeEvents();
    this.poll();
  }

  /** Reads /status; repeats every POLL_INTERVAL_MS until the job has ended. */
  private poll(): void {
    const job = this.job();
    if (!job) return;
    clearTimeout(this.pollTimer);
    this.api.status(job.jobId).then(
      (status) => {
        if (this.job()?.jobId !== status.jobId) return;
        this.applyStatus(status);
        if (isTerminalJobState(status.status)) this.finish(status);
        else this.pollTimer = setTimeout(() => this.poll(), POLL_INTERVAL_MS);
      },
      (error: unknown) => {
        if (this.job()?.jobId !== job.jobId) return;
        const problem = toApiProblem(error);
        if (problem.retryable) {
          this.pollTimer = setTimeout(() => this.poll(), POLL_INTERVAL_MS);
          return;
        }
        this.finished.set(true);
        this.toasts.problem(problem);
      },
    );
  }

  private finish(status: JobStatusResponse): void {
    this.finished.set(true);
    if (status.status !== 'canceled') this.sounds.play('done');
  }

  private applyStatus(status: JobStatusResponse): void {
    for (const result of status.results) this.applyResult(result);
    // The status is authoritative: it may list models the page could not name before.
    if (status.results.length !== this.results().length) this.results.set(status.results);
  }

  private applyResult(result: ModelResult): void {
    const previous = this.results()[result.index];
    if (result.status === 'in_progress' && !this.startTimes().has(result.index)) {
      this.startTimes.update((times) => new Map(times).set(result.index, Date.now()));
    }
    if (result.status === 'completed' && previous?.status !== 'completed') this.sounds.play('image');
    this.results.update((results) => {
      const next = [...results];
      next[result.index] = result;
      return next;
    });
  }

  private closeEvents(): void {
    this.events?.close();
    this.events = undefined;
  }

  private stopFollowing(): void {
    this.closeEvents();
    clearTimeout(this.pollTimer);
  }
}
