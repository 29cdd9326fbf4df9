import { DestroyRef, Injectable, InjectionToken, computed, inject, signal } from '@angular/core';
import {
  ASPECT_RATIOS,
  type AspectRatio,
  ENHANCE_PROMPT_MAX_LENGTH,
  type GenerateAccepted,
  type GenerateRequest,
  GENERATION_LIMITS,
  type JobEventType,
  type JobStatusResponse,
  type ModelCapabilities,
  type ModelEvent,
  type ModelResult,
  type ModelsResponse,
  isTerminalJobState,
} from '@pixel-prompt/contracts';
import { type ApiProblem, toApiProblem } from '../core/api-error';
import { Sounds } from '../core/sounds';
import { Toasts } from '../core/toasts';
import { GenerationApi } from './generation-api';
import { pickInspiration } from './inspirations';
import { PromptHistory } from './prompt-history';
import { Quota } from './quota';

/** Opens the job's event stream; a token so tests can drive the stream themselves (jsdom has no EventSource). */
export const EVENT_SOURCE_FACTORY = new InjectionToken<(url: string) => EventSource>('EVENT_SOURCE_FACTORY', {
  providedIn: 'root',
  factory: () => (url) => new EventSource(url),
});

/** How often GET /status is asked when the event stream is not available. */
export const POLL_INTERVAL_MS = 1500;

/** localStorage key of the model picker: a JSON array of model ids; absent means every model. */
export const MODELS_KEY = 'pp.models';

const MODEL_EVENTS: readonly Exclude<JobEventType, 'completed'>[] = [
  'model_started',
  'model_completed',
  'model_failed',
  'model_canceled',
  'model_retried',
];

export type ModelInfo = ModelsResponse['models'][number];

/** Everything a generation is made from: what restoring a job or a gallery's Re-run puts in the form. */
export interface Recipe {
  prompt: string;
  steps?: number;
  guidance?: number;
  seed?: number;
  negativePrompt?: string;
  aspectRatio?: AspectRatio;
  /** Model ids; absent: leave the picker as it is. */
  models?: string[];
}

/** How many models of the job are in each state, for the progress summary. */
export interface ResultCounts {
  total: number;
  done: number;
  failed: number;
  canceled: number;
  generating: number;
  waiting: number;
}

interface ParameterErrors {
  steps?: string;
  guidance?: string;
  seed?: string;
}

export function isFinished(result: ModelResult): boolean {
  return result.status === 'completed' || result.status === 'error' || result.status === 'canceled';
}

/** Where a model is in one attempt: waiting, generating, ended. */
function stage(result: ModelResult): number {
  return isFinished(result) ? 2 : result.status === 'in_progress' ? 1 : 0;
}

/**
 * Whether `next` is later news of a model than `current`: a later attempt (a retry), or a later
 * stage of the same one. Replayed events (a stream reopened from its start) are never later news.
 */
function isNewer(next: ModelResult, current: ModelResult): boolean {
  const attempt = (next.retries ?? 0) - (current.retries ?? 0);
  return attempt > 0 || (attempt === 0 && stage(next) > stage(current));
}

function inRange(value: number | null, limits: { min: number; max: number }, integer: boolean): boolean {
  return value !== null && Number.isFinite(value) && value >= limits.min && value <= limits.max && (!integer || Number.isInteger(value));
}

/** A fresh Idempotency-Key; crypto.randomUUID needs a secure context, so plain HTTP gets a random token. */
function newIdempotencyKey(): string {
  if (typeof globalThis.crypto?.randomUUID === 'function') return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}

function storedSelection(): string[] | null {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(MODELS_KEY) ?? 'null');
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : null;
  } catch {
    // Unreadable or hand-edited storage: every model, as on a first visit.
    return null;
  }
}

/**
 * Everything the generate page knows and does: the prompt and parameters, the models to use,
 * enhancement, and the job shown, whether just started here or opened from its address. A job is
 * followed over its event stream; if the stream fails it is polled instead, and its final state is
 * always read from GET /status. Provided by the page's route, so it ends with the page.
 */
@Injectable()
export class GenerateStore {
  private readonly api = inject(GenerationApi);
  private readonly toasts = inject(Toasts);
  private readonly sounds = inject(Sounds);
  private readonly history = inject(PromptHistory);
  private readonly quota = inject(Quota);
  private readonly openEventSource = inject(EVENT_SOURCE_FACTORY);

  readonly prompt = signal('');
  readonly steps = signal<number | null>(GENERATION_LIMITS.steps.default);
  readonly guidance = signal<number | null>(GENERATION_LIMITS.guidance.default);
  /** Empty means the server picks a seed. */
  readonly seed = signal<number | null>(null);
  readonly negativePrompt = signal('');
  /** Empty means each model's own shape. */
  readonly aspectRatio = signal<AspectRatio | ''>('');
  /** Counts up each time a recipe fills the form, so the fields show the new values. */
  readonly recipeVersion = signal(0);

  /** The enabled models from GET /models; undefined until they arrive. */
  readonly models = signal<ModelInfo[] | undefined>(undefined);
  /** GET /models failed (a toast offers Retry); the page can still generate with every model. */
  readonly modelsFailed = signal(false);
  /** Model ids picked, or null for every model (remembered in this browser). */
  private readonly selection = signal<string[] | null>(storedSelection());
  /** The models the next generation uses, in display order. */
  readonly chosenModels = computed(() => {
    const models = this.models() ?? [];
    const selection = this.selection();
    return selection === null ? models : models.filter((model) => selection.includes(model.id));
  });
  readonly everyModelChosen = computed(() => {
    const models = this.models();
    return this.selection() === null || (models !== undefined && models.every((model) => this.selection()?.includes(model.id)));
  });
  /** Whether any chosen model honours each control: the form shows only controls that do something. */
  readonly supports = computed(() => {
    const chosen = this.chosenModels();
    return (capability: keyof ModelCapabilities) => chosen.some((model) => model.capabilities[capability]);
  });

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
  /** The job in the address is being read. */
  readonly opening = signal(false);
  /** Why the job in the address could not be shown (it expired, the API is away). */
  readonly jobProblem = signal<ApiProblem | undefined>(undefined);
  /** Counts up for each generation started on this page: the results then take focus and come into view. */
  readonly started = signal(0);
  /** Result indices whose retry request is in flight. */
  readonly retrying = signal<ReadonlySet<number>>(new Set());

  readonly running = computed(() => this.job() !== null && !this.finished());
  readonly counts = computed<ResultCounts>(() => {
    const results = this.results();
    const count = (status: ModelResult['status']) => results.filter((result) => result.status === status).length;
    return {
      total: results.length,
      done: count('completed'),
      failed: count('error'),
      canceled: count('canceled'),
      generating: count('in_progress'),
      waiting: count('pending'),
    };
  });
  readonly completed = computed(() => this.results().filter((result) => result.status === 'completed' && result.imageUrl));
  /** The API said this client has no generations left until its window ends. */
  readonly quotaSpent = computed(() => this.quota.state()?.remaining === 0);

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
      // Before the list arrives (or when it failed) the server's default, every model, is used.
      (this.models() === undefined || this.chosenModels().length > 0) &&
      !this.quotaSpent() &&
      !this.submitting() &&
      !this.running(),
  );

  private lastInspiration: string | undefined;
  private events: EventSource | undefined;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  /** One Idempotency-Key per model retried, so a retried retry request never queues the model twice. */
  private readonly retryKeys = new Map<string, string>();

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

  isChosen(modelId: string): boolean {
    const selection = this.selection();
    return selection === null || selection.includes(modelId);
  }

  /** Adds or removes one model from the picker (remembered). */
  chooseModel(modelId: string, chosen: boolean): void {
    const current = this.selection() ?? (this.models() ?? []).map((model) => model.id);
    const next = chosen ? [...new Set([...current, modelId])] : current.filter((id) => id !== modelId);
    this.remember(next);
  }

  /** Every model, now and later (also models added to the registry afterwards). */
  chooseAllModels(): void {
    this.remember(null);
  }

  /** Fills the form from a recipe (a job opened from its address, or a gallery's Re-run). */
  applyRecipe(recipe: Recipe): void {
    const { steps, guidance } = GENERATION_LIMITS;
    this.prompt.set(recipe.prompt.slice(0, GENERATION_LIMITS.promptMaxLength));
    this.steps.set(recipe.steps ?? steps.default);
    this.guidance.set(recipe.guidance ?? guidance.default);
    this.seed.set(recipe.seed ?? null);
    this.negativePrompt.set((recipe.negativePrompt ?? '').slice(0, GENERATION_LIMITS.negativePromptMaxLength));
    this.aspectRatio.set(recipe.aspectRatio && (ASPECT_RATIOS as readonly string[]).includes(recipe.aspectRatio) ? recipe.aspectRatio : '');
    // For this page only: opening someone's link must not change the picker you keep.
    if (recipe.models && recipe.models.length > 0) this.selection.set(recipe.models);
    this.enhanced.set(null);
    this.recipeVersion.update((version) => version + 1);
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

  /**
   * Starts a generation with the form as it is: the chosen models (none named when all are chosen,
   * so the server's list applies), and a negative prompt and shape only when a chosen model uses
   * them. One Idempotency-Key per submission, reused when the submission is retried.
   */
  generate(): void {
    if (!this.canGenerate()) return;
    const steps = this.steps();
    const guidance = this.guidance();
    // canGenerate() has checked both; the test narrows the types.
    if (steps === null || guidance === null) return;
    const request: GenerateRequest = { prompt: this.prompt().trim(), steps, guidance };
    const seed = this.seed();
    if (seed !== null) request.seed = seed;
    if (this.models() !== undefined && !this.everyModelChosen()) request.models = this.chosenModels().map((model) => model.id);
    const negativePrompt = this.negativePrompt().trim();
    if (negativePrompt && this.supports()('negativePrompt')) request.negativePrompt = negativePrompt;
    const aspectRatio = this.aspectRatio();
    if (aspectRatio && this.supports()('size')) request.aspectRatio = aspectRatio;
    this.history.add(request.prompt);
    void this.sounds.play('submit');
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

  /**
   * Shows the job `jobId` (from the address: a reload, Back, a shared link): its results, and its
   * prompt, parameters and models in the form; followed live while it runs.
   */
  open(jobId: string): void {
    if (this.job()?.jobId === jobId) return;
    this.stopFollowing();
    this.job.set({ jobId, prompt: '' });
    this.results.set([]);
    this.startTimes.set(new Map());
    this.finished.set(false);
    this.jobProblem.set(undefined);
    this.opening.set(true);
    this.api.status(jobId).then(
      (status) => {
        if (this.job()?.jobId !== jobId) return;
        this.opening.set(false);
        const { steps, guidance, seed, negativePrompt, aspectRatio } = status.parameters;
        this.applyRecipe({ prompt: status.prompt, steps, guidance, seed, negativePrompt, aspectRatio, models: status.results.map((r) => r.model) });
        this.job.set({ jobId, prompt: status.prompt });
        this.applyStatus(status, true);
        if (isTerminalJobState(status.status)) this.finished.set(true);
        else this.startStream(`/jobs/${encodeURIComponent(jobId)}/events`);
      },
      (error: unknown) => {
        if (this.job()?.jobId !== jobId) return;
        this.opening.set(false);
        const problem = toApiProblem(error);
        this.jobProblem.set(problem);
        this.finished.set(true);
      },
    );
  }

  /** Back to a blank page (the address is `/` again); the form stays as it is. */
  reset(): void {
    this.stopFollowing();
    this.job.set(null);
    this.results.set([]);
    this.startTimes.set(new Map());
    this.finished.set(false);
    this.opening.set(false);
    this.jobProblem.set(undefined);
  }

  /** Sends a failed model back to the queue; the job is followed again until that model ends. */
  retry(result: ModelResult): void {
    const job = this.job();
    if (!job || result.status !== 'error' || this.retrying().has(result.index)) return;
    const slot = `${job.jobId} ${result.model} ${result.retries ?? 0}`;
    const key = this.retryKeys.get(slot) ?? newIdempotencyKey();
    this.retryKeys.set(slot, key);
    this.retrying.update((indices) => new Set(indices).add(result.index));
    this.api.retry(job.jobId, result.model, key).then(
      () => {
        if (this.job()?.jobId !== job.jobId) return;
        const { error: _error, startedAt: _started, completedAt: _completed, duration: _duration, ...rest } = result;
        this.applyResult({ ...rest, status: 'pending', retries: (result.retries ?? 0) + 1 });
        // The job runs again: an ended job's stream was closed, so follow it afresh.
        if (this.finished()) {
          this.finished.set(false);
          this.startStream(`/jobs/${encodeURIComponent(job.jobId)}/events`);
        }
      },
      (error: unknown) => this.toasts.problem(toApiProblem(error), () => this.retry(result)),
    ).finally(() => this.retrying.update((indices) => new Set([...indices].filter((index) => index !== result.index))));
  }

  private remember(selection: string[] | null): void {
    this.selection.set(selection);
    try {
      if (selection === null) localStorage.removeItem(MODELS_KEY);
      else localStorage.setItem(MODELS_KEY, JSON.stringify(selection));
    } catch {
      // Full or disabled storage: the choice lasts for this page only.
    }
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
        this.started.update((count) => count + 1);
      },
      (error: unknown) => {
        this.submitting.set(false);
        this.toasts.problem(toApiProblem(error), () => this.submit(request, idempotencyKey));
      },
    );
  }

  /** Shows one waiting card per model at once, then follows the job over its event stream. */
  private follow(accepted: GenerateAccepted, prompt: string): void {
    this.reset();
    this.job.set({ jobId: accepted.jobId, prompt });
    const chosen = this.chosenModels();
    // Names come from the models chosen when they are exactly the job's; otherwise from the first event or status.
    this.results.set(
      Array.from({ length: accepted.totalModels }, (_, index) => {
        const known = chosen.length === accepted.totalModels ? chosen[index] : undefined;
        return {
          model: known?.id ?? `model-${index + 1}`,
          displayName: known?.displayName ?? `Model ${index + 1}`,
          index,
          status: 'pending',
        };
      }),
    );
    this.startStream(accepted.eventsUrl);
  }

  private startStream(eventsPath: string): void {
    this.closeEvents();
    const events = this.openEventSource(this.api.eventsUrl(eventsPath));
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
    if (status.status !== 'canceled') void this.sounds.play('done');
  }

  /** The status is authoritative: it may list models the page could not name before. `quiet`: no sounds (a job opened, not watched). */
  private applyStatus(status: JobStatusResponse, quiet = false): void {
    if (status.results.length !== this.results().length) this.results.set(status.results.map((result) => ({ ...result, status: 'pending' })));
    for (const result of status.results) this.applyResult(result, { authoritative: true, quiet });
  }

  private applyResult(result: ModelResult, { authoritative = false, quiet = false } = {}): void {
    const previous = this.results()[result.index];
    if (previous && !authoritative && !isNewer(result, previous)) return;
    if (result.status === 'in_progress' && (previous?.status !== 'in_progress' || !this.startTimes().has(result.index))) {
      // The server's start time when there is one (a job opened mid-way), never in the future.
      const reported = result.startedAt ? Date.parse(result.startedAt) : NaN;
      const startedAt = Number.isFinite(reported) ? Math.min(reported, Date.now()) : Date.now();
      this.startTimes.update((times) => new Map(times).set(result.index, startedAt));
    }
    if (result.status === 'completed' && previous?.status !== 'completed' && !quiet) void this.sounds.play('image');
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
