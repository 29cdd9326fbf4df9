import { z } from 'zod';

/**
 * Characters that show nothing: controls (NUL and the like), format characters (zero-width space
 * and joiner, bidi marks, BOM), separators, and the rest of Unicode's default-ignorable set
 * (variation selectors, Hangul fillers, tags).
 */
const VISIBLE = /[^\p{Cc}\p{Cf}\p{Z}\p{Default_Ignorable_Code_Point}\s]/u;

/** Whether `text` shows anything at all: a prompt of invisible characters only is empty. */
function hasVisibleText(text: string): boolean {
  return VISIBLE.test(text);
}

/** A prompt in a request body (POST /generate, POST /enhance): trimmed, showing something, at most `maxLength` characters. */
export function promptSchema(maxLength: number) {
  return z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(maxLength, `must be at most ${maxLength} characters`)
    .refine(hasVisibleText, 'must not be empty');
}
