import { GENERATION_LIMITS } from '@pixel-prompt/contracts';
import type { Page } from 'playwright-core';
import {
  allLoaded,
  button,
  changedPrompt,
  errorToast,
  generatedImages,
  generate,
  loadedWidth,
  modelCards,
  promptBox,
  stackInChromium,
} from './browser';
import { FAST_MODELS } from './stack';

describe('prompt tools, shortcuts, sound and error messages (production build in Chromium)', () => {
  const site = stackInChromium();

  /** Opens `path` and waits for the prompt box. */
  async function open(path = '/'): Promise<Page> {
    const page = await site.open(path);
    await promptBox(page).waitFor();
    return page;
  }

  const enhanced = (page: Page) => page.getByRole('region', { name: 'Enhanced prompt', exact: true });

  describe('enhance', () => {
    const original = 'a cat on a windowsill';

    it('Use puts the enhanced prompt into the prompt box', async () => {
      const page = await open();
      await promptBox(page).fill(original);
      await button(page, 'Enhance').click();
      const shown = (
        await enhanced(page)
          .filter({ has: button(page, 'Use') })
          .innerText()
      ).trim();
      await button(enhanced(page), 'Use').click();
      const used = await changedPrompt(page, original);
      expect(used.length).toBeGreaterThan(original.length);
      expect(shown).toContain(used);
    });

    it('Discard leaves the prompt as it was', async () => {
      const page = await open();
      await promptBox(page).fill(original);
      await button(page, 'Enhance').click();
      await button(enhanced(page), 'Discard').click();
      await enhanced(page).waitFor({ state: 'hidden' });
      expect(await promptBox(page).inputValue()).toBe(original);
    });
  });

  describe('keyboard shortcuts', () => {
    it('Ctrl+Enter generates', async () => {
      const prompt = 'a paper boat on a puddle';
      const page = await open();
      await promptBox(page).fill(prompt);
      await promptBox(page).press('Control+Enter');
      expect(await generatedImages(page, FAST_MODELS, prompt)).toEqual(allLoaded(FAST_MODELS));
    });

    it('Ctrl+E enhances', async () => {
      const page = await open();
      await promptBox(page).fill('a fox in the snow');
      await promptBox(page).press('Control+E');
      await button(enhanced(page), 'Use').waitFor();
      expect(await enhanced(page).innerText()).toMatch(/fox/i);
    });

    it('Ctrl+I fills in an idea for a prompt', async () => {
      const page = await open();
      await promptBox(page).fill('');
      await page.keyboard.press('Control+I');
      expect((await changedPrompt(page, '')).trim()).not.toBe('');
    });

    it('G goes to the gallery, but types a "g" while in the prompt box', async () => {
      const page = await open();
      await promptBox(page).press('g');
      expect(await promptBox(page).inputValue()).toBe('g');
      expect(new URL(page.url()).pathname).toBe('/');
      await promptBox(page).blur();
      await page.keyboard.press('g');
      await page.waitForURL((url) => url.pathname === '/gallery');
      expect(await page.getByRole('heading', { name: 'Gallery', exact: true }).isVisible()).toBe(true);
    });

    it('? lists exactly the five shortcuts, and Esc closes the list', async () => {
      const page = await open();
      await page.keyboard.press('?');
      const help = page.getByRole('dialog', { name: 'Keyboard shortcuts', exact: true });
      await help.waitFor();
      // A description list: each shortcut's keys (term) and what they do (definition).
      const keys = await help.getByRole('term').allInnerTexts();
      const descriptions = await help.getByRole('definition').allInnerTexts();
      const entries = keys.map((key, i) => `${key.trim()}: ${descriptions[i]?.trim()}`);
      expect(entries).toHaveLength(5);
      expect(entries).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^Ctrl\S* ?\+ ?Enter: .*generate/i),
          expect.stringMatching(/^Ctrl\S* ?\+ ?E: .*enhance/i),
          expect.stringMatching(/^Ctrl\S* ?\+ ?I: .*inspir/i),
          expect.stringMatching(/^G: .*gallery/i),
          expect.stringMatching(/^\?: .*shortcuts/i),
        ]),
      );
      await page.keyboard.press('Escape');
      await help.waitFor({ state: 'hidden' });
      expect(await help.count()).toBe(0);
    });
  });

  describe('prompt box', () => {
    it('counts the characters against the limit', async () => {
      const page = await open();
      await promptBox(page).fill('a red kite');
      await page
        .getByTestId('prompt-counter')
        .filter({ hasText: `10 / ${GENERATION_LIMITS.promptMaxLength}` })
        .waitFor();
      expect(await page.getByTestId('prompt-counter').innerText()).toBe(
        `10 / ${GENERATION_LIMITS.promptMaxLength}`,
      );
    });

    it('is filled from the prompt query parameter', async () => {
      const page = await open(`/?prompt=${encodeURIComponent('a blue whale & a tiny boat')}`);
      expect(await changedPrompt(page, '')).toBe('a blue whale & a tiny boat');
    });

    it('clears a short prompt at once, and asks before clearing a long one (Keep keeps it)', async () => {
      const page = await open();
      await promptBox(page).fill('a short prompt');
      await button(page, 'Clear').click();
      expect(await changedPrompt(page, 'a short prompt')).toBe('');

      const long = 'a very detailed scene '.repeat(6);
      await promptBox(page).fill(long);
      await button(page, 'Clear').click();
      const ask = page.getByRole('dialog', { name: 'Clear the prompt?', exact: true });
      await button(ask, 'Keep').click();
      await ask.waitFor({ state: 'hidden' });
      const kept = await promptBox(page).inputValue();
      await button(page, 'Clear').click();
      await button(ask, 'Clear').click();
      expect({ kept, cleared: await changedPrompt(page, long) }).toEqual({ kept: long, cleared: '' });
    });

    it('keeps generated prompts in History, and puts one back when chosen', async () => {
      const prompt = 'a lantern in the fog';
      const page = await open();
      await generate(page, prompt);
      await generatedImages(page, FAST_MODELS, prompt);
      await promptBox(page).fill('something else');
      await button(page, 'History').click();
      await button(page, prompt).click();
      expect(await changedPrompt(page, 'something else')).toBe(prompt);
      expect(await page.evaluate(() => localStorage.getItem('pp.history'))).toContain(prompt);
    });
  });

  it('Mute sounds is a toggle button (aria-pressed flips on each click)', async () => {
    const page = await open();
    const mute = button(page, 'Mute sounds');
    const before = await mute.getAttribute('aria-pressed');
    const flipped = before === 'true' ? 'false' : 'true';
    await mute.click();
    await page.locator(`button[aria-pressed="${flipped}"]`).and(mute).waitFor();
    expect({ before, after: await mute.getAttribute('aria-pressed') }).toEqual({
      before: expect.stringMatching(/^(true|false)$/),
      after: flipped,
    });
  });

  describe('error messages', () => {
    it('explains the content policy when the prompt has a refused word', async () => {
      const page = await open();
      // 'gory' is on the gateway's built-in list of refused terms (libs/prompts).
      await generate(page, 'a gory battle scene');
      const toast = errorToast(page, /content policy/i);
      await toast.waitFor();
      // The same prompt would be refused again: no Retry, nothing was generated, and it is the
      // prompt to change, not a fault to report: no reference.
      expect({ retry: await button(toast, 'Retry').count(), cards: await modelCards(page).count(), text: await toast.innerText() }).toEqual({
        retry: 0,
        cards: 0,
        text: expect.not.stringMatching(/Reference/),
      });
      expect(await toast.innerText()).toMatch(/Rephrase it/);
    });

    it('says the service cannot be reached while offline, and Retry generates once back online', async () => {
      const prompt = 'a windmill in a tulip field';
      const page = await open();
      // The connection drops once the page has loaded what it loads by itself (its own code is in
      // since the prompt box shows): the API status and the model list, which the picker then counts.
      await page.getByText('API: ready', { exact: true }).waitFor();
      await page.getByTestId('model-summary').filter({ hasText: 'Models: all 3' }).waitFor();
      await page.context().setOffline(true);
      await generate(page, prompt);
      const toast = errorToast(page, /cannot be reached/i);
      await toast.waitFor();
      expect(await toast.innerText()).not.toMatch(/Reference/);
      await page.context().setOffline(false);
      await button(toast, 'Retry').click();
      expect(await generatedImages(page, FAST_MODELS, prompt)).toEqual(allLoaded(FAST_MODELS));
    });
  });

  describe('a dropped connection', () => {
    it('loads the images that broke while it was gone once it is back', async () => {
      const prompt = 'a ferry crossing a misty bay';
      const page = await open();
      await generate(page, prompt);
      await generatedImages(page, FAST_MODELS, prompt);
      // A reload while the image server is unreachable: every card's image breaks.
      await page.route('**/api/images/**', (route) => route.abort('internetdisconnected'));
      await page.reload();
      const images = FAST_MODELS.map((m) => page.getByRole('img', { name: `${m.displayName}: ${prompt}`, exact: true }));
      const broken = await Promise.all(images.map(loadedWidth));
      // The connection drops and returns, and the images are there again.
      await page.context().setOffline(true);
      await page.unroute('**/api/images/**');
      await page.context().setOffline(false);
      await page.waitForFunction(
        (name) => [...document.querySelectorAll<HTMLImageElement>('img')].filter((img) => img.alt.endsWith(name)).every((img) => img.complete && img.naturalWidth > 0),
        `: ${prompt}`,
      );
      expect({ broken, after: await Promise.all(images.map(loadedWidth)) }).toEqual({
        broken: FAST_MODELS.map(() => 0),
        after: FAST_MODELS.map(() => expect.any(Number)),
      });
    });

    it('says a page could not be loaded while offline, loads it once back, reports nothing, and shows the API offline meanwhile', async () => {
      const page = await open();
      await page.getByText('API: ready', { exact: true }).waitFor();
      const reports: string[] = [];
      page.on('request', (request) => request.url().endsWith('/api/log') && reports.push(request.url()));
      const failures: string[] = [];
      page.on('pageerror', (error) => failures.push(error.message));

      await page.context().setOffline(true);
      await page.getByText('API: offline (no connection)', { exact: true }).waitFor();
      await page.getByRole('link', { name: 'Gallery', exact: true }).click();
      const problem = page.getByRole('alert').filter({ hasText: 'This page could not be loaded' });
      await problem.waitFor();
      const offlineText = await problem.innerText();

      await page.context().setOffline(false);
      await page.getByRole('heading', { name: 'Gallery', exact: true }).waitFor();
      await page.getByText('API: ready', { exact: true }).waitFor();
      expect({ offlineText, problem: await problem.count(), reports, failures, path: new URL(page.url()).pathname }).toEqual({
        offlineText: expect.stringContaining('You are offline'),
        problem: 0,
        reports: [],
        failures: [],
        path: '/gallery',
      });
    });
  });
});
