import { ChangeDetectionStrategy, Component, signal } from '@angular/core';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import { lockBodyScroll } from './scroll-lock';

/** A full-screen dialog as the viewer and the compare view are: it locks the page while shown. */
@Component({
  selector: 'pp-locking-dialog',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: '<p>Dialog</p>',
})
class LockingDialog {
  constructor() {
    lockBodyScroll();
  }
}

@Component({
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [LockingDialog],
  template: `
    @if (outer()) {
      <pp-locking-dialog />
      @if (inner()) {
        <pp-locking-dialog />
      }
    }
  `,
})
class Host {
  readonly outer = signal(false);
  readonly inner = signal(false);
}

describe('lockBodyScroll', () => {
  let fixture: ComponentFixture<Host>;
  let host: Host;

  async function set(state: { outer?: boolean; inner?: boolean }): Promise<void> {
    if (state.outer !== undefined) host.outer.set(state.outer);
    if (state.inner !== undefined) host.inner.set(state.inner);
    await fixture.whenStable();
  }

  beforeEach(async () => {
    document.body.style.overflow = '';
    fixture = TestBed.createComponent(Host);
    host = fixture.componentInstance;
    await fixture.whenStable();
  });

  afterEach(() => {
    fixture.destroy();
    document.body.style.overflow = '';
  });

  it('stops the page from scrolling while the dialog is shown, and no longer', async () => {
    await set({ outer: true });
    expect(document.body.style.overflow).toBe('hidden');

    await set({ outer: false });
    expect(document.body.style.overflow).toBe('');
  });

  it('puts back the overflow the page had set itself', async () => {
    document.body.style.overflow = 'scroll';

    await set({ outer: true });
    expect(document.body.style.overflow).toBe('hidden');

    await set({ outer: false });
    expect(document.body.style.overflow).toBe('scroll');
  });

  it('keeps the page locked while a dialog opened on top of another one closes', async () => {
    await set({ outer: true });
    await set({ inner: true });

    await set({ inner: false });
    expect(document.body.style.overflow).toBe('hidden');

    await set({ outer: false });
    expect(document.body.style.overflow).toBe('');
  });

  it('unlocks the page when the app goes away with the dialog open', async () => {
    await set({ outer: true });

    fixture.destroy();

    expect(document.body.style.overflow).toBe('');
  });

  it('has to be called while a component is being created', () => {
    expect(() => lockBodyScroll()).toThrow(/NG0203/);
    expect(document.body.style.overflow).toBe('');
  });
});
