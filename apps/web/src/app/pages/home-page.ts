import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterOutlet } from '@angular/router';

/**
 * The start page's heading and introduction (index.html paints the same before the app starts),
 * in the initial bundle; the generate form below them is a lazy child route.
 */
@Component({
  selector: 'pp-home-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RouterOutlet],
  template: `
    <h1>One prompt, many models</h1>
    <p class="lead">Write one prompt and see what every image model makes of it, side by side.</p>
    <router-outlet />
  `,
})
export class HomePage {}
