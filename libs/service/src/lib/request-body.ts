import type { z } from 'zod';
import { ApiError } from './api-error';

export function validationError(details: { field: string; message: string }[]): ApiError {
  const summary = details.map((d) => `${d.field} ${d.message}`).join('; ');
  return new ApiError(400, 'VALIDATION_FAILED', `The request is not valid: ${summary}.`, details);
}

/** Parses a JSON body with `schema`; 400 VALIDATION_FAILED naming every bad field otherwise. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw validationError(
    result.error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.join('.') : issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : 'body',
      message: issue.code === 'unrecognized_keys' ? 'is not a known field' : issue.path.length > 0 ? issue.message : 'must be a JSON object',
    })),
  );
}
