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

/** A JSON body serialised and encoded once, with its ETag, ready to be sent as often as it is asked for. */
export interface JsonDocument {
  bytes: Buffer;
  etag: string;
}

export function jsonDocument(body: unknown): JsonDocument {
  const json = JSON.stringify(body);
  return { bytes: Buffer.from(json), etag: etagOf(json) };
}

/**
 * Sends `document` with its ETag and `cacheControl`, or 304 when the client already holds it.
 * Written to the response directly: the document is encoded already, and Express's send would parse
 * the content type, encode the body and hash it again on every request.
 */
export function sendJsonDocument(req: Request, res: Response, document: JsonDocument, cacheControl: string): void {
  res.setHeader('ETag', document.etag);
  res.setHeader('Cache-Control', cacheControl);
  if (ifNoneMatchHits(req.headers['if-none-match'], document.etag)) {
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', document.bytes.length);
  res.end(document.bytes);
}

/** Sends `body` as JSON with an ETag and `cacheControl`, or 304 when the client already holds it. */
export function sendCacheableJson(req: Request, res: Response, body: unknown, cacheControl: string): void {
  sendJsonDocument(req, res, jsonDocument(body), cacheControl);
}
