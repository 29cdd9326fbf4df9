import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'pp-gallery-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Gallery</h1>
    <p class="empty">No galleries yet. Every prompt you generate will be kept here with its images.</p>
  `,
  styles: `
    .empty {
      padding: 2rem 1rem;
      border: 2px dashed var(--color-border);
      border-radius: 0.5rem;
      color: var(--color-muted);
      text-align: center;
    }
  `,
})
export class GalleryPage {}
