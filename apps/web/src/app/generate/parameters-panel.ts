import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { GENERATION_LIMITS, type ModelCapabilities } from '@pixel-prompt/contracts';
import { GenerateStore, type ModelInfo } from './generate-store';

/** Says which models a control changes, from the capabilities GET /models reports. */
function honouredBy(models: ModelInfo[] | undefined, failed: boolean, capability: keyof ModelCapabilities): string {
  if (!models) return failed ? 'Which models use this is not known: the model list could not be loaded.' : 'Checking which models use this…';
  const names = models.filter((model) => model.capabilities[capability]).map((model) => model.displayName);
  if (names.length === 0) return 'None of the current models use this.';
  return `Used by ${names.join(', ')}.`;
}

/** Reads a number input: an empty (or unparsable) field is null. */
function numberOf(event: Event): number | null {
  const value = (event.target as HTMLInputElement).valueAsNumber;
  return Number.isNaN(value) ? null : value;
}

/** Steps, guidance and seed, each with the models that honour it. */
@Component({
  selector: 'pp-parameters-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <fieldset>
      <legend>Parameters</legend>
      <div class="grid">
        @for (field of numberFields; track field.id) {
          <div class="control">
            <label [for]="field.id">{{ field.label }}</label>
            <input
              [id]="field.id"
              type="number"
              [attr.inputmode]="field.inputmode"
              [min]="field.limits.min"
              [max]="field.limits.max"
              [step]="field.step"
              [value]="field.limits.default"
              [attr.aria-invalid]="!!store.parameterErrors()[field.id]"
              [attr.aria-describedby]="field.id + '-hint ' + field.id + '-error'"
              (input)="field.value.set(numberOf($event))"
            />
            <p [id]="field.id + '-hint'" class="hint">{{ hints()[field.id] }}</p>
            <p [id]="field.id + '-error'" class="error">{{ store.parameterErrors()[field.id] }}</p>
          </div>
        }
        <div class="control">
          <label for="seed">Seed</label>
          <div class="seed">
            <input
              id="seed"
              type="number"
              inputmode="numeric"
              [min]="limits.seed.min"
              [max]="limits.seed.max"
              step="1"
              placeholder="Random"
              [value]="randomSeed()"
              [attr.aria-invalid]="!!store.parameterErrors().seed"
              aria-describedby="seed-hint seed-error"
              (input)="store.seed.set(numberOf($event))"
            />
            <button type="button" (click)="randomiseSeed()">Randomise seed</button>
          </div>
          <p id="seed-hint" class="hint">{{ hints().seed }} Empty: a new seed every time.</p>
          <p id="seed-error" class="error">{{ store.parameterErrors().seed }}</p>
        </div>
      </div>
    </fieldset>
  `,
  styles: `
    fieldset {
      margin: 0;
      padding: 0.75rem 1rem;
      border: 1px solid var(--color-border);
      border-radius: 0.5rem;
    }
    legend {
      padding-inline: 0.25rem;
      font-weight: 600;
    }
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr));
      gap: 0.5rem 1rem;
    }
    .control {
      display: flex;
      flex-direction: column;
      gap: 0.25rem;
    }
    .seed {
      display: flex;
      gap: 0.5rem;
    }
    .seed input {
      flex: 1;
      min-width: 0;
    }
    .hint,
    .error {
      margin: 0;
      font-size: 0.875rem;
    }
    .hint {
      color: var(--color-muted);
    }
    .error {
      color: var(--color-bad);
    }
    .error:empty {
      display: none;
    }
  `,
})
export class ParametersPanel {
  protected readonly store = inject(GenerateStore);
  /**
   * What the fields show is written only at start and by "Randomise seed": rewriting them from the
   * store on every keystroke would wipe half-typed numbers such as "7." that do not parse yet.
   */
  protected readonly randomSeed = signal('');
  protected readonly limits = GENERATION_LIMITS;
  /** Steps and guidance: number fields of the same make (the seed has its own, with a button). */
  protected readonly numberFields = [
    { id: 'steps', label: 'Steps', inputmode: 'numeric', step: 1, limits: GENERATION_LIMITS.steps, value: this.store.steps },
    { id: 'guidance', label: 'Guidance', inputmode: 'decimal', step: 0.5, limits: GENERATION_LIMITS.guidance, value: this.store.guidance },
  ] as const;
  protected readonly numberOf = numberOf;
  protected randomiseSeed(): void {
    this.store.randomiseSeed();
    this.randomSeed.set(String(this.store.seed()));
  }

  protected readonly hints = computed(() => {
    const models = this.store.models();
    const failed = this.store.modelsFailed();
    return {
      steps: honouredBy(models, failed, 'steps'),
      guidance: honouredBy(models, failed, 'guidance'),
      seed: honouredBy(models, failed, 'seed'),
    };
  });
}
