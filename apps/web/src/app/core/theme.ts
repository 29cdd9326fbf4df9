import { DOCUMENT, Injectable, inject, signal } from '@angular/core';

/** localStorage key of the theme switch: "dark" or "light"; absent follows the system. */
export const THEME_KEY = 'pp.theme';

export type ThemeChoice = 'system' | 'dark' | 'light';

/** What the switch moves to next: system → dark → light → system. */
const NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'dark', dark: 'light', light: 'system' };

function stored(): ThemeChoice {
  try {
    const value = localStorage.getItem(THEME_KEY);
    return value === 'dark' || value === 'light' ? value : 'system';
  } catch {
    // Unreadable storage counts as no choice made.
    return 'system';
  }
}

/**
 * The colour theme: the system's preference until the user picks dark or light. It is applied as
 * `data-theme` on <html>, which sets the color-scheme the colours follow (styles.css); index.html
 * applies a stored choice before the first paint, so a reload never flashes the other theme.
 */
@Injectable({ providedIn: 'root' })
export class Theme {
  private readonly root = inject(DOCUMENT).documentElement;
  private readonly current = signal<ThemeChoice>(stored());
  readonly choice = this.current.asReadonly();

  constructor() {
    this.apply(this.current());
  }

  /** Moves the switch on: system → dark → light → system. */
  next(): void {
    const choice = NEXT[this.current()];
    this.current.set(choice);
    this.apply(choice);
    try {
      if (choice === 'system') localStorage.removeItem(THEME_KEY);
      else localStorage.setItem(THEME_KEY, choice);
    } catch {
      // Full or disabled storage: the choice lasts for this page only.
    }
  }

  private apply(choice: ThemeChoice): void {
    if (choice === 'system') delete this.root.dataset['theme'];
    else this.root.dataset['theme'] = choice;
  }
}
