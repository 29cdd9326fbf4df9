/**
 * Finds elements the way a user (or a screen reader) does: buttons by their text, controls by their
 * label, regions and dialogs by their accessible name. The getters fail the test with a clear
 * message when nothing matches; the queries return undefined.
 */

/** Text as a user reads it: whitespace collapsed and trimmed. */
export function textOf(element: Element | null | undefined): string {
  return element?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
}

export function queryButton(root: ParentNode, name: string): HTMLButtonElement | undefined {
  return Array.from(root.querySelectorAll('button')).find((button) => textOf(button) === name);
}

export function getButton(root: ParentNode, name: string): HTMLButtonElement {
  const found = queryButton(root, name);
  if (!found) {
    const names = Array.from(root.querySelectorAll('button')).map((button) => `"${textOf(button)}"`);
    throw new Error(`No button "${name}"; buttons: ${names.join(', ') || 'none'}`);
  }
  return found;
}

/** The control a `<label>` with this text names, or the element with this aria-label. */
export function getByLabel<T extends HTMLElement = HTMLInputElement>(root: ParentNode, name: string): T {
  const label = Array.from(root.querySelectorAll('label')).find((candidate) => textOf(candidate) === name);
  const control = label?.htmlFor ? label.ownerDocument.getElementById(label.htmlFor) : label?.querySelector('input, textarea, select');
  const found = control ?? root.querySelector(`[aria-label="${name}"]`);
  if (!found) throw new Error(`Nothing labelled "${name}"`);
  return found as T;
}

/** The element with `role` (explicit, or a landmark element of that kind) named `name` by aria-label. */
export function queryByRole(root: ParentNode, role: 'dialog' | 'region' | 'list' | 'status', name?: string): HTMLElement | undefined {
  const selector = { dialog: '[role="dialog"]', region: 'section[aria-label], [role="region"]', list: 'ul, ol, [role="list"]', status: '[role="status"]' }[role];
  return Array.from(root.querySelectorAll<HTMLElement>(selector)).find(
    (element) => name === undefined || element.getAttribute('aria-label') === name,
  );
}

export function getByRole(root: ParentNode, role: 'dialog' | 'region' | 'list' | 'status', name?: string): HTMLElement {
  const found = queryByRole(root, role, name);
  if (!found) throw new Error(`No ${role}${name === undefined ? '' : ` named "${name}"`}`);
  return found;
}

/** What a screen reader reads as the control's description: the elements aria-describedby names. */
export function descriptionOf(element: Element): string {
  const ids = element.getAttribute('aria-describedby')?.split(/\s+/).filter(Boolean) ?? [];
  return ids
    .map((id) => textOf(element.ownerDocument.getElementById(id)))
    .filter(Boolean)
    .join(' ');
}

/** Opens (or closes) a <details> as a click on its summary would: `open`, then the toggle event jsdom does not send. */
export function toggleDetails(details: Element | null, open = true): void {
  if (!(details instanceof HTMLDetailsElement)) throw new Error('No <details> to open');
  details.open = open;
  details.dispatchEvent(new Event('toggle'));
}

/** Types into a text field or number input the way the browser reports it: new value, then an input event. */
export function typeInto(field: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  field.value = value;
  field.dispatchEvent(new Event('input', { bubbles: true }));
}

/**
 * Resolves once `element`'s text contains `text`. For work whenStable() does not wait for (the
 * downloads run outside Angular's pending tasks): the test waits for what the page shows when it is
 * done, re-checking on every change to the element, never on a timer.
 */
export function whenTextContains(element: Element, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (textOf(element).includes(text)) return resolve();
    const observer = new MutationObserver(() => {
      if (!textOf(element).includes(text)) return;
      observer.disconnect();
      resolve();
    });
    observer.observe(element, { subtree: true, childList: true, characterData: true });
  });
}
