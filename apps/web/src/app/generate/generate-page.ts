import { ChangeDetectionStrategy, Component, DestroyRef, inject } from '@angular/core';
import { ActivatedRoute } from '@angular/router';
import { GENERATION_LIMITS } from '@pixel-prompt/contracts';
import { Shortcuts, withModifier } from '../core/shortcuts';
import { GenerateStore } from './generate-store';
import { ParametersPanel } from './parameters-panel';
import { PromptEditor } from './prompt-editor';
import { ResultsPanel } from './results-panel';

/**
 * The generate experience: prompt, parameters and results, with the page's keyboard shortcuts.
 * `/?prompt=...` (the gallery's "Re-run this prompt") fills the prompt box.
 */
@Component({
  selector: 'pp-generate',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [PromptEditor, ParametersPanel, ResultsPanel],
  providers: [GenerateStore],
  template: `
    <form class="form" aria-label="Generate images" (submit)="$event.preventDefault(); store.generate()">
      <pp-prompt-editor />
      <pp-parameters-panel />
    </form>
    <pp-results-panel />
  `,
  styles: `
    .form {
      display: flex;
      flex-direction: column;
      gap: var(--space);
    }
  `,
})
export class GeneratePage {
  protected readonly store = inject(GenerateStore);

  constructor() {
    const prompt = inject(ActivatedRoute).snapshot.queryParamMap.get('prompt');
    if (prompt) this.store.prompt.set(prompt.slice(0, GENERATION_LIMITS.promptMaxLength));

    const shortcuts = inject(Shortcuts);
    const unregister = [
      shortcuts.register({
        keys: 'Ctrl/⌘ + Enter',
        description: 'Generate images',
        matches: withModifier('Enter'),
        whileTyping: true,
        run: () => this.store.generate(),
      }),
      shortcuts.register({
        keys: 'Ctrl/⌘ + E',
        description: 'Enhance the prompt',
        matches: withModifier('e'),
        whileTyping: true,
        run: () => this.store.enhance(),
      }),
      shortcuts.register({
        keys: 'Ctrl/⌘ + I',
        description: 'Inspire me: a random prompt',
        matches: withModifier('i'),
        whileTyping: true,
        run: () => this.store.inspire(),
      }),
    ];
    inject(DestroyRef).onDestroy(() => unregister.forEach((remove) => remove()));
  }
}
