import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

/** A strong ETag of a response body. */
export function etagOf(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/` prefixes are ignored. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.trim() === '*' || header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

/** Sends `body` as JSON with an ETag and `cacheControl`, or 304 when the client already holds it. */
export function sendCacheableJson(req: Request, res: Response, body: unknown, cacheControl: string): void {
  const json = JSON.stringify(body);
  const etag = etagOf(json);
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', cacheControl);
  if (ifNoneMatchHits(req.headers['if-none-match'], etag)) {
    res.status(304).end();
    return;
  }
  res.type('application/json').send(json);
}
