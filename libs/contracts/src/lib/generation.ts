/** Limits of a generation request, shared by the web form and the gateway's validation. */
export const GENERATION_LIMITS = {
  promptMaxLength: 1000,
  steps: { min: 1, max: 100, default: 25 },
  guidance: { min: 0, max: 20, default: 7 },
  /** Seeds are integers that survive JSON and every provider's API. */
  seed: { min: 0, max: 2_147_483_647 },
  models: { min: 1, max: 20 },
  negativePromptMaxLength: 500,
} as const;

/**
 * Image shapes a generation may ask for (width:height). Each model with the `size` capability makes
 * its nearest supported shape; without one, the shape the model's registry entry sets.
 */
export const ASPECT_RATIOS = ['1:1', '4:3', '3:4', '16:9', '9:16'] as const;

export type AspectRatio = (typeof ASPECT_RATIOS)[number];

/**
 * Longest side, in pixels, of a result's tile: a WebP made for cards and gallery items. The
 * `tile2xUrl` image is twice as large, for screens with two or more device pixels per CSS pixel.
 */
export const TILE_SIZE = 288;

/** POST /enhance takes prompts up to this length (shorter than a generation's: the model adds to it). */
export const ENHANCE_PROMPT_MAX_LENGTH = 500;

/** POST /enhance answers with both prompts. */
export interface EnhanceResponse {
  original: string;
  enhanced: string;
}

/** Header making POST /generate safe to retry: the same key and body return the same job for 24 h. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

export interface GenerateRequest {
  prompt: string;
  steps?: number;
  guidance?: number;
  seed?: number;
  /** Subset of configured model ids; all enabled models when omitted. */
  models?: string[];
  /** What the image should not show; used by models with the `negativePrompt` capability. */
  negativePrompt?: string;
  /** The image's shape; used by models with the `size` capability. Omitted: each model's own. */
  aspectRatio?: AspectRatio;
}

export type JobState = 'pending' | 'in_progress' | 'completed' | 'partial' | 'failed' | 'canceled';

export type ModelState = 'pending' | 'in_progress' | 'completed' | 'error' | 'canceled';

/** Why a model produced no image. */
export type ModelErrorCode =
  | 'TIMEOUT'
  | 'AUTH'
  | 'QUOTA'
  | 'RATE_LIMITED'
  | 'CONTENT_REJECTED'
  | 'PROVIDER_ERROR'
  | 'UNAVAILABLE'
  /** The image was made but could not be stored: storage stayed unreachable through the retry window. */
  | 'STORAGE_UNAVAILABLE';

/**
 * Which generation controls a model honours, so the UI can show the ones that matter; parameters a
 * model does not honour are still accepted and recorded, they just do not change its image.
 */
export interface ModelCapabilities {
  /** The registry chooses the image size or aspect ratio. */
  size: boolean;
  seed: boolean;
  steps: boolean;
  guidance: boolean;
  negativePrompt: boolean;
}

/** GET /models: the enabled models in display order. */
export interface ModelsResponse {
  models: { id: string; displayName: string; capabilities: ModelCapabilities }[];
}

export interface GenerateAccepted {
  jobId: string;
  status: JobState;
  totalModels: number;
  statusUrl: string;
  eventsUrl: string;
}

export interface GenerationParameters {
  steps: number;
  guidance: number;
  seed: number;
  /** Only when the request had one. */
  negativePrompt?: string;
  /** Only when the request asked for one. */
  aspectRatio?: AspectRatio;
}

export interface ModelResult {
  model: string;
  displayName: string;
  index: number;
  status: ModelState;
  startedAt?: string;
  completedAt?: string;
  /** Seconds from start to completion. */
  duration?: number;
  imageUrl?: string;
  thumbnailUrl?: string;
  /** WebP tiles of the image (TILE_SIZE and twice that); absent on results stored before tiles existed. */
  tileUrl?: string;
  tile2xUrl?: string;
  error?: { code: ModelErrorCode; message: string };
  /**
   * How often this failed model was sent back to the queue (absent: never). Each retry is a new
   * attempt: a client following events can tell a later attempt's snapshot from an earlier one's.
   */
  retries?: number;
}

/** POST /jobs/:jobId/models/:modelId/retry: the failed model is queued again; the job runs until it ends. */
export interface RetryAccepted {
  jobId: string;
  model: string;
  index: number;
  status: JobState;
  statusUrl: string;
  eventsUrl: string;
}

export interface JobStatusResponse {
  jobId: string;
  status: JobState;
  createdAt: string;
  updatedAt: string;
  totalModels: number;
  /** Models that reached an end state (completed, error or canceled). */
  completedModels: number;
  prompt: string;
  parameters: GenerationParameters;
  results: ModelResult[];
}

/**
 * Server-Sent Event types on GET /jobs/:jobId/events, in the `event:` field. `model_retried`: a failed
 * model is pending again (POST /jobs/:jobId/models/:modelId/retry); its events follow.
 */
export type JobEventType = 'model_started' | 'model_completed' | 'model_failed' | 'model_canceled' | 'model_retried' | 'completed';

export interface ModelEvent {
  type: Exclude<JobEventType, 'completed'>;
  jobId: string;
  result: ModelResult;
}

export interface CompletedEvent {
  type: 'completed';
  jobId: string;
  status: JobStatusResponse;
}

export type JobEvent = ModelEvent | CompletedEvent;

export function isTerminalJobState(state: JobState): boolean {
  return state !== 'pending' && state !== 'in_progress';
}
