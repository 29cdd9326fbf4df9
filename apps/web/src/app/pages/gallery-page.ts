import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  Injector,
  afterNextRender,
  inject,
  signal,
  viewChild,
} from '@angular/core';
import { RouterLink } from '@angular/router';
import type { GallerySummary } from '@pixel-prompt/contracts';
import { type ApiProblem, toApiProblem } from '../core/api-error';
import { RetryingImage } from '../core/retrying-image';
import { RuntimeConfig } from '../core/runtime-config';
import { tileSrcset } from '../core/tiles';
import { GalleryApi } from '../gallery/gallery-api';
import { formatTime } from '../gallery/format-time';

/** The size reserved for an item's picture before it loads (square: pictures are fitted into it). */
const PREVIEW_SIZE = 288;

/**
 * Every gallery, newest first, one page at a time: the next page loads when the end of the list
 * scrolls into view, or on "Load more" for keyboards and browsers without IntersectionObserver.
 */
@Component({
  selector: 'pp-gallery-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, RetryingImage],
  template: `
    <h1>Gallery</h1>

    @if (galleries().length > 0) {
      <ul class="grid">
        @for (gallery of galleries(); track gallery.id) {
          <li>
            <a class="item" data-testid="gallery-item" [routerLink]="['/gallery', gallery.id]">
              <img
                ppRetryingImage
                [attr.srcset]="tiles(gallery)"
                sizes="(max-width: 40rem) 50vw, 15rem"
                [src]="mediaUrl(gallery.previewTile ?? gallery.previewThumbnail)"
                alt=""
                loading="lazy"
                decoding="async"
                [width]="previewSize"
                [height]="previewSize"
              />
              <span class="prompt">{{ gallery.prompt }}</span>
              <span class="meta">
                <time [attr.datetime]="gallery.timestamp">{{ formatTime(gallery.timestamp) }}</time>
                · {{ gallery.imageCount }} {{ gallery.imageCount === 1 ? 'image' : 'images' }}
              </span>
            </a>
          </li>
        }
      </ul>
    }

    @if (problem(); as problem) {
      <div class="problem" role="alert">
        <p>{{ problem.message }}</p>
        <button type="button" (click)="loadNextPage()">Retry</button>
      </div>
    } @else if (loading()) {
      <p class="loading" role="status">Loading galleries…</p>
    } @else if (nextCursor() === null && galleries().length === 0) {
      <p class="empty">No galleries yet. Every prompt you generate is kept here with its images.</p>
    } @else if (nextCursor() !== null) {
      <button type="button" class="more" (click)="loadNextPage()">Load more</button>
    }
    <!-- Reaching this marker while scrolling loads the next page. -->
    <div #sentinel class="sentinel"></div>
  `,
  styles: `
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(min(calc(50% - var(--space) / 2), 13rem), 1fr));
      gap: var(--space);
      margin: 0 0 var(--space);
      padding: 0;
      list-style: none;
    }
    .item {
      display: flex;
      flex-direction: column;
      gap: 0.25rem;
      height: 100%;
      padding: 0.5rem;
      border: 1px solid var(--color-border);
      border-radius: var(--radius);
      background: var(--color-surface);
      color: var(--color-text);
      text-decoration: none;
    }
    .item:hover {
      border-color: var(--color-accent);
    }
    img {
      width: 100%;
      height: auto;
      aspect-ratio: 1;
      object-fit: contain;
      border-radius: 0.25rem;
      background: var(--color-bg);
    }
    .prompt {
      display: -webkit-box;
      -webkit-box-orient: vertical;
      -webkit-line-clamp: 3;
      line-clamp: 3;
      overflow: hidden;
      overflow-wrap: anywhere;
    }
    .meta {
      color: var(--color-muted);
      font-size: 0.875rem;
    }
    .empty {
      padding: 2rem 1rem;
      border: 2px dashed var(--color-border);
      border-radius: 0.5rem;
      color: var(--color-muted);
      text-align: center;
    }
    .more {
      display: block;
      margin: 0 auto;
    }
    .sentinel {
      height: 1px;
    }
  `,
})
export class GalleryPage {
  protected readonly previewSize = PREVIEW_SIZE;
  protected readonly formatTime = formatTime;
  protected readonly galleries = signal<GallerySummary[]>([]);
  /** Cursor of the next page: undefined before the first page, null once the last page is in. */
  protected readonly nextCursor = signal<string | null | undefined>(undefined);
  protected readonly loading = signal(false);
  /** Why the last page request failed; automatic loading pauses until Retry. */
  protected readonly problem = signal<ApiProblem | undefined>(undefined);

  private readonly api = inject(GalleryApi);
  private readonly config = inject(RuntimeConfig);
  private readonly injector = inject(Injector);
  private readonly sentinel = viewChild.required<ElementRef<HTMLElement>>('sentinel');
  private observer: IntersectionObserver | undefined;

  constructor() {
    this.loadNextPage();
    afterNextRender(() => this.observeSentinel());
    inject(DestroyRef).onDestroy(() => this.observer?.disconnect());
  }

  protected mediaUrl(url: string): string {
    return this.config.mediaUrl(url);
  }

  /** The preview's tiles as a srcset; null for galleries from before tiles (the thumbnail then). */
  protected tiles(gallery: GallerySummary): string | null {
    return tileSrcset(this.config, gallery.previewTile, gallery.previewTile2x) || null;
  }

  /** Fetches the page after the ones shown; does nothing while a page is in flight or after the last. */
  protected loadNextPage(): void {
    const cursor = this.nextCursor();
    if (this.loading() || cursor === null) return;
    this.loading.set(true);
    this.problem.set(undefined);
    this.api.list(cursor).then(
      (page) => {
        this.galleries.update((shown) => [...shown, ...page.galleries]);
        this.nextCursor.set(page.nextCursor);
        this.loading.set(false);
        this.recheckSentinel();
      },
      (error: unknown) => {
        this.problem.set(toApiProblem(error));
        this.loading.set(false);
      },
    );
  }

  private observeSentinel(): void {
    // Without IntersectionObserver the "Load more" button is the way on.
    if (typeof IntersectionObserver === 'undefined') return;
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && !this.problem()) this.loadNextPage();
    });
    this.observer.observe(this.sentinel().nativeElement);
  }

  /**
   * The observer reports only changes, so a page too short to push the marker out of view would
   * leave it silent. Observing afresh once the page has rendered reports where the marker is now.
   */
  private recheckSentinel(): void {
    afterNextRender(
      () => {
        const observer = this.observer;
        if (!observer) return;
        observer.unobserve(this.sentinel().nativeElement);
        observer.observe(this.sentinel().nativeElement);
      },
      { injector: this.injector },
    );
  }
}
