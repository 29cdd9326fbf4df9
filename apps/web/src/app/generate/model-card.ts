import { ChangeDetectionStrategy, Component, computed, input, linkedSignal, output } from '@angular/core';
import type { ModelErrorCode, ModelResult } from '@pixel-prompt/contracts';

/** Why a model has no image, in words; the raw code is never shown. */
export const MODEL_ERROR_REASONS: Record<ModelErrorCode, string> = {
  TIMEOUT: 'The model took too long to answer.',
  AUTH: 'This model is not set up correctly on our side.',
  QUOTA: 'This model has used up its quota for now.',
  RATE_LIMITED: 'This model is busy right now. Try again in a little while.',
  CONTENT_REJECTED: 'The model declined this prompt under its content rules.',
  PROVIDER_ERROR: 'The service running this model had a problem.',
  UNAVAILABLE: 'This model is not available right now.',
  STORAGE_UNAVAILABLE: 'The image was made but could not be saved. Try again in a little while.',
};

export function friendlyReason(result: ModelResult): string {
  return (result.error && MODEL_ERROR_REASONS[result.error.code]) ?? 'This model could not make an image.';
}

/** One model's part of a generation: waiting, generating (with the time so far), its image, or why not. */
@Component({
  selector: 'pp-model-card',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let r = result();
    <article class="card" data-testid="model-card" [attr.data-state]="r.status" [attr.aria-labelledby]="headingId()">
      <h3 [id]="headingId()">{{ r.displayName }}</h3>
      @switch (r.status) {
        @case ('pending') {
          <div class="placeholder"><p>Waiting in the queue…</p></div>
        }
        @case ('in_progress') {
          <div class="placeholder busy"><p>Generating… {{ elapsed() }}</p></div>
        }
        @case ('completed') {
          <button type="button" class="picture" (click)="opened.emit()">
            @if (!loaded() && r.thumbnailUrl) {
              <img class="thumb" [src]="thumbnailUrl()" alt="" />
            }
            <img class="full" [class.loaded]="loaded()" [src]="imageUrl()" [alt]="alt()" (load)="loaded.set(true)" />
          </button>
          <div class="meta">
            <label class="compare">
              <input type="checkbox" [checked]="selected()" (change)="selectedChange.emit($any($event.target).checked)" />
              Compare {{ r.displayName }}
            </label>
            @if (r.duration !== undefined) {
              <span class="duration">{{ r.duration.toFixed(1) }} s</span>
            }
          </div>
        }
        @case ('error') {
          <div class="placeholder failed"><p>{{ reason() }}</p></div>
        }
        @case ('canceled') {
          <div class="placeholder"><p>Canceled</p></div>
        }
      }
    </article>
  `,
  styleUrl: './model-card.css',
})
export class ModelCard {
  readonly result = input.required<ModelResult>();
  /** The prompt the image was made from: part of its alt text. */
  readonly prompt = input.required<string>();
  /** Resolved image URLs (RuntimeConfig.mediaUrl). */
  readonly imageUrl = input<string>('');
  readonly thumbnailUrl = input<string>('');
  /** Local time the model was first seen generating, and the current time, for the elapsed time. */
  readonly startedAt = input<number | undefined>(undefined);
  readonly now = input<number>(0);
  readonly selected = input(false);

  readonly opened = output<void>();
  readonly selectedChange = output<boolean>();

  /** Whether the full image has loaded; starts over for every new image. */
  protected readonly loaded = linkedSignal({ source: this.imageUrl, computation: () => false });
  protected readonly headingId = computed(() => `model-${this.result().index}`);
  protected readonly alt = computed(() => `${this.result().displayName}: ${this.prompt()}`);
  protected readonly reason = computed(() => friendlyReason(this.result()));
  protected readonly elapsed = computed(() => {
    const startedAt = this.startedAt();
    if (startedAt === undefined) return '';
    return `${Math.max(0, Math.floor((this.now() - startedAt) / 1000))} s`;
  });
}
