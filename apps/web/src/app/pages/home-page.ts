import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { ActivatedRoute, RouterOutlet } from '@angular/router';

/**
 * The generate page's heading (index.html paints the same before the app starts), in the initial
 * bundle so it shows at once; the prompt bar and results below it are a lazy child route. The
 * introduction shows only on a blank page: with results, the images have the room.
 */
@Component({
  selector: 'pp-home-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet],
  template: `
    <h1>One prompt, many models</h1>
    @if (!hasJob()) {
      <p class="lead">Write one prompt and see what every image model makes of it, side by side.</p>
    }
    <router-outlet />
  `,
})
export class HomePage {
  protected readonly hasJob = signal(false);

  constructor() {
    const subscription = inject(ActivatedRoute).paramMap.subscribe((params) => this.hasJob.set(params.has('jobId')));
    inject(DestroyRef).onDestroy(() => subscription.unsubscribe());
  }
}
