import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'pp-home-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>One prompt, many models</h1>
    <p class="lead">
      Write one text prompt and Pixel Prompt sends it to many AI image models at once, shows their images side
      by side, and keeps every result in a gallery you can come back to.
    </p>
    <p class="notice">
      Generating images is not available yet: the prompt form arrives with the generation pipeline.
    </p>
  `,
  styles: `
    .lead {
      max-width: 40rem;
      font-size: 1.125rem;
    }
    .notice {
      max-width: 40rem;
      padding: 0.75rem 1rem;
      border-left: 4px solid var(--color-accent);
      background: var(--color-surface);
    }
  `,
})
export class HomePage {}
