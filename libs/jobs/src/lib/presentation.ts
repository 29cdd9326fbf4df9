import type { JobStatusResponse, ModelErrorCode, ModelResult } from '@pixel-prompt/contracts';
import type { JobRecord, ModelRecord } from './job-store';

/** Turns a stored S3 key into the URL clients fetch it from. */
export type ImageUrlFor = (key: string) => string;

export function toModelResult(index: number, model: ModelRecord, urlFor: ImageUrlFor): ModelResult {
  const result: ModelResult = { model: model.model, displayName: model.name, index, status: model.status };
  if (model.startedAt) result.startedAt = model.startedAt;
  if (model.completedAt) result.completedAt = model.completedAt;
  if (model.startedAt && model.completedAt) {
    result.duration = (Date.parse(model.completedAt) - Date.parse(model.startedAt)) / 1000;
  }
  if (model.imageKey) result.imageUrl = urlFor(model.imageKey);
  if (model.thumbKey) result.thumbnailUrl = urlFor(model.thumbKey);
  if (model.tileKey) result.tileUrl = urlFor(model.tileKey);
  if (model.tile2xKey) result.tile2xUrl = urlFor(model.tile2xKey);
  if (model.retries) result.retries = Number(model.retries);
  if (model.errorCode) {
    result.error = { code: model.errorCode as ModelErrorCode, message: model.errorMessage ?? '' };
  }
  return result;
}

export function toStatusResponse(job: JobRecord, urlFor: ImageUrlFor): JobStatusResponse {
  return {
    jobId: job.jobId,
    status: job.status,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    totalModels: job.models.length,
    completedModels: job.models.filter((m) => m.status === 'completed' || m.status === 'error' || m.status === 'canceled').length,
    prompt: job.prompt,
    parameters: job.parameters,
    results: job.models.map((model, index) => toModelResult(index, model, urlFor)),
  };
}
