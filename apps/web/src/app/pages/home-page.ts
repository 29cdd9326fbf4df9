import { ChangeDetectionStrategy, Component } from '@angular/core';
import { GeneratePage } from '../generate/generate-page';

@Component({
  selector: 'pp-home-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [GeneratePage],
  template: `
    <h1>One prompt, many models</h1>
    <p class="lead">Write one prompt and see what every image model makes of it, side by side.</p>
    <pp-generate />
  `,
  styles: `
    h1 {
      margin-top: 0;
    }
    .lead {
      max-width: 40rem;
      color: var(--color-muted);
    }
  `,
})
export class HomePage {}
