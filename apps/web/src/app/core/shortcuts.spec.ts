import { TestBed } from '@angular/core/testing';
import { type Shortcut, Shortcuts, plainKey, withModifier } from './shortcuts';

function keydown(key: string, options: KeyboardEventInit = {}): KeyboardEvent {
  return new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...options });
}

describe('withModifier', () => {
  const ctrlE = withModifier('e');

  it('matches the key with Ctrl (Windows, Linux) or ⌘ (macOS), whatever its case', () => {
    expect(ctrlE(keydown('e', { ctrlKey: true }))).toBe(true);
    expect(ctrlE(keydown('e', { metaKey: true }))).toBe(true);
    expect(ctrlE(keydown('E', { ctrlKey: true, shiftKey: true }))).toBe(true);
    expect(withModifier('Enter')(keydown('Enter', { metaKey: true }))).toBe(true);
  });

  it('does not match the bare key, another key or Alt combinations', () => {
    expect(ctrlE(keydown('e'))).toBe(false);
    expect(ctrlE(keydown('i', { ctrlKey: true }))).toBe(false);
    // AltGr arrives as Ctrl+Alt on Windows: "€" and friends must stay typeable.
    expect(ctrlE(keydown('e', { ctrlKey: true, altKey: true }))).toBe(false);
  });
});

describe('plainKey', () => {
  it('matches the key as typed, Shift included', () => {
    expect(plainKey('g')(keydown('g'))).toBe(true);
    expect(plainKey('g')(keydown('G', { shiftKey: true }))).toBe(true);
    expect(plainKey('?')(keydown('?', { shiftKey: true }))).toBe(true);
  });

  it('does not match with Ctrl, ⌘ or Alt held, or another key', () => {
    expect(plainKey('g')(keydown('g', { ctrlKey: true }))).toBe(false);
    expect(plainKey('g')(keydown('g', { metaKey: true }))).toBe(false);
    expect(plainKey('g')(keydown('g', { altKey: true }))).toBe(false);
    expect(plainKey('g')(keydown('h'))).toBe(false);
  });
});

describe('Shortcuts', () => {
  let shortcuts: Shortcuts;
  let runs: string[];
  let removers: (() => void)[];
  let placed: HTMLElement[];

  /** Registers a shortcut that records its runs; removed again after the test. */
  function register(keys: string, matches: Shortcut['matches'], whileTyping: boolean): () => void {
    const remove = shortcuts.register({ keys, description: `Does ${keys}`, matches, whileTyping, run: () => runs.push(keys) });
    removers.push(remove);
    return remove;
  }

  /** Presses a key with focus in `target`, as the browser would deliver it. */
  function press(target: Element, key: string, options: KeyboardEventInit = {}): KeyboardEvent {
    const event = keydown(key, options);
    target.dispatchEvent(event);
    return event;
  }

  /** Puts a form control (or any element) on the page for the test. */
  function place<T extends HTMLElement>(element: T): T {
    placed.push(element);
    document.body.append(element);
    return element;
  }

  beforeEach(() => {
    runs = [];
    removers = [];
    placed = [];
    shortcuts = TestBed.inject(Shortcuts);
  });

  afterEach(() => {
    // The registry listens on the document for the app's lifetime; leave nothing registered behind.
    removers.forEach((remove) => remove());
    placed.forEach((element) => element.remove());
  });

  it('lists the registered shortcuts in the order they were added', () => {
    register('G', plainKey('g'), false);
    register('Ctrl/⌘ + E', withModifier('e'), true);

    expect(shortcuts.registered().map((s) => [s.keys, s.description, s.whileTyping])).toEqual([
      ['G', 'Does G', false],
      ['Ctrl/⌘ + E', 'Does Ctrl/⌘ + E', true],
    ]);
  });

  it('runs the matching shortcut once and stops the browser’s own meaning of the keys', () => {
    register('G', plainKey('g'), false);
    register('Ctrl/⌘ + E', withModifier('e'), true);

    const event = press(document.body, 'e', { ctrlKey: true });

    expect(runs).toEqual(['Ctrl/⌘ + E']);
    expect(event.defaultPrevented).toBe(true);
  });

  it('leaves keys without a shortcut alone', () => {
    register('G', plainKey('g'), false);

    const event = press(document.body, 'x');

    expect(runs).toEqual([]);
    expect(event.defaultPrevented).toBe(false);
  });

  it('stops running a shortcut once it is removed, keeping the others', () => {
    const removeG = register('G', plainKey('g'), false);
    register('?', plainKey('?'), false);

    removeG();
    press(document.body, 'g');
    press(document.body, '?');

    expect(shortcuts.registered().map((s) => s.keys)).toEqual(['?']);
    expect(runs).toEqual(['?']);
  });

  it('ignores key repeats from a held key and keys a component already handled', () => {
    register('G', plainKey('g'), false);
    const handled = place(document.createElement('div'));
    handled.addEventListener('keydown', (event) => event.preventDefault());

    press(document.body, 'g', { repeat: true });
    press(handled, 'g');

    expect(runs).toEqual([]);
  });

  describe('while typing', () => {
    beforeEach(() => {
      register('G', plainKey('g'), false);
      register('Ctrl/⌘ + Enter', withModifier('Enter'), true);
    });

    it.each([
      ['a text input', () => document.createElement('input')],
      ['a search input', () => Object.assign(document.createElement('input'), { type: 'search' })],
      ['a textarea', () => document.createElement('textarea')],
      ['a select', () => document.createElement('select')],
      [
        'a contenteditable element',
        () => {
          const editor = document.createElement('div');
          editor.contentEditable = 'true';
          // jsdom does not compute isContentEditable; a browser would report true here.
          Object.defineProperty(editor, 'isContentEditable', { value: true });
          return editor;
        },
      ],
    ])('lets plain keys through to %s, but still runs Ctrl/⌘ shortcuts', (_, create) => {
      const target = place(create());

      const typed = press(target, 'g');
      press(target, 'Enter', { ctrlKey: true });

      expect(typed.defaultPrevented).toBe(false);
      expect(runs).toEqual(['Ctrl/⌘ + Enter']);
    });

    it.each(['checkbox', 'radio', 'button', 'range', 'submit', 'reset'])('runs plain-key shortcuts on a %s input', (type) => {
      const target = place(Object.assign(document.createElement('input'), { type }));

      press(target, 'g');

      expect(runs).toEqual(['G']);
    });

    it('runs plain-key shortcuts on buttons', () => {
      const target = place(document.createElement('button'));

      press(target, 'g');

      expect(runs).toEqual(['G']);
    });
  });
});
