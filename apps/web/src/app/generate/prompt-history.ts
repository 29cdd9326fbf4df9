import { Injectable, signal } from '@angular/core';

/** localStorage key of the prompt history: a JSON array of strings, newest first. */
export const HISTORY_KEY = 'pp.history';
export const HISTORY_LIMIT = 50;

function read(): string[] {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string').slice(0, HISTORY_LIMIT) : [];
  } catch {
    // Unreadable or hand-edited storage: start a fresh history rather than fail the page.
    return [];
  }
}

/** The last prompts generated, newest first and without repeats, kept in this browser. */
@Injectable({ providedIn: 'root' })
export class PromptHistory {
  private readonly list = signal<string[]>(read());
  readonly prompts = this.list.asReadonly();

  add(prompt: string): void {
    const trimmed = prompt.trim();
    if (!trimmed) return;
    this.list.update((list) => [trimmed, ...list.filter((item) => item !== trimmed)].slice(0, HISTORY_LIMIT));
    try {
      localStorage.setItem(HISTORY_KEY, JSON.stringify(this.list()));
    } catch {
      // Full or disabled storage: the history still works until the page is closed.
    }
  }
}
