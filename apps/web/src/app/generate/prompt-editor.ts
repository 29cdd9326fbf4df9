import { ChangeDetectionStrategy, Component, ElementRef, Injector, afterNextRender, inject, signal, viewChild } from '@angular/core';
import { GENERATION_LIMITS } from '@pixel-prompt/contracts';
import { whenRetryable } from '../core/api-error';
import { Dialog } from '../core/dialog';
import { GenerateStore } from './generate-store';
import { PromptHistory } from './prompt-history';
import { Quota } from './quota';

/** Prompts longer than this are asked about before Clear throws them away. */
export const CONFIRM_CLEAR_OVER = 100;

/**
 * The prompt bar: the prompt box and Generate, then Enhance / Inspire / History / Clear, the
 * generations left and the counter; the history and the enhanced suggestion open below it.
 */
@Component({
  selector: 'pp-prompt-editor',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [Dialog],
  templateUrl: './prompt-editor.html',
  styleUrl: './prompt-editor.css',
})
export class PromptEditor {
  protected readonly store = inject(GenerateStore);
  protected readonly history = inject(PromptHistory);
  private readonly injector = inject(Injector);
  private readonly promptBox = viewChild.required<ElementRef<HTMLTextAreaElement>>('promptBox');
  protected readonly maxLength = GENERATION_LIMITS.promptMaxLength;
  protected readonly historyOpen = signal(false);
  protected readonly confirmingClear = signal(false);
  protected readonly quota = inject(Quota).state;
  protected readonly when = whenRetryable;

  protected onInput(event: Event): void {
    this.store.prompt.set((event.target as HTMLTextAreaElement).value);
  }

  protected clear(): void {
    if (this.store.prompt().length > CONFIRM_CLEAR_OVER) this.confirmingClear.set(true);
    else this.store.clear();
  }

  protected confirmClear(): void {
    this.confirmingClear.set(false);
    this.store.clear();
    // The Clear button that opened the dialog is disabled now the prompt is empty: the prompt box
    // takes the focus, ready for the next prompt.
    afterNextRender({ write: () => this.promptBox().nativeElement.focus() }, { injector: this.injector });
  }

  protected reuse(prompt: string): void {
    this.store.prompt.set(prompt);
    this.historyOpen.set(false);
  }
}
