import { ChangeDetectionStrategy, Component, DOCUMENT, computed, effect, inject, resource, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { Title } from '@angular/platform-browser';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { map } from 'rxjs';
import type { GalleryDetailResponse } from '@pixel-prompt/contracts';
import { toApiProblem } from '../core/api-error';
import { RetryingImage } from '../core/retrying-image';
import { RuntimeConfig } from '../core/runtime-config';
import { tileSrcset } from '../core/tiles';
import { copyLink } from '../viewer/copy-link';
import { imageFileName } from '../viewer/image-files';
import { ImageViewer } from '../viewer/image-viewer';
import type { ViewerImage } from '../viewer/viewer-image';
import { downloadAllAsZip } from '../viewer/zip-download';
import { GalleryApi } from './gallery-api';
import { formatTime } from './format-time';

/**
 * The generate page's address for running a gallery's recipe again: prompt, every parameter and the
 * models the generation asked for (older galleries: the models of their images).
 */
export function rerunQuery(detail: GalleryDetailResponse): Record<string, string | number> {
  const { steps, guidance, seed, negativePrompt, aspectRatio } = detail.parameters;
  const models = detail.models ?? detail.images.map((image) => image.model);
  const query: Record<string, string | number> = { prompt: detail.prompt, steps, guidance, seed, models: models.join(',') };
  if (negativePrompt) query['negativePrompt'] = negativePrompt;
  if (aspectRatio) query['aspectRatio'] = aspectRatio;
  return query;
}

/** One gallery: its prompt, parameters and images, with the viewer, re-run, link and zip download. */
@Component({
  selector: 'pp-gallery-detail-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, ImageViewer, RetryingImage],
  template: `
    @if (gallery.hasValue()) {
      @let detail = gallery.value();
      <h1 class="prompt">{{ detail.prompt }}</h1>
      <dl class="facts">
        <div>
          <dt>Created</dt>
          <dd>
            <time [attr.datetime]="detail.createdAt">{{ formatTime(detail.createdAt) }}</time>
          </dd>
        </div>
        <div>
          <dt>Steps</dt>
          <dd>{{ detail.parameters.steps }}</dd>
        </div>
        <div>
          <dt>Guidance</dt>
          <dd>{{ detail.parameters.guidance }}</dd>
        </div>
        <div>
          <dt>Seed</dt>
          <dd>{{ detail.parameters.seed }}</dd>
        </div>
        @if (detail.parameters.aspectRatio) {
          <div>
            <dt>Shape</dt>
            <dd>{{ detail.parameters.aspectRatio }}</dd>
          </div>
        }
        @if (detail.parameters.negativePrompt) {
          <div>
            <dt>Negative prompt</dt>
            <dd>{{ detail.parameters.negativePrompt }}</dd>
          </div>
        }
      </dl>

      <div class="actions">
        <a class="button" routerLink="/" [queryParams]="rerun()">Re-run this prompt</a>
        <button type="button" [attr.aria-disabled]="zipping()" (click)="downloadAll()">
          Download all
        </button>
        <button type="button" (click)="copyPageLink()">Copy link</button>
        <p class="status" role="status">{{ status() }}</p>
      </div>

      <ul class="images">
        @for (image of images(); track $index) {
          <li>
            <figure>
              <button type="button" class="open" (click)="openViewer($index)">
                <img
                  ppRetryingImage
                  [attr.srcset]="tiles()[$index] || null"
                  sizes="(max-width: 40rem) 50vw, 20rem"
                  [src]="image.thumbnailUrl"
                  [alt]="image.title + ': ' + detail.prompt"
                  loading="lazy"
                  decoding="async"
                  [width]="detail.images[$index].width"
                  [height]="detail.images[$index].height"
                />
              </button>
              <figcaption>{{ image.title }}</figcaption>
            </figure>
          </li>
        }
      </ul>

      @if (viewerOpen()) {
        <pp-image-viewer [images]="images()" [(index)]="viewerIndex" (closed)="viewerOpen.set(false)" />
      }
    } @else if (problem(); as problem) {
      @if (problem.code === 'GALLERY_NOT_FOUND') {
        <h1>Gallery not found</h1>
        <p>{{ problem.message }} <a routerLink="/gallery">See all galleries</a>.</p>
      } @else {
        <h1>Gallery</h1>
        <div class="problem" role="alert">
          <p>{{ problem.message }}</p>
          <button type="button" (click)="gallery.reload()">Retry</button>
        </div>
      }
    } @else {
      <p role="status">Loading the gallery…</p>
    }
  `,
  styleUrl: './gallery-detail-page.css',
})
export class GalleryDetailPage {
  protected readonly formatTime = formatTime;
  private readonly config = inject(RuntimeConfig);
  private readonly api = inject(GalleryApi);
  private readonly id = toSignal(inject(ActivatedRoute).paramMap.pipe(map((params) => params.get('id') ?? '')), {
    requireSync: true,
  });

  protected readonly gallery = resource({
    params: () => this.id(),
    loader: ({ params: id, abortSignal }) => this.api.detail(id, abortSignal),
  });
  protected readonly problem = computed(() => {
    const error = this.gallery.error();
    return error ? toApiProblem(error) : undefined;
  });
  /**
   * The gallery's images with URLs resolved, as the viewer and the zip download take them; the
   * stand-in while the full image loads is the large tile the page already shows.
   */
  protected readonly images = computed<ViewerImage[]>(() =>
    this.gallery.hasValue()
      ? this.gallery.value().images.map((image) => ({
          url: this.config.mediaUrl(image.url),
          thumbnailUrl: this.config.mediaUrl(image.tile2xUrl ?? image.thumbnailUrl),
          title: image.displayName,
          fileName: imageFileName(image.model, image.url),
        }))
      : [],
  );
  /** Each image's tiles as a srcset (empty for galleries from before tiles: the thumbnail then). */
  protected readonly tiles = computed(() =>
    this.gallery.hasValue()
      ? this.gallery.value().images.map(({ tileUrl, tile2xUrl }) => tileSrcset(this.config, tileUrl, tile2xUrl))
      : [],
  );
  protected readonly rerun = computed(() => (this.gallery.hasValue() ? rerunQuery(this.gallery.value()) : {}));
  protected readonly viewerOpen = signal(false);
  protected readonly viewerIndex = signal(0);
  protected readonly zipping = signal(false);
  /** Outcome of Download all or Copy link, announced to screen readers. */
  protected readonly status = signal('');
  private readonly document = inject(DOCUMENT);

  constructor() {
    const title = inject(Title);
    effect(() => {
      if (this.gallery.hasValue()) title.setTitle(`${this.gallery.value().prompt} · Gallery · Pixel Prompt`);
    });
  }

  protected openViewer(index: number): void {
    this.viewerIndex.set(index);
    this.viewerOpen.set(true);
  }

  protected async downloadAll(): Promise<void> {
    // Not a disabled button while busy: disabling it would drop the keyboard focus.
    if (this.zipping()) return;
    this.zipping.set(true);
    this.status.set('Preparing the zip…');
    try {
      await downloadAllAsZip(this.images(), `pixel-prompt-${this.id()}.zip`);
      this.status.set('Zip downloaded');
    } catch {
      this.status.set('The images could not be zipped. Check your connection and try again.');
    } finally {
      this.zipping.set(false);
    }
  }

  /** Copies this page's absolute address. */
  protected async copyPageLink(): Promise<void> {
    const copied = await copyLink(new URL(`/gallery/${this.id()}`, this.document.baseURI).href);
    this.status.set(copied ? 'Link copied' : 'Copying is not possible in this browser: copy the address from the address bar.');
  }
}
