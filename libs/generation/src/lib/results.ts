import type { JobStatusResponse, ModelResult } from '@pixel-prompt/contracts';
import type { JobRecord, ModelRecord } from '@pixel-prompt/jobs';
import { type GalleryManifest, mimeTypeOfKey } from '@pixel-prompt/storage';

/** Turns a stored S3 key into the URL clients fetch it from. */
export type ImageUrlFor = (key: string) => string;

/** The one place a model of a job becomes the API's result: status, events and retries alike. */
export function toModelResult(index: number, model: ModelRecord, urlFor: ImageUrlFor): ModelResult {
  const result: ModelResult = { model: model.model, displayName: model.displayName, index, status: model.status };
  if (model.startedAt) result.startedAt = model.startedAt;
  if (model.completedAt) result.completedAt = model.completedAt;
  if (model.startedAt && model.completedAt) {
    result.duration = (Date.parse(model.completedAt) - Date.parse(model.startedAt)) / 1000;
  }
  const { image } = model;
  if (image) {
    result.imageUrl = urlFor(image.imageKey);
    result.thumbnailUrl = urlFor(image.thumbnailKey);
    if (image.tileKey) result.tileUrl = urlFor(image.tileKey);
    if (image.tile2xKey) result.tile2xUrl = urlFor(image.tile2xKey);
  }
  if (model.retries) result.retries = model.retries;
  if (model.error) result.error = model.error;
  return result;
}

export function toStatusResponse(job: JobRecord, urlFor: ImageUrlFor): JobStatusResponse {
  const endedModels = job.models.filter((m) => m.status === 'completed' || m.status === 'error' || m.status === 'canceled').length;
  return {
    jobId: job.jobId,
    status: job.status,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    totalModels: job.models.length,
    endedModels,
    completedModels: endedModels,
    prompt: job.prompt,
    parameters: job.parameters,
    results: job.models.map((model, index) => toModelResult(index, model, urlFor)),
  };
}

/** The gallery's entry for each model that completed, in the job's order; none when no model made an image. */
export function toManifestImages(job: JobRecord): GalleryManifest['images'] {
  return job.models.flatMap(({ model, displayName, status, image }, index) =>
    status === 'completed' && image ? [{ model, displayName, index, ...image, mimeType: mimeTypeOfKey(image.imageKey) }] : [],
  );
}
