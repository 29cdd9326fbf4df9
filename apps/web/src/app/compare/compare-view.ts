import { ChangeDetectionStrategy, Component, input, output, signal } from '@angular/core';
import { Dialog } from '../core/dialog';
import { RetryingImage } from '../core/retrying-image';
import { lockBodyScroll } from '../viewer/scroll-lock';
import type { ViewerImage } from '../viewer/viewer-image';

/**
 * Two images in a modal dialog, either side by side or stacked with a divider that reveals the left
 * image over the right one. The divider follows a pointer dragged across the images and is also a
 * labelled range input, so keyboards and screen readers can move it. The owner removes the view when
 * `closed` fires.
 */
@Component({
  selector: 'pp-compare-view',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [Dialog, RetryingImage],
  template: `
    <div class="fullscreen dialog" ppDialog aria-label="Compare images" (closeRequested)="closed.emit()">
      <div class="toolbar">
        <h2 class="heading">{{ left().title }} and {{ right().title }}</h2>
        <button type="button" (click)="slider.set(!slider())">{{ slider() ? 'Side by side' : 'Slider' }}</button>
        <button type="button" (click)="closed.emit()">Close</button>
      </div>

      @if (slider()) {
        <div
          class="overlay"
          data-testid="compare-overlay"
          (pointerdown)="startDrag($event)"
          (pointermove)="drag($event)"
          (pointerup)="dragging = false"
          (pointercancel)="dragging = false"
        >
          <figure class="layer">
            <img ppRetryingImage [src]="right().url" [alt]="right().title" />
          </figure>
          <figure class="layer top" [style.clip-path]="'inset(0 ' + (100 - split()) + '% 0 0)'">
            <img ppRetryingImage [src]="left().url" [alt]="left().title" />
          </figure>
          <div class="divider" [style.left.%]="split()"></div>
        </div>
        <div class="range">
          <label for="compare-split">Divider: {{ left().title }} on the left, {{ right().title }} on the right</label>
          <input
            id="compare-split"
            type="range"
            min="0"
            max="100"
            [value]="split()"
            [attr.aria-valuetext]="split() + '% ' + left().title"
            (input)="split.set(+$any($event.target).value)"
          />
        </div>
      } @else {
        <div class="side-by-side">
          @for (image of [left(), right()]; track $index) {
            <figure>
              <div class="box"><img ppRetryingImage [src]="image.url" [alt]="image.title" /></div>
              <figcaption>{{ image.title }}</figcaption>
            </figure>
          }
        </div>
      }
    </div>
  `,
  styleUrl: './compare-view.css',
})
export class CompareView {
  readonly left = input.required<ViewerImage>();
  readonly right = input.required<ViewerImage>();
  readonly closed = output<void>();

  /** Whether the images are overlaid with a divider instead of shown side by side. */
  protected readonly slider = signal(false);
  /** How much of the width, in percent, shows the left image. */
  protected readonly split = signal(50);
  protected dragging = false;

  constructor() {
    lockBodyScroll();
  }

  protected startDrag(event: PointerEvent): void {
    this.dragging = true;
    // Capture keeps the drag going when the pointer leaves the images.
    (event.currentTarget as HTMLElement).setPointerCapture?.(event.pointerId);
    this.moveDividerTo(event);
  }

  protected drag(event: PointerEvent): void {
    if (this.dragging) this.moveDividerTo(event);
  }

  private moveDividerTo(event: PointerEvent): void {
    const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
    if (box.width === 0) return;
    const percent = ((event.clientX - box.left) / box.width) * 100;
    this.split.set(Math.round(Math.min(100, Math.max(0, percent))));
  }
}
