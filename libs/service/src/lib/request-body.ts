import { ApiError } from '@pixel-prompt/service';
import type { z } from 'zod';

/**
 * Characters that show nothing: controls (NUL and the like), format characters (zero-width space
 * and joiner, bidi marks, BOM), separators, and the rest of Unicode's default-ignorable set
 * (variation selectors, Hangul fillers, tags).
 */
const VISIBLE = /[^\p{Cc}\p{Cf}\p{Z}\p{Default_Ignorable_Code_Point}\s]/u;

/** Whether `text` shows anything at all: a prompt of invisible characters only is empty. */
export function hasVisibleText(text: string): boolean {
  return VISIBLE.test(text);
}

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
