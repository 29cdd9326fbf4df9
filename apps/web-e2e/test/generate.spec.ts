import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GALLERY_PAGE_LIMITS } from '@pixel-prompt/contracts';
import { unzipSync } from 'fflate';
import {
  MOBILE,
  accessibilityViolations,
  allLoaded,
  button,
  changedPrompt,
  generate,
  generatedImages,
  loadedWidth,
  modelCard,
  promptBox,
  scrollWidth,
  stackInChromium,
} from './browser';
import { FAST_MODELS, ROOT } from './stack';

/**
 * Committed: the picture of the main page in the README. Rewritten only when asked
 * (`PP_UPDATE_SCREENSHOT=1 npx nx test web-e2e`): its bytes differ from run to run, and a test run
 * must leave the working tree as it found it.
 */
const SCREENSHOT = join(ROOT, 'docs/images/generate.png');

describe('generate, gallery and viewer (production build in Chromium)', () => {
  const { stack, open } = stackInChromium();

  it('renders every model, lists the job first in the gallery, and shows its images in the viewer', async () => {
    const prompt = 'a lighthouse on a rocky coast at sunset';
    const page = await open();
    // A fixed seed: the same images every run, so the committed screenshot only changes with the page.
    await page.getByRole('spinbutton', { name: 'Seed', exact: true }).fill('7');
    await generate(page, prompt);
    expect(await generatedImages(page, FAST_MODELS, prompt)).toEqual(allLoaded(FAST_MODELS));
    // The whole page, at desktop width: the form above and every result below.
    if (process.env['PP_UPDATE_SCREENSHOT']) await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await page.getByRole('link', { name: 'Gallery', exact: true }).click();
    await page.getByRole('heading', { name: 'Gallery', exact: true }).waitFor();
    const newest = page.getByTestId('gallery-item').first();
    await newest.filter({ hasText: prompt }).waitFor();
    await newest.click();

    await page.waitForURL(/\/gallery\/[^/]+$/);
    await page.getByRole('heading', { name: prompt, exact: true }).waitFor();
    const images = page.getByRole('main').getByRole('img');
    await images.nth(FAST_MODELS.length - 1).waitFor();
    expect(await images.count()).toBe(FAST_MODELS.length);
    for (let i = 0; i < FAST_MODELS.length; i++) expect(await loadedWidth(images.nth(i))).toBeGreaterThan(0);

    await images.first().click();
    const viewer = page.getByRole('dialog', { name: 'Image viewer', exact: true });
    const position = viewer.getByTestId('viewer-position');
    await position.filter({ hasText: `1 / ${FAST_MODELS.length}` }).waitFor();
    await page.keyboard.press('ArrowRight');
    await position.filter({ hasText: `2 / ${FAST_MODELS.length}` }).waitFor();
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'hidden' });
    // Focus goes back to what opened the viewer: the control around the first image (or the image itself).
    expect(
      await images.first().evaluate((img) => document.activeElement === (img.closest('button, a') ?? img)),
    ).toBe(true);
  });

  it('lists a new generation first even when the gallery was open moments before', async () => {
    const prompt = 'a snowman in a sunny garden';
    const page = await open('/gallery');
    await page.getByRole('heading', { name: 'Gallery', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Generate', exact: true }).click();
    await generate(page, prompt);
    await generatedImages(page, FAST_MODELS, prompt);
    await page.getByRole('link', { name: 'Gallery', exact: true }).click();
    const newest = page.getByTestId('gallery-item').first();
    await newest.filter({ hasText: prompt }).waitFor();
    expect(await newest.innerText()).toContain(prompt);
  });

  it('receives the app Brotli-compressed and cacheable for a year', async () => {
    const page = await open('/');
    const [script] = await Promise.all([
      page.waitForResponse((response) => /\/main-[A-Z0-9]+\.js$/.test(response.url())),
      page.reload(),
    ]);

    expect(await script.headerValue('content-encoding')).toBe('br');
    expect(await script.headerValue('cache-control')).toBe('public, max-age=31536000, immutable');
    // Decoded, the script is far bigger than the bytes that travelled.
    expect((await script.body()).length).toBeGreaterThan(2 * Number(await script.headerValue('content-length')));
  });

  it('fits a 360 px wide phone without sideways scrolling, before and after generating', async () => {
    const prompt = 'a red bicycle leaning on a wall';
    const page = await open('/', MOBILE);
    await promptBox(page).waitFor();
    expect(await scrollWidth(page)).toBeLessThanOrEqual(MOBILE.width);
    await generate(page, prompt);
    expect(await generatedImages(page, FAST_MODELS, prompt)).toEqual(allLoaded(FAST_MODELS));
    expect(await scrollWidth(page)).toBeLessThanOrEqual(MOBILE.width);
  });

  it('has no accessibility violations on the results, the viewer, the compare view, the gallery, a gallery entry and the help', async () => {
    const prompt = 'a quiet harbour with fishing boats';
    const page = await open();
    const found: Record<string, string[]> = {};

    await generate(page, prompt);
    await generatedImages(page, FAST_MODELS, prompt);
    found['generate page with results'] = await accessibilityViolations(page);

    await modelCard(page, FAST_MODELS[0]).getByRole('img').click();
    const viewer = page.getByRole('dialog', { name: 'Image viewer', exact: true });
    await viewer.waitFor();
    found['image viewer'] = await accessibilityViolations(page);
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'hidden' });

    for (const model of FAST_MODELS.slice(0, 2))
      await page.getByRole('checkbox', { name: `Compare ${model.displayName}`, exact: true }).check();
    await button(page, 'Compare selected').click();
    const compare = page.getByRole('dialog', { name: 'Compare images', exact: true });
    await compare.waitFor();
    found['compare view'] = await accessibilityViolations(page);
    await page.keyboard.press('Escape');
    await compare.waitFor({ state: 'hidden' });

    await page.getByRole('link', { name: 'Gallery', exact: true }).click();
    await page.getByTestId('gallery-item').filter({ hasText: prompt }).waitFor();
    found['gallery list'] = await accessibilityViolations(page);

    await page.getByTestId('gallery-item').filter({ hasText: prompt }).click();
    await page.getByRole('heading', { name: prompt, exact: true }).waitFor();
    await loadedWidth(page.getByRole('main').getByRole('img').first());
    found['gallery entry'] = await accessibilityViolations(page);

    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts', exact: true }).waitFor();
    found['help dialog'] = await accessibilityViolations(page);

    expect(found).toEqual({
      'generate page with results': [],
      'image viewer': [],
      'compare view': [],
      'gallery list': [],
      'gallery entry': [],
      'help dialog': [],
    });
  });

  it('compares two ticked results side by side and with a slider', async () => {
    const prompt = 'two cats on a sofa';
    const page = await open();
    await generate(page, prompt);
    await generatedImages(page, FAST_MODELS, prompt);
    const [left, right] = FAST_MODELS;
    await page.getByRole('checkbox', { name: `Compare ${left.displayName}`, exact: true }).check();
    await page.getByRole('checkbox', { name: `Compare ${right.displayName}`, exact: true }).check();
    await button(page, 'Compare selected').click();

    const compare = page.getByRole('dialog', { name: 'Compare images', exact: true });
    await compare.waitFor();
    const shown = async () => {
      const images = compare.getByRole('img');
      const widths = await Promise.all((await images.all()).map(loadedWidth));
      const visible = await Promise.all((await images.all()).map((image) => image.isVisible()));
      return { count: widths.length, loaded: widths.every((w) => w > 0), visible: visible.every(Boolean) };
    };
    const sideBySide = await shown();
    await button(compare, 'Slider').click();
    await button(compare, 'Side by side').waitFor();
    const slider = await shown();
    await button(compare, 'Close').click();
    await compare.waitFor({ state: 'hidden' });
    expect({ sideBySide, slider }).toEqual({
      sideBySide: { count: 2, loaded: true, visible: true },
      slider: { count: 2, loaded: true, visible: true },
    });
  });

  it('downloads every image of the results as one zip', async () => {
    const prompt = 'a bowl of ripe oranges';
    const page = await open();
    await generate(page, prompt);
    await generatedImages(page, FAST_MODELS, prompt);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      button(page, 'Download all').click(),
    ]);
    const files = unzipSync(readFileSync(await download.path()));
    const pngs = Object.entries(files).filter(([name]) => name.endsWith('.png'));
    expect(download.suggestedFilename()).toMatch(/\.zip$/);
    expect(pngs).toHaveLength(FAST_MODELS.length);
    // Every entry is a real PNG: it starts with the PNG signature.
    for (const [, bytes] of pngs)
      expect(Buffer.from(bytes.subarray(0, 8)).toString('hex')).toBe('89504e470d0a1a0a');
  });

  it("re-runs a gallery entry's prompt on the generate page", async () => {
    const prompt = 'a hot air balloon over a valley';
    const page = await open();
    await generate(page, prompt);
    await generatedImages(page, FAST_MODELS, prompt);
    await page.getByRole('link', { name: 'Gallery', exact: true }).click();
    await page.getByTestId('gallery-item').filter({ hasText: prompt }).click();
    await page
      .getByRole('link', { name: 'Re-run this prompt', exact: true })
      .or(button(page, 'Re-run this prompt'))
      .click();
    await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('prompt') === prompt);
    expect(await changedPrompt(page, '')).toBe(prompt);
  });

  it('loads the next page of the gallery when scrolled to the end', async () => {
    // One page and a bit more, submitted through the public API (one quick model each), one after
    // the other: each job's event stream ends once the job has ended.
    const prompts = Array.from(
      { length: GALLERY_PAGE_LIMITS.default + 1 },
      (_, i) => `gallery page filler ${i + 1}`,
    );
    for (const prompt of prompts) {
      const answer = await fetch(`${stack().url}/api/generate`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ prompt, models: [FAST_MODELS[0].id] }),
      });
      const { eventsUrl } = (await answer.json()) as { eventsUrl: string };
      expect(
        (await (await fetch(`${stack().url}/api${eventsUrl}`)).text()).match(/^event: completed$/m),
      ).not.toBeNull();
    }
    // The worker writes a gallery just after its job ends: poll the list until every one is there.
    const listed = async () =>
      ((await (await fetch(`${stack().url}/api/gallery/list?limit=100`)).json()) as { galleries: { prompt: string }[] })
        .galleries;
    const deadline = Date.now() + 15_000;
    let galleries = await listed();
    while (!prompts.every((prompt) => galleries.some((gallery) => gallery.prompt === prompt))) {
      if (Date.now() > deadline) throw new Error('the galleries of the submitted jobs were not all written within 15 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
      galleries = await listed();
    }
    const total = galleries.length;

    const page = await open('/gallery');
    const items = page.getByTestId('gallery-item');
    await items.nth(GALLERY_PAGE_LIMITS.default - 1).waitFor();
    const firstPage = await items.count();
    await items.last().scrollIntoViewIfNeeded();
    await items.nth(GALLERY_PAGE_LIMITS.default).waitFor();
    await items.last().scrollIntoViewIfNeeded();
    await items.nth(total - 1).waitFor();
    const links = await items.evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
    expect({ firstPage, all: links, newest: await items.first().innerText() }).toEqual({
      firstPage: GALLERY_PAGE_LIMITS.default,
      all: [...new Set(links)],
      newest: expect.stringContaining(prompts[prompts.length - 1]),
    });
    expect(links).toHaveLength(total);
  });
});
