import { ChangeDetectionStrategy, Component, signal } from '@angular/core';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import { Dialog } from './dialog';

@Component({
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [Dialog],
  template: `
    @if (withOpener()) {
      <button type="button" id="opener" (click)="open.set(true)">Open</button>
    }
    @if (open()) {
      @switch (content()) {
        @case ('static') {
          <div ppDialog aria-label="Test dialog" (closeRequested)="open.set(false)">
            <button type="button" disabled>Disabled</button>
            <span tabindex="-1">Not in the tab order</span>
            <button type="button" id="first">First</button>
            <input id="middle" aria-label="Middle" />
            <a href="/somewhere" id="last">Last</a>
          </div>
        }
        @case ('conditional') {
          <!-- Every control is rendered by a block inside the dialog, after the dialog itself. -->
          <div ppDialog aria-label="Test dialog" (closeRequested)="open.set(false)">
            <p>Pick one.</p>
            @if (open()) {
              @for (choice of choices; track choice) {
                <button type="button" [id]="choice">{{ choice }}</button>
              }
            }
          </div>
        }
        @case ('none') {
          <div ppDialog aria-label="Test dialog" (closeRequested)="open.set(false)">
            <p>Nothing to focus here.</p>
          </div>
        }
      }
    }
  `,
})
class Host {
  readonly open = signal(false);
  readonly content = signal<'static' | 'conditional' | 'none'>('static');
  readonly withOpener = signal(true);
  readonly choices = ['choice-a', 'choice-b', 'choice-c'];
}

describe('Dialog', () => {
  let fixture: ComponentFixture<Host>;
  let host: Host;
  /** Key events that got past the dialog to the page. */
  let reachedPage: string[];
  const recordOnPage = (event: KeyboardEvent): void => void reachedPage.push(event.key);

  function query<T extends Element = HTMLElement>(selector: string): T | null {
    return (fixture.nativeElement as HTMLElement).querySelector<T>(selector);
  }
  function dialog(): HTMLElement | null {
    return query('[role="dialog"]');
  }
  function focusedId(): string | undefined {
    return document.activeElement?.id;
  }
  async function open(content: 'static' | 'conditional' | 'none' = 'static'): Promise<void> {
    host.content.set(content);
    const opener = query<HTMLButtonElement>('#opener');
    opener?.focus();
    opener?.click();
    await fixture.whenStable();
  }
  async function press(key: string, options: KeyboardEventInit = {}): Promise<KeyboardEvent> {
    const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...options });
    (document.activeElement ?? document.body).dispatchEvent(event);
    await fixture.whenStable();
    return event;
  }

  beforeEach(async () => {
    reachedPage = [];
    document.addEventListener('keydown', recordOnPage);
    fixture = TestBed.createComponent(Host);
    host = fixture.componentInstance;
    await fixture.whenStable();
  });

  afterEach(() => {
    document.removeEventListener('keydown', recordOnPage);
  });

  it('marks its element as a modal dialog that can take focus', async () => {
    await open();

    expect(dialog()?.getAttribute('aria-modal')).toBe('true');
    expect(dialog()?.getAttribute('aria-label')).toBe('Test dialog');
    expect(dialog()?.getAttribute('tabindex')).toBe('-1');
  });

  it('moves focus to the first control that can take it', async () => {
    await open();

    expect(focusedId()).toBe('first');
  });

  it('moves focus to the first control when the controls are rendered by @if and @for blocks', async () => {
    await open('conditional');

    expect(focusedId()).toBe('choice-a');
  });

  it('wraps Tab around controls rendered by @if and @for blocks', async () => {
    await open('conditional');

    query('#choice-c')?.focus();
    const forward = await press('Tab');
    expect(forward.defaultPrevented).toBe(true);
    expect(focusedId()).toBe('choice-a');
  });

  it('focuses the dialog itself when it has no controls, and keeps Tab there', async () => {
    await open('none');
    expect(document.activeElement).toBe(dialog());

    const tab = await press('Tab');

    expect(tab.defaultPrevented).toBe(true);
    expect(document.activeElement).toBe(dialog());
  });

  it('wraps Tab from the last control to the first, and Shift+Tab from the first to the last', async () => {
    await open();

    query('#last')?.focus();
    const forward = await press('Tab');
    expect(forward.defaultPrevented).toBe(true);
    expect(focusedId()).toBe('first');

    const backward = await press('Tab', { shiftKey: true });
    expect(backward.defaultPrevented).toBe(true);
    expect(focusedId()).toBe('last');
  });

  it('sends Shift+Tab from the dialog itself to the last control', async () => {
    await open();
    dialog()?.focus();

    await press('Tab', { shiftKey: true });

    expect(focusedId()).toBe('last');
  });

  it('leaves Tab between controls inside the dialog to the browser', async () => {
    await open();

    const forward = await press('Tab');
    query('#middle')?.focus();
    const backward = await press('Tab', { shiftKey: true });

    expect(forward.defaultPrevented).toBe(false);
    expect(backward.defaultPrevented).toBe(false);
  });

  it('asks to close on Escape without letting the key reach the page', async () => {
    await open();

    const escape = await press('Escape');

    expect(escape.defaultPrevented).toBe(true);
    expect(reachedPage).not.toContain('Escape');
    expect(dialog()).toBeNull();
  });

  it('lets other keys through to the page', async () => {
    await open();

    await press('a');

    expect(reachedPage).toEqual(['a']);
    expect(dialog()).not.toBeNull();
  });

  it('gives focus back to the opener when it goes', async () => {
    await open();

    await press('Escape');

    expect(focusedId()).toBe('opener');
  });

  it('does not try to focus an opener that is gone by the time it closes', async () => {
    await open();
    const opener = query<HTMLButtonElement>('#opener');
    const focusOpener = jest.spyOn(opener ?? document.body, 'focus');
    host.withOpener.set(false);
    await fixture.whenStable();
    expect(opener?.isConnected).toBe(false);

    host.open.set(false);
    await fixture.whenStable();

    expect(dialog()).toBeNull();
    expect(focusOpener).not.toHaveBeenCalled();
  });
});
