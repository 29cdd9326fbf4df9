import { ChangeDetectionStrategy, Component, DOCUMENT, computed, inject, input, model, output, signal } from '@angular/core';
import { Dialog } from '../core/dialog';
import { RetryingImage } from '../core/retrying-image';
import { absoluteUrl, copyLink } from './copy-link';
import { downloadImage } from './image-files';
import { lockBodyScroll } from './scroll-lock';
import type { ViewerImage } from './viewer-image';

/** A horizontal swipe shorter than this (in CSS pixels) is a tap or a scroll, not a page turn. */
const SWIPE_MIN_DISTANCE = 50;

/**
 * Full-size images in a modal dialog, one at a time, fitted whole into the room between the toolbars
 * at any window size; "Actual size" shows it at 100% instead, scrolling when it is larger. Previous
 * and Next wrap around at the ends (and are disabled when there is only one image); ←/→ and swipes
 * do the same. The thumbnail stands in until the full image has loaded. The owner removes the viewer
 * when `closed` fires.
 */
@Component({
  selector: 'pp-image-viewer',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [Dialog, RetryingImage],
  // On the host, so keys and swipes anywhere in the dialog page through the images.
  host: {
    '(keydown.arrowleft)': 'previous()',
    '(keydown.arrowright)': 'next()',
    '(touchstart)': 'swipeStart($event)',
    '(touchend)': 'swipeEnd($event)',
  },
  template: `
    @let image = current();
    <div class="fullscreen dialog" ppDialog aria-label="Image viewer" (closeRequested)="closed.emit()">
      <div class="toolbar">
        <p class="position" data-testid="viewer-position">{{ position() }}</p>
        <p class="title" data-testid="viewer-caption">{{ image.title }}</p>
        <div class="actions">
          <button type="button" [attr.aria-pressed]="actualSize()" (click)="actualSize.set(!actualSize())">Actual size</button>
          <button type="button" [attr.aria-disabled]="downloading()" (click)="download()">Download</button>
          <button type="button" (click)="copyLink()">Copy link</button>
          <button type="button" (click)="closed.emit()">Close</button>
        </div>
      </div>

      <div class="stage" data-testid="viewer-stage" [class.actual]="actualSize()">
        @if (!fullLoaded()) {
          <img class="picture" [src]="image.thumbnailUrl" alt="" />
        }
        <img
          ppRetryingImage
          class="picture full"
          [class.loaded]="fullLoaded()"
          [src]="image.url"
          [alt]="image.title"
          (load)="loadedUrl.set(image.url)"
        />
      </div>

      <div class="toolbar paging">
        <button type="button" (click)="previous()" [disabled]="single()">Previous</button>
        <p class="status" role="status">{{ status() }}</p>
        <button type="button" (click)="next()" [disabled]="single()">Next</button>
      </div>
    </div>
  `,
  styleUrl: './image-viewer.css',
})
export class ImageViewer {
  readonly images = input.required<ViewerImage[]>();
  /** Position of the shown image in `images`; moves as the user pages. */
  readonly index = model.required<number>();
  readonly closed = output<void>();

  protected readonly current = computed(() => this.images()[this.clampedIndex()]);
  protected readonly position = computed(() => `${this.clampedIndex() + 1} / ${this.images().length}`);
  protected readonly single = computed(() => this.images().length < 2);
  /** URL of the last full image that finished loading: the thumbnail shows until it is the current one. */
  protected readonly loadedUrl = signal<string | undefined>(undefined);
  protected readonly fullLoaded = computed(() => this.loadedUrl() === this.current().url);
  /** Outcome of Download or Copy link, announced to screen readers and shown in the dialog. */
  protected readonly status = signal('');
  protected readonly downloading = signal(false);
  /** Shown at 100% (one image pixel per CSS pixel) instead of fitted. */
  protected readonly actualSize = signal(false);
  private readonly document = inject(DOCUMENT);

  private readonly clampedIndex = computed(() => Math.min(Math.max(this.index(), 0), this.images().length - 1));
  private swipeStartPoint: { x: number; y: number } | undefined;

  constructor() {
    lockBodyScroll();
  }

  protected previous(): void {
    this.go(-1);
  }

  protected next(): void {
    this.go(1);
  }

  protected async download(): Promise<void> {
    // Not a disabled button while busy: disabling it would drop the focus out of the dialog.
    if (this.downloading()) return;
    const image = this.current();
    this.downloading.set(true);
    this.status.set(`Downloading ${image.fileName}…`);
    try {
      await downloadImage(image);
      this.status.set(`Downloaded ${image.fileName}`);
    } catch {
      this.status.set('The image could not be downloaded. Check your connection and try again.');
    } finally {
      this.downloading.set(false);
    }
  }

  /** Copies the image's absolute address: a link that works wherever it is pasted. */
  protected async copyLink(): Promise<void> {
    const copied = await copyLink(absoluteUrl(this.current().url, this.document.baseURI));
    this.status.set(copied ? 'Link copied' : 'Copying is not possible in this browser. Open the image in a new tab to copy its address.');
  }

  protected swipeStart(event: TouchEvent): void {
    const touch = event.changedTouches[0];
    this.swipeStartPoint = event.touches.length === 1 && touch ? { x: touch.clientX, y: touch.clientY } : undefined;
  }

  protected swipeEnd(event: TouchEvent): void {
    const start = this.swipeStartPoint;
    const touch = event.changedTouches[0];
    this.swipeStartPoint = undefined;
    if (!start || !touch) return;
    const dx = touch.clientX - start.x;
    const dy = touch.clientY - start.y;
    // Mostly vertical movement is someone scrolling or zooming, not paging.
    if (Math.abs(dx) < SWIPE_MIN_DISTANCE || Math.abs(dx) < Math.abs(dy)) return;
    // Swiping left drags the next image in, as on a photo roll.
    this.go(dx < 0 ? 1 : -1);
  }

  private go(step: number): void {
    const count = this.images().length;
    if (count < 2) return;
    this.status.set('');
    this.index.set((this.clampedIndex() + step + count) % count);
  }
}
