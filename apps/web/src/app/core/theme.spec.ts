import { TestBed } from '@angular/core/testing';
import { THEME_KEY, Theme } from './theme';

describe('Theme', () => {
  const applied = () => document.documentElement.dataset['theme'];

  beforeEach(() => {
    localStorage.clear();
    delete document.documentElement.dataset['theme'];
  });

  it('follows the system until a theme is picked, then moves system → dark → light → system, remembering it', () => {
    const theme = TestBed.inject(Theme);
    expect([theme.choice(), applied()]).toEqual(['system', undefined]);

    theme.next();
    expect([theme.choice(), applied(), localStorage.getItem(THEME_KEY)]).toEqual(['dark', 'dark', 'dark']);
    theme.next();
    expect([theme.choice(), applied(), localStorage.getItem(THEME_KEY)]).toEqual(['light', 'light', 'light']);
    theme.next();
    expect([theme.choice(), applied(), localStorage.getItem(THEME_KEY)]).toEqual(['system', undefined, null]);
  });

  it('starts with the stored choice, and ignores one that is not a theme', () => {
    localStorage.setItem(THEME_KEY, 'light');
    expect(TestBed.inject(Theme).choice()).toBe('light');
    expect(applied()).toBe('light');

    TestBed.resetTestingModule();
    localStorage.setItem(THEME_KEY, 'sepia');
    expect(TestBed.inject(Theme).choice()).toBe('system');
  });
});
