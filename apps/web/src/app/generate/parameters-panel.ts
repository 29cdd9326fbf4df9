import { ChangeDetectionStrategy, Component, ElementRef, computed, effect, inject, signal, untracked, viewChildren } from '@angular/core';
import { ASPECT_RATIOS, type AspectRatio, GENERATION_LIMITS, type ModelCapabilities } from '@pixel-prompt/contracts';
import { GenerateStore, type ModelInfo } from './generate-store';

/** Says which of the chosen models a control changes, from the capabilities GET /models reports. */
function honouredBy(models: ModelInfo[] | undefined, chosen: ModelInfo[], failed: boolean, capability: keyof ModelCapabilities): string {
  if (!models) return failed ? 'Which models use this is not known: the model list could not be loaded.' : 'Checking which models use this…';
  const names = chosen.filter((model) => model.capabilities[capability]).map((model) => model.displayName);
  if (names.length === 0) return 'None of the chosen models use this.';
  return `Used by ${names.join(', ')}.`;
}

/** Reads a number input: an empty (or unparsable) field is null. */
function numberOf(event: Event): number | null {
  const value = (event.target as HTMLInputElement).valueAsNumber;
  return Number.isNaN(value) ? null : value;
}

const SHAPES: Record<AspectRatio, string> = {
  '1:1': 'Square (1:1)',
  '4:3': 'Landscape (4:3)',
  '3:4': 'Portrait (3:4)',
  '16:9': 'Wide (16:9)',
  '9:16': 'Tall (9:16)',
};

/**
 * The "Advanced" disclosure: steps, guidance and seed, and the shape and negative prompt when a
 * chosen model can use them; each names the chosen models that honour it.
 */
@Component({
  selector: 'pp-parameters-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <details class="disclosure" (toggle)="toggled($event)">
      <summary>Advanced</summary>
      <!-- Made when first opened, not with the page: fewer elements to create while it starts. -->
      @if (open()) {
        <div class="grid">
          @for (field of numberFields; track field.id) {
            <div class="control">
              <label [for]="field.id">{{ field.label }}</label>
              <input
                #field
                [id]="field.id"
                type="number"
                [attr.inputmode]="field.inputmode"
                [min]="field.limits.min"
                [max]="field.limits.max"
                [step]="field.step"
                [value]="initial[field.id]"
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
                #seed
                #field
                id="seed"
                type="number"
                inputmode="numeric"
                [min]="limits.seed.min"
                [max]="limits.seed.max"
                step="1"
                placeholder="Random"
                [value]="initial.seed"
                [attr.aria-invalid]="!!store.parameterErrors().seed"
                aria-describedby="seed-hint seed-error"
                (input)="store.seed.set(numberOf($event))"
              />
              <button type="button" (click)="store.randomiseSeed(); seed.value = '' + store.seed()">Randomise seed</button>
            </div>
            <p id="seed-hint" class="hint">{{ hints().seed }} Empty: a new seed every time.</p>
            <p id="seed-error" class="error">{{ store.parameterErrors().seed }}</p>
          </div>
          @if (store.supports()('size')) {
            <div class="control">
              <label for="aspect-ratio">Shape</label>
              <select id="aspect-ratio" aria-describedby="aspect-ratio-hint" (change)="chooseShape($event)">
                <option value="" [selected]="store.aspectRatio() === ''">Each model's own</option>
                @for (ratio of ratios; track ratio) {
                  <option [value]="ratio" [selected]="store.aspectRatio() === ratio">{{ shapes[ratio] }}</option>
                }
              </select>
              <p id="aspect-ratio-hint" class="hint">{{ hints().size }}</p>
            </div>
          }
          @if (store.supports()('negativePrompt')) {
            <div class="control wide">
              <label for="negative-prompt">Negative prompt</label>
              <input
                #field
                id="negative-prompt"
                type="text"
                [attr.maxlength]="limits.negativePromptMaxLength"
                placeholder="What the image should not show: text, blur"
                aria-describedby="negative-prompt-hint"
                [value]="store.negativePrompt()"
                (input)="store.negativePrompt.set($any($event.target).value)"
              />
              <p id="negative-prompt-hint" class="hint">{{ hints().negativePrompt }}</p>
            </div>
          }
        </div>
      }
    </details>
  `,
  styleUrl: './disclosure.css',
  styles: `
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
    .wide {
      grid-column: 1 / -1;
    }
    label {
      font-weight: 600;
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
  protected readonly limits = GENERATION_LIMITS;
  protected readonly ratios = ASPECT_RATIOS;
  protected readonly shapes = SHAPES;
  /** Steps and guidance: number fields of the same make (the seed has its own, with a button). */
  protected readonly numberFields = [
    { id: 'steps', label: 'Steps', inputmode: 'numeric', step: 1, limits: GENERATION_LIMITS.steps, value: this.store.steps },
    { id: 'guidance', label: 'Guidance', inputmode: 'decimal', step: 0.5, limits: GENERATION_LIMITS.guidance, value: this.store.guidance },
  ] as const;
  protected readonly numberOf = numberOf;

  /** Whether the disclosure is open: its fields exist only then. */
  protected readonly open = signal(false);
  /**
   * What the number fields show when the disclosure opens. After that they are written only when a
   * recipe fills the form (a job opened, a Re-run): rewriting them from the store on every keystroke
   * would wipe half-typed numbers such as "7." that do not parse yet.
   */
  protected initial = this.fieldValues();
  private readonly fields = viewChildren<ElementRef<HTMLInputElement>>('field');

  constructor() {
    effect(() => {
      if (this.store.recipeVersion() === 0) return;
      const values = untracked(() => this.fieldValues());
      for (const { nativeElement: input } of untracked(this.fields)) {
        if (input.id in values) input.value = String(values[input.id as keyof typeof values]);
      }
    });
  }

  protected toggled(event: Event): void {
    const open = (event.target as HTMLDetailsElement).open;
    if (open) this.initial = this.fieldValues();
    this.open.set(open);
  }

  private fieldValues(): { steps: number | ''; guidance: number | ''; seed: number | '' } {
    return { steps: this.store.steps() ?? '', guidance: this.store.guidance() ?? '', seed: this.store.seed() ?? '' };
  }

  protected readonly hints = computed(() => {
    const models = this.store.models();
    const chosen = this.store.chosenModels();
    const failed = this.store.modelsFailed();
    return {
      steps: honouredBy(models, chosen, failed, 'steps'),
      guidance: honouredBy(models, chosen, failed, 'guidance'),
      seed: honouredBy(models, chosen, failed, 'seed'),
      size: honouredBy(models, chosen, failed, 'size'),
      negativePrompt: honouredBy(models, chosen, failed, 'negativePrompt'),
    };
  });

  protected chooseShape(event: Event): void {
    const value = (event.target as HTMLSelectElement).value;
    this.store.aspectRatio.set((ASPECT_RATIOS as readonly string[]).includes(value) ? (value as AspectRatio) : '');
  }
}
