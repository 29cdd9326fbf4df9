import { readFileSync } from 'node:fs';
import { GALLERY_PAGE_LIMITS } from '@pixel-prompt/contracts';
import { unzipSync } from 'fflate';
import {
  MOBILE,
  accessibilityViolations,
  allLoaded,
  button,
  changedPrompt,
  generate,
  generateThroughApi,
  generatedImages,
  loadedWidth,
  modelCard,
  promptBox,
  scrollWidth,
  stackInChromium,
} from './browser';
import { FAST_MODELS } from './stack';

describe('generate, gallery and viewer (production build in Chromium)', () => {
  const { stack, open } = stackInChromium();

  it('renders every model, lists the job first in the gallery, and shows its images in the viewer', async () => {
    const prompt = 'a lighthouse on a rocky coast at sunset';
    const page = await open();
    await generate(page, prompt);
    expect(await generatedImages(page, FAST_MODELS, prompt)).toEqual(allLoaded(FAST_MODELS));

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

  it('brings the results into view on Generate, with the focus on their heading and the progress on screen', async () => {
    const prompt = 'a blue door in a white wall';
    const page = await open('/', MOBILE);
    // Something on the page first, so the results start below the fold of a phone.
    await page.getByText('Advanced', { exact: true }).click();
    await promptBox(page).fill(prompt);
    await button(page, 'Generate').click();
    const heading = page.getByRole('region', { name: 'Results', exact: true }).getByRole('heading', { name: 'Results', exact: true });
    await page.waitForFunction(() => document.activeElement?.textContent === 'Results');
    // Scrolling may be smooth: wait until the heading has arrived at the top.
    await page.waitForFunction(() => {
      const top = document.activeElement?.getBoundingClientRect().top ?? -1;
      return top >= 0 && top < window.innerHeight / 3;
    });
    const status = page.getByRole('status').and(page.getByTestId('progress'));
    const box = await status.boundingBox();
    expect({
      focused: await heading.evaluate((element) => element === document.activeElement),
      progressOnScreen: box !== null && box.y >= 0 && box.y + box.height <= MOBILE.height,
    }).toEqual({ focused: true, progressOnScreen: true });
    await generatedImages(page, FAST_MODELS, prompt);
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

  it("re-runs a gallery entry with its prompt, every parameter and its models", async () => {
    const prompt = 'a hot air balloon over a valley';
    const [, second, third] = FAST_MODELS;
    const page = await open();
    await page.getByText('Advanced', { exact: true }).click();
    await page.getByRole('spinbutton', { name: 'Steps', exact: true }).fill('12');
    await page.getByRole('spinbutton', { name: 'Guidance', exact: true }).fill('3.5');
    await page.getByRole('spinbutton', { name: 'Seed', exact: true }).fill('99');
    await page.getByLabel('Shape', { exact: true }).selectOption('16:9');
    await page.getByTestId('model-summary').click();
    await page.getByRole('checkbox', { name: FAST_MODELS[0].displayName, exact: true }).uncheck();
    await generate(page, prompt);
    await generatedImages(page, [second, third], prompt);

    // Another visitor, who has never chosen anything, opens the entry from the gallery.
    const visitor = await open('/gallery');
    await visitor.getByTestId('gallery-item').filter({ hasText: prompt }).click();
    await visitor.getByRole('link', { name: 'Re-run this prompt', exact: true }).click();
    await visitor.waitForURL((url) => url.pathname === '/' && url.searchParams.get('prompt') === prompt);
    expect(await changedPrompt(visitor, '')).toBe(prompt);
    await visitor.getByText('Advanced', { exact: true }).click();
    await visitor.getByTestId('model-summary').click();
    const value = (name: string) => visitor.getByRole('spinbutton', { name, exact: true }).inputValue();
    const ticked = (model: { displayName: string }) => visitor.getByRole('checkbox', { name: model.displayName, exact: true }).isChecked();
    expect({
      steps: await value('Steps'),
      guidance: await value('Guidance'),
      seed: await value('Seed'),
      shape: await visitor.getByLabel('Shape', { exact: true }).inputValue(),
      models: await Promise.all(FAST_MODELS.map(ticked)),
      summary: await visitor.getByTestId('model-summary').innerText(),
    }).toEqual({ steps: '12', guidance: '3.5', seed: '99', shape: '16:9', models: [false, true, true], summary: 'Models: 2 of 3' });
  });

  it('gives every generation an address: Back, Forward, a reload and a shared link bring it back, and Copy link copies it', async () => {
    const page = await open('/', undefined, { permissions: ['clipboard-read', 'clipboard-write'] });
    const first = 'a paper lantern on a pond';
    const second = 'a kite above the dunes';
    await generate(page, first);
    await generatedImages(page, FAST_MODELS, first);
    const firstUrl = page.url();
    await generate(page, second);
    await generatedImages(page, FAST_MODELS, second);
    const secondUrl = page.url();

    const shows = async (target: typeof page, prompt: string) => {
      await target.getByRole('img', { name: `${FAST_MODELS[0].displayName}: ${prompt}`, exact: true }).waitFor();
      return {
        prompt: await promptBox(target).inputValue(),
        images: await Promise.all(FAST_MODELS.map((m) => loadedWidth(target.getByRole('img', { name: `${m.displayName}: ${prompt}`, exact: true })))),
        title: await target.title(),
      };
    };
    const restored = (prompt: string) => ({ prompt, images: FAST_MODELS.map(() => expect.any(Number)), title: `${prompt} · Pixel Prompt` });

    await page.goBack();
    await page.waitForURL(firstUrl);
    const back = await shows(page, first);
    await page.goForward();
    await page.waitForURL(secondUrl);
    const forward = await shows(page, second);
    await page.reload();
    const reloaded = await shows(page, second);

    await button(page, 'Copy link').click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const friend = await open(new URL(copied).pathname);
    const shared = await shows(friend, second);

    expect({ copied, back, forward, reloaded, shared }).toEqual({
      copied: secondUrl,
      back: restored(first),
      forward: restored(second),
      reloaded: restored(second),
      shared: restored(second),
    });
    expect(copied).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/g\/[0-9a-f-]{36}$/);
    expect(back.images.every((width) => width > 0)).toBe(true);

    // Back to the start: a blank page again, the prompt kept for the next one.
    await page.goto(new URL('/', secondUrl).href);
    await promptBox(page).waitFor();
    expect(await page.getByRole('region', { name: 'Results', exact: true }).count()).toBe(0);
  });

  it('loads the next page of the gallery when scrolled to the end', async () => {
    // One page and a bit more, submitted through the public API (one quick model each), one after
    // the other: each job's event stream ends once the job has ended.
    const prompts = Array.from(
      { length: GALLERY_PAGE_LIMITS.default + 1 },
      (_, i) => `gallery page filler ${i + 1}`,
    );
    for (const prompt of prompts) await generateThroughApi(stack().url, { prompt, models: [FAST_MODELS[0].id] });
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
