import { preconnect } from './preconnect';

describe('preconnect', () => {
  let page: Document;

  /** The preconnect hints in the page's head, as href values. */
  function hints(): (string | null)[] {
    return Array.from(page.head.querySelectorAll('link[rel="preconnect"]')).map((link) => link.getAttribute('href'));
  }

  beforeEach(() => {
    page = document.implementation.createHTMLDocument('Pixel Prompt');
  });

  it('asks the browser to connect to the image CDN early, without credentials', () => {
    preconnect(page, 'https://cdn.example.com');

    expect(hints()).toEqual(['https://cdn.example.com']);
    expect(page.head.querySelector('link[rel="preconnect"]')?.hasAttribute('crossorigin')).toBe(false);
  });

  it('adds the hint only once per origin, also when the page already has it', () => {
    const existing = page.createElement('link');
    existing.rel = 'preconnect';
    existing.href = 'https://images.example.org';
    page.head.append(existing);

    preconnect(page, 'https://cdn.example.com');
    preconnect(page, 'https://cdn.example.com');
    preconnect(page, 'https://images.example.org');

    expect(hints()).toEqual(['https://images.example.org', 'https://cdn.example.com']);
  });

  it.each([undefined, ''])('does nothing without a CDN origin (%p): images come from the API itself', (origin) => {
    preconnect(page, origin);

    expect(page.head.querySelectorAll('link')).toHaveLength(0);
  });
});
