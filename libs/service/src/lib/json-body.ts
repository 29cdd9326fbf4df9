import type { IncomingMessage, ServerResponse } from 'node:http';
import { type NextFunction, type Request, type Response, json } from 'express';

/** Largest JSON body accepted; the API's bodies are prompts and small parameter sets. */
export const JSON_BODY_LIMIT = '16kb';

/**
 * Deepest nesting of objects and arrays accepted. The API's bodies nest two levels; a 16 KB body
 * can nest 8,000, enough to overflow the stack of any recursive walk over it (JSON.stringify, schema
 * validation), so depth is checked on the raw bytes before anything parses them.
 */
export const JSON_MAX_DEPTH = 32;

/** The body-parser error type of a body refused for its depth; the error filter answers 400 INVALID_JSON. */
export const NESTED_TOO_DEEP = 'entity.nested.too.deep';

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Whether brackets outside strings nest deeper than `max`; malformed JSON is left to the parser. */
export function nestsDeeperThan(body: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (++depth > max) return true;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}

function refuseDeepNesting(_req: IncomingMessage, _res: ServerResponse, body: Buffer): void {
  if (nestsDeeperThan(body, JSON_MAX_DEPTH)) {
    // body-parser passes on the status and type of an error thrown here.
    throw Object.assign(new Error('JSON body nested too deeply'), { status: 400, type: NESTED_TOO_DEEP });
  }
}

/** The APIs speak JSON only: a body of another type is 415, before any parser or handler sees it. */
function requireJsonBodies(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && req.method !== 'GET' && req.method !== 'HEAD' && !req.is('application/json')) {
    next(Object.assign(new Error('unsupported media type'), { status: 415 }));
    return;
  }
  next();
}

/** Middleware accepting JSON bodies only, at most JSON_BODY_LIMIT large and JSON_MAX_DEPTH deep. */
export function jsonBodies() {
  return [requireJsonBodies, json({ limit: JSON_BODY_LIMIT, verify: refuseDeepNesting })];
}
