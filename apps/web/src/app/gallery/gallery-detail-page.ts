import { ChangeDetectionStrategy, Component, computed, effect, inject, resource, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { Title } from '@angular/platform-browser';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { map } from 'rxjs';
import { toApiProblem } from '../core/api-error';
import { RuntimeConfig } from '../core/runtime-config';
import { imageFileName } from '../viewer/image-files';
import { ImageViewer } from '../viewer/image-viewer';
import type { ViewerImage } from '../viewer/viewer-image';
import { downloadAllAsZip } from '../viewer/zip-download';
import { GalleryApi } from './gallery-api';
import { formatTime } from './format-time';

/** One gallery: its prompt, parameters and images, with the viewer, re-run and zip download. */
@Component({
  selector: 'pp-gallery-detail-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterLink, ImageViewer],
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
      </dl>

      <div class="actions">
        <a class="button" routerLink="/" [queryParams]="{ prompt: detail.prompt }">Re-run this prompt</a>
        <button type="button" [attr.aria-disabled]="zipping()" (click)="downloadAll()">
          Download all
        </button>
        <p class="status" role="status">{{ zipStatus() }}</p>
      </div>

      <ul class="images">
        @for (image of images(); track $index) {
          <li>
            <figure>
              <button type="button" class="open" (click)="openViewer($index)">
                <img
                  [src]="image.thumbnailUrl"
                  [alt]="image.title + ': ' + detail.prompt"
                  loading="lazy"
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
  /** The gallery's images with URLs resolved, as the viewer and the zip download take them. */
  protected readonly images = computed<ViewerImage[]>(() =>
    this.gallery.hasValue()
      ? this.gallery.value().images.map((image) => ({
          url: this.config.mediaUrl(image.url),
          thumbnailUrl: this.config.mediaUrl(image.thumbnailUrl),
          title: image.displayName,
          fileName: imageFileName(image.model, image.url),
        }))
      : [],
  );
  protected readonly viewerOpen = signal(false);
  protected readonly viewerIndex = signal(0);
  protected readonly zipping = signal(false);
  protected readonly zipStatus = signal('');

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
    this.zipStatus.set('Preparing the zip…');
    try {
      await downloadAllAsZip(this.images(), `pixel-prompt-${this.id()}.zip`);
      this.zipStatus.set('Zip downloaded');
    } catch {
      this.zipStatus.set('The images could not be zipped. Check your connection and try again.');
    } finally {
      this.zipping.set(false);
    }
  }
}
