import { TestBed } from '@angular/core/testing';
import { HISTORY_KEY, HISTORY_LIMIT, PromptHistory } from './prompt-history';

describe('PromptHistory', () => {
  /** The history as a page load finds it, after `stored` was left in localStorage. */
  function load(stored?: string): PromptHistory {
    if (stored !== undefined) localStorage.setItem(HISTORY_KEY, stored);
    TestBed.resetTestingModule();
    return TestBed.inject(PromptHistory);
  }
  function storedPrompts(): unknown {
    return JSON.parse(localStorage.getItem(HISTORY_KEY) ?? 'null');
  }
  const numbered = (count: number, from = 1): string[] => Array.from({ length: count }, (_, i) => `Prompt ${from + i}`);

  beforeEach(() => localStorage.clear());

  afterEach(() => {
    localStorage.clear();
    jest.restoreAllMocks();
  });

  it('starts empty in a new browser', () => {
    expect(load().prompts()).toEqual([]);
  });

  it('puts the newest prompt first and keeps it in this browser', () => {
    const history = load();

    history.add('A red fox');
    history.add('A lighthouse');

    expect(history.prompts()).toEqual(['A lighthouse', 'A red fox']);
    expect(storedPrompts()).toEqual(['A lighthouse', 'A red fox']);
    expect(load().prompts()).toEqual(['A lighthouse', 'A red fox']);
  });

  it('stores prompts without surrounding whitespace and skips blank ones', () => {
    const history = load();

    history.add('  A red fox \n');
    history.add('   ');
    history.add('');

    expect(history.prompts()).toEqual(['A red fox']);
    expect(storedPrompts()).toEqual(['A red fox']);
  });

  it('moves a repeated prompt to the front instead of listing it twice', () => {
    const history = load();
    history.add('A red fox');
    history.add('A lighthouse');
    history.add('A castle');

    history.add(' A red fox ');

    expect(history.prompts()).toEqual(['A red fox', 'A castle', 'A lighthouse']);
  });

  it('treats prompts differing in case as different prompts', () => {
    const history = load();

    history.add('a red fox');
    history.add('A red fox');

    expect(history.prompts()).toEqual(['A red fox', 'a red fox']);
  });

  it(`keeps the last ${HISTORY_LIMIT} prompts, forgetting the oldest`, () => {
    const history = load();

    for (const prompt of numbered(HISTORY_LIMIT + 2)) history.add(prompt);

    const expected = numbered(HISTORY_LIMIT, 3).reverse();
    expect(history.prompts()).toEqual(expected);
    expect(storedPrompts()).toEqual(expected);
  });

  it('restores at most the limit from storage', () => {
    const history = load(JSON.stringify(numbered(HISTORY_LIMIT + 10)));

    expect(history.prompts()).toEqual(numbered(HISTORY_LIMIT));
  });

  it('keeps only the texts from a hand-edited history', () => {
    expect(load(JSON.stringify(['A red fox', 42, null, { prompt: 'x' }, 'A castle'])).prompts()).toEqual(['A red fox', 'A castle']);
  });

  it.each([
    ['broken JSON', '["A red fox"'],
    ['an object', '{"prompts":["A red fox"]}'],
    ['a string', '"A red fox"'],
    ['null', 'null'],
  ])('starts afresh when storage holds %s', (_, stored) => {
    const history = load(stored);
    expect(history.prompts()).toEqual([]);

    history.add('A castle');
    expect(storedPrompts()).toEqual(['A castle']);
  });

  it('keeps working for this page when storage cannot be used', () => {
    jest.spyOn(Storage.prototype, 'getItem').mockImplementation(() => {
      throw new DOMException('Access denied', 'SecurityError');
    });
    jest.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('Quota exceeded', 'QuotaExceededError');
    });
    const history = load();

    history.add('A red fox');

    expect(history.prompts()).toEqual(['A red fox']);
  });
});
