import { GALLERY_PAGE_LIMITS } from '@pixel-prompt/contracts';
import { ApiError } from '@pixel-prompt/service';
import { GALLERIES_PREFIX } from '@pixel-prompt/storage';

export interface ListQuery {
  limit: number;
  /** The manifest key the page starts after; undefined for the first page. */
  startAfter: string | undefined;
}

/**
 * A cursor is the base64url of the last manifest key of the previous page. Any key under `galleries/`
 * is a safe position to resume from (it is only ever a StartAfter within that prefix), so that is all
 * a decoded cursor must be; a cursor is compared in its canonical encoding, so one string decodes one way.
 */
const CURSOR_KEY_PATTERN = new RegExp(`^${GALLERIES_PREFIX}[\\x21-\\x7e]{1,1000}$`);

export function encodeCursor(manifestKey: string): string {
  return Buffer.from(manifestKey, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  return CURSOR_KEY_PATTERN.test(key) && encodeCursor(key) === cursor ? key : undefined;
}

/** Validates `?limit=&cursor=`; 400 VALIDATION_FAILED naming each bad parameter. */
export function parseListQuery(query: Record<string, unknown>): ListQuery {
  const { min, max } = GALLERY_PAGE_LIMITS;
  const problems: { field: string; message: string }[] = [];

  let limit: number = GALLERY_PAGE_LIMITS.default;
  const rawLimit = query['limit'];
  if (rawLimit !== undefined) {
    limit = typeof rawLimit === 'string' && /^\d{1,3}$/.test(rawLimit) ? Number(rawLimit) : NaN;
    if (!(limit >= min && limit <= max)) problems.push({ field: 'limit', message: `must be a whole number from ${min} to ${max}` });
  }

  let startAfter: string | undefined;
  const rawCursor = query['cursor'];
  if (rawCursor !== undefined) {
    startAfter = typeof rawCursor === 'string' ? decodeCursor(rawCursor) : undefined;
    if (!startAfter) problems.push({ field: 'cursor', message: 'must be the nextCursor of a previous page' });
  }

  if (problems.length > 0) {
    const summary = problems.map((p) => `${p.field} ${p.message}`).join('; ');
    throw new ApiError(400, 'VALIDATION_FAILED', `The request is not valid: ${summary}.`, problems);
  }
  return { limit, startAfter };
}
