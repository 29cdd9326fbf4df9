import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { ApiProblem } from './api-error';
import { ToastHost } from './toast-host';
import { INFO_TOAST_MS, Toasts } from './toasts';

const BUSY: ApiProblem = { code: 'SERVICE_UNAVAILABLE', message: 'Pixel Prompt is busy.', retryable: true, correlationId: 'abc-123' };
const REJECTED: ApiProblem = { code: 'INAPPROPRIATE_CONTENT', message: 'This prompt was not accepted.', retryable: false };

describe('ToastHost', () => {
  let fixture: ComponentFixture<ToastHost>;
  let toasts: Toasts;

  function region(): HTMLElement | null {
    return (fixture.nativeElement as HTMLElement).querySelector('[role="region"]');
  }
  /** The shown toasts as [role, message, button labels]. */
  function shown(): [string | null, string | undefined, string[]][] {
    return Array.from(region()?.querySelectorAll<HTMLElement>('.toast') ?? []).map((toast) => [
      toast.getAttribute('role'),
      toast.querySelector('.message')?.textContent?.trim(),
      Array.from(toast.querySelectorAll('button')).map((b) => b.getAttribute('aria-label') ?? b.textContent?.trim() ?? ''),
    ]);
  }
  function button(toastIndex: number, label: string): HTMLButtonElement {
    const toast = region()?.querySelectorAll('.toast')[toastIndex];
    const found = Array.from(toast?.querySelectorAll('button') ?? []).find(
      (b) => (b.getAttribute('aria-label') ?? b.textContent?.trim()) === label,
    );
    if (!found) throw new Error(`No button "${label}" on toast ${toastIndex}`);
    return found;
  }
  async function click(element: HTMLElement): Promise<void> {
    element.click();
    await fixture.whenStable();
  }

  beforeEach(async () => {
    toasts = TestBed.inject(Toasts);
    fixture = TestBed.createComponent(ToastHost);
    await fixture.whenStable();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('is an empty, labelled region until something happens', () => {
    expect(region()?.getAttribute('aria-label')).toBe('Notifications');
    expect(shown()).toEqual([]);
  });

  it('announces errors as alerts and information as status, with a dismiss button each', async () => {
    toasts.problem(REJECTED);
    toasts.info('Link copied');
    await fixture.whenStable();

    expect(shown()).toEqual([
      ['alert', 'This prompt was not accepted.', ['Dismiss notification']],
      ['status', 'Link copied', ['Dismiss notification']],
    ]);
  });

  it('offers Retry for retryable problems, which dismisses the toast and calls back once', async () => {
    const retry = jest.fn();
    toasts.problem(BUSY, retry);
    await fixture.whenStable();
    expect(shown()).toEqual([['alert', 'Pixel Prompt is busy. (Reference: abc-123)', ['Retry', 'Dismiss notification']]]);

    await click(button(0, 'Retry'));

    expect(retry).toHaveBeenCalledTimes(1);
    expect(shown()).toEqual([]);
  });

  it('offers no Retry when trying again cannot help', async () => {
    toasts.problem(REJECTED, jest.fn());
    await fixture.whenStable();

    expect(shown()[0][2]).toEqual(['Dismiss notification']);
  });

  it('dismisses a toast without retrying', async () => {
    const retry = jest.fn();
    toasts.problem(BUSY, retry);
    toasts.info('Link copied');
    await fixture.whenStable();

    await click(button(0, 'Dismiss notification'));

    expect(retry).not.toHaveBeenCalled();
    expect(shown()).toEqual([['status', 'Link copied', ['Dismiss notification']]]);
  });

  it('takes an info toast away by itself after a few seconds', () => {
    jest.useFakeTimers();
    toasts.info('Link copied');
    TestBed.tick();
    expect(shown()).toHaveLength(1);

    jest.advanceTimersByTime(INFO_TOAST_MS);
    TestBed.tick();

    expect(shown()).toEqual([]);
  });
});
