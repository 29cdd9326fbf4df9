import { ChangeDetectionStrategy, Component, signal } from '@angular/core';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import { getButton, getByRole } from '../../testing/dom';
import { type Shortcut, Shortcuts, plainKey, withModifier } from './shortcuts';
import { ShortcutsHelp } from './shortcuts-help';

@Component({
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ShortcutsHelp],
  template: `
    <button type="button" id="opener" (click)="open.set(true)">Shortcuts</button>
    @if (open()) {
      <pp-shortcuts-help (closed)="open.set(false)" />
    }
  `,
})
class Host {
  readonly open = signal(false);
}

function shortcut(keys: string, description: string, matches: Shortcut['matches']): Shortcut {
  return { keys, description, matches, whileTyping: false, run: () => undefined };
}

describe('ShortcutsHelp', () => {
  let fixture: ComponentFixture<Host>;
  let shortcuts: Shortcuts;
  let removers: (() => void)[];

  function query<T extends Element = HTMLElement>(selector: string): T | null {
    return (fixture.nativeElement as HTMLElement).querySelector<T>(selector);
  }
  function dialog(): HTMLElement | null {
    return query('[role="dialog"]');
  }
  /** The rows of the dialog as [keys, description]. */
  function listed(): [string | undefined, string | undefined][] {
    return Array.from(dialog()?.querySelectorAll('.row') ?? []).map((row) => [
      row.querySelector('dt kbd')?.textContent?.trim(),
      row.querySelector('dd')?.textContent?.trim(),
    ]);
  }
  function register(...list: Shortcut[]): void {
    removers.push(...list.map((s) => shortcuts.register(s)));
  }
  async function open(): Promise<void> {
    const opener = query<HTMLButtonElement>('#opener');
    opener?.focus();
    opener?.click();
    await fixture.whenStable();
  }

  beforeEach(async () => {
    removers = [];
    shortcuts = TestBed.inject(Shortcuts);
    fixture = TestBed.createComponent(Host);
    await fixture.whenStable();
  });

  afterEach(() => {
    removers.forEach((remove) => remove());
  });

  it('is a labelled modal dialog with focus inside', async () => {
    await open();

    expect(dialog()?.getAttribute('aria-label')).toBe('Keyboard shortcuts');
    expect(dialog()?.getAttribute('aria-modal')).toBe('true');
    expect(dialog()?.querySelector('h2')?.textContent).toBe('Keyboard shortcuts');
    expect(dialog()?.contains(document.activeElement)).toBe(true);
  });

  it('lists exactly the registered shortcuts, in order', async () => {
    register(
      shortcut('?', 'Show the keyboard shortcuts', plainKey('?')),
      shortcut('Ctrl/⌘ + Enter', 'Generate images', withModifier('Enter')),
      shortcut('G', 'Go to the gallery', plainKey('g')),
    );

    await open();

    expect(listed()).toEqual([
      ['?', 'Show the keyboard shortcuts'],
      ['Ctrl/⌘ + Enter', 'Generate images'],
      ['G', 'Go to the gallery'],
    ]);
  });

  it('lists nothing when nothing is registered', async () => {
    await open();

    expect(listed()).toEqual([]);
  });

  it('follows the registry while open', async () => {
    register(shortcut('G', 'Go to the gallery', plainKey('g')));
    await open();

    const removeEnhance = shortcuts.register(shortcut('Ctrl/⌘ + E', 'Enhance the prompt', withModifier('e')));
    removers.push(removeEnhance);
    await fixture.whenStable();
    expect(listed()).toEqual([
      ['G', 'Go to the gallery'],
      ['Ctrl/⌘ + E', 'Enhance the prompt'],
    ]);

    removeEnhance();
    await fixture.whenStable();
    expect(listed()).toEqual([['G', 'Go to the gallery']]);
  });

  it('closes with the Close button and gives focus back to the opener', async () => {
    await open();

    getButton(getByRole(fixture.nativeElement as HTMLElement, 'dialog'), 'Close').click();
    await fixture.whenStable();

    expect(dialog()).toBeNull();
    expect(document.activeElement?.id).toBe('opener');
  });

  it('closes on Escape and gives focus back to the opener', async () => {
    await open();

    document.activeElement?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));
    await fixture.whenStable();

    expect(dialog()).toBeNull();
    expect(document.activeElement?.id).toBe('opener');
  });
});
