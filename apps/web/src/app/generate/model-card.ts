import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import type { ModelErrorCode, ModelResult } from '@pixel-prompt/contracts';
import { RetryingImage } from '../core/retrying-image';

/** Why a model has no image, in words; the raw code is never shown. */
export const MODEL_ERROR_REASONS: Record<ModelErrorCode, string> = {
  TIMEOUT: 'The model took too long to answer.',
  AUTH: 'This model is not set up correctly on our side.',
  QUOTA: 'This model has used up its quota for now.',
  RATE_LIMITED: 'This model is busy right now. Try again in a little while.',
  CONTENT_REJECTED: 'The model declined this prompt under its content rules. Rephrase the prompt to try again.',
  PROVIDER_ERROR: 'The service running this model had a problem.',
  UNAVAILABLE: 'This model is not available right now.',
  STORAGE_UNAVAILABLE: 'The image was made but could not be saved. Try again in a little while.',
};

/** Failures a second try can get past; the others (a refused prompt, a missing key) would only fail again. */
const RETRYABLE: ReadonlySet<ModelErrorCode> = new Set(['TIMEOUT', 'RATE_LIMITED', 'PROVIDER_ERROR']);

export function friendlyReason(result: ModelResult): string {
  return (result.error && MODEL_ERROR_REASONS[result.error.code]) ?? 'This model could not make an image.';
}

export function canRetry(result: ModelResult): boolean {
  return result.status === 'error' && (!result.error || RETRYABLE.has(result.error.code));
}

/** Resolved image URLs for a card: the tiles it shows and the full image the viewer opens. */
export interface CardImages {
  /** The tiles as a srcset (tileSrcset), or empty for results stored before tiles existed. */
  srcset: string;
  /** The 1x tile, else the thumbnail, else the full image (older results). */
  src: string;
}

/**
 * One model's part of a generation, image first: waiting, generating (with the time so far), its
 * tile (the full image is for the viewer), or why not, with Retry when another try may work.
 */
@Component({
  selector: 'pp-model-card',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [RetryingImage],
  template: `
    @let r = result();
    <article class="card" data-testid="model-card" [attr.data-state]="r.status" [attr.aria-labelledby]="headingId()">
      <div class="frame">
        @switch (r.status) {
          @case ('pending') {
            <div class="placeholder working"><p>Waiting…</p></div>
          }
          @case ('in_progress') {
            <div class="placeholder working"><p>Generating… {{ elapsed() }}</p></div>
          }
          @case ('completed') {
            <button type="button" class="picture" (click)="opened.emit()">
              <img
                ppRetryingImage
                [attr.srcset]="images().srcset || null"
                sizes="(max-width: 40rem) 50vw, 20rem"
                [src]="images().src"
                [alt]="alt()"
                decoding="async"
              />
            </button>
          }
          @case ('error') {
            <div class="placeholder failed"><p>{{ reason() }}</p></div>
          }
          @case ('canceled') {
            <div class="placeholder"><p>Canceled</p></div>
          }
        }
      </div>
      <div class="caption">
        <h3 [id]="headingId()">{{ r.displayName }}</h3>
        @if (r.status === 'completed' && r.duration !== undefined) {
          <span class="duration">{{ r.duration.toFixed(1) }} s</span>
        }
        @if (r.status === 'completed') {
          <label class="compare">
            <input type="checkbox" [checked]="selected()" (change)="selectedChange.emit($any($event.target).checked)" />
            Compare<span class="visually-hidden"> {{ r.displayName }}</span>
          </label>
        } @else if (retryable()) {
          <button type="button" class="retry" [attr.aria-disabled]="retrying()" (click)="retrying() || retried.emit()">
            Retry<span class="visually-hidden"> {{ r.displayName }}</span>
          </button>
        }
      </div>
    </article>
  `,
  styleUrl: './model-card.css',
})
export class ModelCard {
  readonly result = input.required<ModelResult>();
  /** The prompt the image was made from: part of its alt text. */
  readonly prompt = input.required<string>();
  readonly images = input<CardImages>({ srcset: '', src: '' });
  /** Local time the model was first seen generating, and the current time, for the elapsed time. */
  readonly startedAt = input<number | undefined>(undefined);
  readonly now = input<number>(0);
  readonly selected = input(false);
  /** Its retry request is in flight. */
  readonly retrying = input(false);

  readonly opened = output<void>();
  readonly selectedChange = output<boolean>();
  readonly retried = output<void>();

  protected readonly headingId = computed(() => `model-${this.result().index}`);
  protected readonly alt = computed(() => `${this.result().displayName}: ${this.prompt()}`);
  protected readonly reason = computed(() => friendlyReason(this.result()));
  protected readonly retryable = computed(() => canRetry(this.result()));
  protected readonly elapsed = computed(() => {
    const startedAt = this.startedAt();
    if (startedAt === undefined) return '';
    return `${Math.max(0, Math.floor((this.now() - startedAt) / 1000))} s`;
  });
}
