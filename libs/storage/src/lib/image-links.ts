import { Inject, Injectable, type Provider } from '@nestjs/common';
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { type CdnEnv, type UrlSigning, urlSigningOf } from '@pixel-prompt/config';
import { LruCache } from './lru-cache';

export const IMAGE_LINKS_OPTIONS = Symbol('IMAGE_LINKS_OPTIONS');

export interface ImageLinksOptions {
  /** CloudFront base URL without a trailing slash; unset: links go to this service's /images route. */
  cdnBaseUrl?: string;
  /** Set to sign CloudFront links (canned policy, expiring). */
  signing?: UrlSigning;
}

/** The links of one response. */
export interface LinkSet {
  url(key: string): string;
  /** Seconds a response holding these links may be cached; undefined when the links never expire. */
  readonly freshForSeconds: number | undefined;
}

/** Signed links of recent windows: a list page is 48 links, each an RSA signature otherwise. */
const SIGNED_LINK_CACHE_SIZE = 10_000;

/**
 * Turns bucket keys into the URLs clients load images from: CloudFront in production (optionally
 * signed), this service's /images route locally (`/images/...`, the same path through the gateway).
 *
 * Signed links expire at the end of a window rather than a fixed time after each request: windows
 * are half the TTL long and every link issued in one expires one TTL after the window began. So
 * a link always has between half and all of the TTL left, the links (and so the response bodies and
 * their ETags) stay identical for a whole window, which lets clients revalidate with 304 and lets us
 * sign each key once per window.
 */
@Injectable()
export class ImageLinks {
  private readonly signed = new LruCache<string, string>(SIGNED_LINK_CACHE_SIZE);

  constructor(@Inject(IMAGE_LINKS_OPTIONS) private readonly options: ImageLinksOptions) {}

  /** Links valid from `nowMs` on. */
  at(nowMs: number): LinkSet {
    const { cdnBaseUrl, signing } = this.options;
    if (!cdnBaseUrl) return { url: (key) => `/${key}`, freshForSeconds: undefined };
    if (!signing) return { url: (key) => `${cdnBaseUrl}/${key}`, freshForSeconds: undefined };

    const windowSeconds = Math.floor(signing.ttlSeconds / 2);
    const nowSeconds = Math.floor(nowMs / 1000);
    const windowStart = nowSeconds - (nowSeconds % windowSeconds);
    const expiresAt = new Date((windowStart + signing.ttlSeconds) * 1000);
    return {
      url: (key) => this.sign(`${cdnBaseUrl}/${key}`, expiresAt, signing),
      freshForSeconds: windowStart + windowSeconds - nowSeconds,
    };
  }

  private sign(url: string, expiresAt: Date, signing: UrlSigning): string {
    const cacheKey = `${expiresAt.getTime()} ${url}`;
    let signedUrl = this.signed.get(cacheKey);
    if (!signedUrl) {
      signedUrl = getSignedUrl({ url, keyPairId: signing.keyPairId, privateKey: signing.privateKey, dateLessThan: expiresAt });
      this.signed.set(cacheKey, signedUrl);
    }
    return signedUrl;
  }
}

/** ImageLinks as the CDN variables set it up: the gateway's live results link exactly as the gallery does. */
export function provideImageLinks(cdn: CdnEnv): Provider[] {
  return [{ provide: IMAGE_LINKS_OPTIONS, useValue: { cdnBaseUrl: cdn.CDN_BASE_URL, signing: urlSigningOf(cdn) } satisfies ImageLinksOptions }, ImageLinks];
}
