import { ApiError } from '@pixel-prompt/service';

export function jobNotFound(): ApiError {
  return new ApiError(404, 'JOB_NOT_FOUND', 'No generation job has this id; it may have expired.');
}
