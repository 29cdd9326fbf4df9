import { Injectable, inject } from '@angular/core';
import {
  GALLERY_PAGE_LIMITS,
  type GalleryDetailResponse,
  type GalleryListResponse,
} from '@pixel-prompt/contracts';
import { ApiClient } from '../core/api-client';

/** The gallery service's API, as the gateway forwards it. */
@Injectable({ providedIn: 'root' })
export class GalleryApi {
  private readonly api = inject(ApiClient);

  /**
   * One page of galleries, newest first; `cursor` is the previous page's `nextCursor`. The list may
   * be cached for a few seconds by the CDN; the browser revalidates so a gallery just generated shows.
   */
  list(cursor?: string): Promise<GalleryListResponse> {
    const query = new URLSearchParams({ limit: String(GALLERY_PAGE_LIMITS.default) });
    if (cursor !== undefined) query.set('cursor', cursor);
    return this.api.get<GalleryListResponse>(`/gallery/list?${query}`, { cache: 'no-cache' });
  }

  detail(id: string, signal?: AbortSignal): Promise<GalleryDetailResponse> {
    return this.api.get<GalleryDetailResponse>(`/gallery/${encodeURIComponent(id)}`, { signal });
  }
}
