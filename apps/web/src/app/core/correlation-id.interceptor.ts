import type { HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { CORRELATION_ID_HEADER } from '@pixel-prompt/contracts';
import { RuntimeConfig } from './runtime-config';

/**
 * Gives every API request its own correlation id, so a problem a user reports can be found in the
 * server logs. Only API requests: a custom header on any other origin would trigger a CORS preflight
 * that origin is unlikely to allow.
 */
export const correlationIdInterceptor: HttpInterceptorFn = (req, next) => {
  const wanted = inject(RuntimeConfig).isApiUrl(req.url) && !req.headers.has(CORRELATION_ID_HEADER);
  // crypto.randomUUID exists only in secure contexts (HTTPS, localhost). Without it the gateway
  // assigns an id itself, which it still logs and returns in the response header.
  if (!wanted || typeof globalThis.crypto?.randomUUID !== 'function') return next(req);
  return next(req.clone({ setHeaders: { [CORRELATION_ID_HEADER]: crypto.randomUUID() } }));
};
