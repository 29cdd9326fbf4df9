import { DOCUMENT, Injectable, inject, signal } from '@angular/core';

export interface Shortcut {
  /** How the keys are shown in the help dialog: "Ctrl/⌘ + Enter". */
  keys: string;
  description: string;
  matches: (event: KeyboardEvent) => boolean;
  /** Whether it also works while typing in a text field (only combinations with Ctrl/⌘ do). */
  whileTyping: boolean;
  run: () => void;
}

/** Ctrl on Windows and Linux, ⌘ on macOS, plus `key` and nothing else. */
export function withModifier(key: string): (event: KeyboardEvent) => boolean {
  return (event) => (event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === key.toLowerCase();
}

/** A plain key, as typed (so "?" works whichever keyboard layout puts it under Shift). */
export function plainKey(key: string): (event: KeyboardEvent) => boolean {
  return (event) => !event.ctrlKey && !event.metaKey && !event.altKey && event.key.toLowerCase() === key.toLowerCase();
}

function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'range', 'submit', 'reset'].includes(target.type);
}

/**
 * The one place keyboard shortcuts live: pages register theirs while they are shown, and the help
 * dialog lists exactly what is registered, so the two can never disagree.
 */
@Injectable({ providedIn: 'root' })
export class Shortcuts {
  private readonly list = signal<Shortcut[]>([]);
  readonly registered = this.list.asReadonly();

  constructor() {
    inject(DOCUMENT).addEventListener('keydown', (event) => this.handle(event));
  }

  /** Adds a shortcut; returns the function that removes it again. */
  register(shortcut: Shortcut): () => void {
    this.list.update((list) => [...list, shortcut]);
    return () => this.list.update((list) => list.filter((s) => s !== shortcut));
  }

  private handle(event: KeyboardEvent): void {
    if (event.defaultPrevented || event.repeat) return;
    const typing = isTextField(event.target);
    const shortcut = this.list().find((s) => s.matches(event) && (s.whileTyping || !typing));
    if (!shortcut) return;
    // Also stops the browser's own meaning of the keys (Ctrl+E focuses the address bar, Ctrl+I opens page info).
    event.preventDefault();
    shortcut.run();
  }
}
