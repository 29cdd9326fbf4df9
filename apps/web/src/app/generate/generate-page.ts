import { ChangeDetectionStrategy, Component, DestroyRef, effect, inject, untracked } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { Title } from '@angular/platform-browser';
import { ActivatedRoute, NavigationEnd, type ParamMap, Router } from '@angular/router';
import { filter } from 'rxjs';
import { ASPECT_RATIOS, type AspectRatio } from '@pixel-prompt/contracts';
import { Shortcuts, withModifier } from '../core/shortcuts';
import { GenerateStore, type Recipe } from './generate-store';
import { ModelPicker } from './model-picker';
import { ParametersPanel } from './parameters-panel';
import { PromptEditor } from './prompt-editor';
import { ResultsPanel } from './results-panel';

/** A number from the address, or undefined when absent or not a number. */
function numberParam(params: ParamMap, name: string): number | undefined {
  const value = params.get(name);
  return value === null || value.trim() === '' || !Number.isFinite(Number(value)) ? undefined : Number(value);
}

/**
 * `/?prompt=...&steps=...&guidance=...&seed=...&negativePrompt=...&aspectRatio=...&models=a,b`: a
 * recipe in the address (the gallery's Re-run); undefined without a prompt.
 */
export function recipeFromQuery(params: ParamMap): Recipe | undefined {
  const prompt = params.get('prompt');
  if (!prompt) return undefined;
  const aspectRatio = params.get('aspectRatio');
  return {
    prompt,
    steps: numberParam(params, 'steps'),
    guidance: numberParam(params, 'guidance'),
    seed: numberParam(params, 'seed'),
    negativePrompt: params.get('negativePrompt') ?? undefined,
    aspectRatio: (ASPECT_RATIOS as readonly string[]).includes(aspectRatio ?? '') ? (aspectRatio as AspectRatio) : undefined,
    models: params.get('models')?.split(',').filter(Boolean),
  };
}

/**
 * The generate experience: prompt bar, models and advanced settings, results, with the page's
 * keyboard shortcuts. The address names the job shown (`/g/:jobId`): a new generation moves there,
 * and opening such an address (a reload, Back, a shared link) shows that job again.
 */
@Component({
  selector: 'pp-generate',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [PromptEditor, ModelPicker, ParametersPanel, ResultsPanel],
  providers: [GenerateStore],
  template: `
    <form class="form" aria-label="Generate images" (submit)="$event.preventDefault(); store.generate()">
      <pp-prompt-editor />
      <div class="options">
        <pp-model-picker />
        <pp-parameters-panel />
      </div>
    </form>
    @if (store.jobProblem(); as problem) {
      <div class="problem" role="alert">
        <p>{{ problem.message }}</p>
        @if (problem.retryable) {
          <button type="button" (click)="reopen()">Try again</button>
        }
      </div>
    }
    <pp-results-panel />
  `,
  styles: `
    .form {
      display: flex;
      flex-direction: column;
      gap: 0.5rem;
    }
    .options {
      display: flex;
      flex-wrap: wrap;
      align-items: flex-start;
      gap: 0.5rem;
    }
    .problem {
      margin-top: var(--space);
    }
  `,
})
export class GeneratePage {
  protected readonly store = inject(GenerateStore);
  private readonly router = inject(Router);

  constructor() {
    const route = inject(ActivatedRoute);
    route.paramMap.pipe(takeUntilDestroyed()).subscribe((params) => {
      const jobId = params.get('jobId');
      if (jobId) this.store.open(jobId);
      else if (this.store.job()) this.store.reset();
    });
    route.queryParamMap.pipe(takeUntilDestroyed()).subscribe((params) => {
      const recipe = recipeFromQuery(params);
      if (recipe && !route.snapshot.paramMap.has('jobId')) this.store.applyRecipe(recipe);
    });
    // A job started here gets its own address, so a reload, Back or a copied link brings it back.
    effect(() => {
      const job = this.store.job();
      const shown = untracked(() => route.snapshot.paramMap.get('jobId'));
      if (job && job.jobId !== shown) void this.router.navigate(['/g', job.jobId]);
    });
    // After each navigation too: the router sets the route's own title as a navigation ends.
    const title = inject(Title);
    const navigated = toSignal(this.router.events.pipe(filter((event) => event instanceof NavigationEnd)));
    effect(() => {
      navigated();
      const prompt = this.store.job()?.prompt;
      title.setTitle(prompt ? `${prompt} · Pixel Prompt` : 'Pixel Prompt');
    });

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

  /** Reads the job in the address again, after a problem that may have passed. */
  protected reopen(): void {
    const jobId = this.store.job()?.jobId;
    if (!jobId) return;
    this.store.reset();
    this.store.open(jobId);
  }
}
