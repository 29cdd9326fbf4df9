import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { GenerateStore } from './generate-store';

/**
 * Which models the next generation uses: all of them, or the ones ticked (remembered in this
 * browser). A disclosure, so the list takes room only while it is being changed.
 */
@Component({
  selector: 'pp-model-picker',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <details class="disclosure" (toggle)="open.set($any($event.target).open)">
      <summary data-testid="model-summary">{{ summary() }}</summary>
      <!-- Made when first opened, not with the page: fewer elements to create while it starts. -->
      @if (!open()) {
      } @else if (store.models(); as models) {
        <fieldset>
          <legend class="visually-hidden">Models to generate with</legend>
          <ul class="models">
            @for (model of models; track model.id) {
              <li>
                <label>
                  <input type="checkbox" [checked]="store.isChosen(model.id)" (change)="choose(model.id, $event)" />
                  {{ model.displayName }}
                </label>
              </li>
            }
          </ul>
          <div class="actions">
            <button type="button" [disabled]="store.everyModelChosen()" (click)="store.chooseAllModels()">Use all models</button>
            @if (store.chosenModels().length === 0) {
              <p class="error" role="alert">Pick at least one model to generate.</p>
            }
          </div>
        </fieldset>
      } @else if (store.modelsFailed()) {
        <p class="note">The model list could not be loaded: every model will be used.</p>
      } @else {
        <p class="note">Loading the models…</p>
      }
    </details>
  `,
  styleUrl: './disclosure.css',
  styles: `
    .models {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr));
      gap: 0 1rem;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    label {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      min-height: 44px;
      cursor: pointer;
    }
    input {
      width: 1.25rem;
      height: 1.25rem;
      min-height: 0;
    }
    .error {
      margin: 0;
      color: var(--color-bad);
    }
  `,
})
export class ModelPicker {
  protected readonly store = inject(GenerateStore);
  /** Whether the disclosure is open: its list exists only then. */
  protected readonly open = signal(false);

  protected readonly summary = computed(() => {
    const models = this.store.models();
    if (!models) return 'Models';
    if (this.store.everyModelChosen()) return `Models: all ${models.length}`;
    return `Models: ${this.store.chosenModels().length} of ${models.length}`;
  });

  protected choose(modelId: string, event: Event): void {
    this.store.chooseModel(modelId, (event.target as HTMLInputElement).checked);
  }
}
