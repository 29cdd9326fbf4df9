import type { Page } from 'playwright-core';
import {
  accessibilityViolations,
  button,
  cardIn,
  generate,
  generatedImages,
  loadedWidth,
  modelCard,
  progress,
  promptBox,
  stackInChromium,
} from './browser';
import { BROKEN_MODEL, FAST_MODELS, FLAKY_MODEL, SLOW_MODEL, type TestModel } from './stack';

const FAST = FAST_MODELS[0];
const MODELS: readonly TestModel[] = [FAST, BROKEN_MODEL, SLOW_MODEL, FLAKY_MODEL];

describe('cancel, failed and retried models, the model picker and a running job’s address (production build in Chromium)', () => {
  // Every visitor has a browser context of their own.
  const { open: visitor } = stackInChromium({ models: MODELS });

  /** Ticks exactly `models` in the model picker (the choice is remembered in this browser). */
  async function pick(page: Page, models: readonly TestModel[]): Promise<void> {
    await page.getByTestId('model-summary').click();
    for (const model of MODELS) {
      const box = page.getByRole('checkbox', { name: model.displayName, exact: true });
      if (models.includes(model)) await box.check();
      else await box.uncheck();
    }
    await page.getByTestId('model-summary').click();
  }

  it('Cancel ends the slow model, still waiting for its turn, as canceled, counted apart from the failed ones', async () => {
    // Another visitor's generation holds the slow model's only slot, so ours waits in its queue.
    const other = await visitor();
    await generate(other, 'a tortoise running a marathon');
    await cardIn(other, SLOW_MODEL, 'in_progress').waitFor();

    const page = await visitor();
    await generate(page, 'a snail crossing a long road');
    // Every other model has ended before the cancel: only the slow one is left to cancel.
    await cardIn(page, FAST, 'completed').waitFor();
    await cardIn(page, BROKEN_MODEL, 'error').waitFor();
    await cardIn(page, FLAKY_MODEL, 'error').waitFor();
    await cardIn(page, SLOW_MODEL, 'pending').waitFor();
    await button(page, 'Cancel').click();
    await cardIn(page, SLOW_MODEL, 'canceled').waitFor();
    // The fast model is done, the broken and the flaky one failed, the slow one canceled: four counts, never "4 / 4".
    await progress(page, /^1 of 4 done · 2 failed · 1 canceled$/).waitFor();
    await button(other, 'Cancel').click();
    await cardIn(other, SLOW_MODEL, 'canceled').waitFor();
  });

  it('explains a failed model in words, never with its error code', async () => {
    const page = await visitor();
    await generate(page, 'a broken clock');
    const failed = cardIn(page, BROKEN_MODEL, 'error');
    await failed.waitFor();
    const text = (await failed.innerText()).replace(BROKEN_MODEL.displayName, '').trim();
    expect(text).toMatch(/[a-z]{3,} [a-z]{3,}/i);
    expect(text).not.toMatch(/PROVIDER_ERROR|[A-Z]{3,}_[A-Z]{3,}/);
    await button(page, 'Cancel').click();
  });

  it('generates with the models picked, remembers them, and retries the one that failed until it draws', async () => {
    const prompt = 'a second chance at dawn';
    const page = await visitor();
    await promptBox(page).waitFor();
    await pick(page, [FAST, FLAKY_MODEL]);
    await generate(page, prompt);
    const failed = cardIn(page, FLAKY_MODEL, 'error');
    await failed.waitFor();
    await progress(page, /^1 of 2 done · 1 failed$/).waitFor();
    const withError = await accessibilityViolations(page);

    await button(failed, `Retry ${FLAKY_MODEL.displayName}`).click();
    expect(await generatedImages(page, [FAST, FLAKY_MODEL], prompt)).toEqual({ [FAST.displayName]: 'loaded', [FLAKY_MODEL.displayName]: 'loaded' });

    // The retried image is part of the generation for good: its address shows it, and the picker is remembered.
    await page.reload();
    const retried = page.getByRole('img', { name: `${FLAKY_MODEL.displayName}: ${prompt}`, exact: true });
    const later = await page.context().newPage();
    await later.goto(new URL('/', page.url()).href);
    const retriedWidth = await loadedWidth(retried);
    expect({
      cards: await page.getByTestId('model-card').count(),
      retried: retriedWidth > 0,
      picker: await later.getByTestId('model-summary').innerText(),
      withError,
    }).toEqual({ cards: 2, retried: true, picker: 'Models: 2 of 4', withError: [] });
  });

  it('shows a running job again after a reload and through a shared link, live: a cancel in one shows in the other', async () => {
    const prompt = 'a lighthouse keeper waiting for the storm';
    const page = await visitor();
    await promptBox(page).waitFor();
    await pick(page, [FAST, SLOW_MODEL]);
    await generate(page, prompt);
    await cardIn(page, FAST, 'completed').waitFor();
    await cardIn(page, SLOW_MODEL, 'in_progress').waitFor();

    await page.reload();
    await cardIn(page, SLOW_MODEL, 'in_progress').waitFor();
    const reloaded = {
      prompt: await promptBox(page).inputValue(),
      fast: (await loadedWidth(modelCard(page, FAST).getByRole('img'))) > 0,
      progress: await page.getByTestId('progress').innerText(),
    };

    const friend = await visitor(new URL(page.url()).pathname);
    await cardIn(friend, SLOW_MODEL, 'in_progress').waitFor();
    await button(friend, 'Cancel').click();
    await cardIn(page, SLOW_MODEL, 'canceled').waitFor();
    expect(reloaded).toEqual({ prompt, fast: true, progress: '1 of 2 done · 1 generating' });
    expect(await page.getByTestId('progress').innerText()).toBe('1 of 2 done · 1 canceled');
  });

  it('names, under Steps, Guidance and Seed, the models that honour each', async () => {
    const page = await visitor();
    await page.getByText('Advanced', { exact: true }).click();
    const hints: Record<string, string> = {};
    for (const name of ['Steps', 'Guidance', 'Seed']) {
      const input = await page.getByRole('spinbutton', { name, exact: true }).elementHandle();
      // The hint is the field's description (aria-describedby); it fills in once the models have loaded.
      const hint = await page.waitForFunction(
        ([field, model]) => {
          const ids = (field as Element).getAttribute('aria-describedby') ?? '';
          const text = ids
            .split(' ')
            .map((id) => document.getElementById(id)?.textContent ?? '')
            .join(' ');
          return text.includes(model as string) && text;
        },
        [input, FAST.displayName] as const,
      );
      hints[name] = String(await hint.jsonValue());
    }
    // The built-in model honours all three; the chaos models none.
    for (const hint of Object.values(hints)) {
      expect(hint).toContain(FAST.displayName);
      expect(hint).not.toContain(SLOW_MODEL.displayName);
      expect(hint).not.toContain(BROKEN_MODEL.displayName);
    }
    // Only the built-in model can make a shape; none of these takes a negative prompt.
    expect({
      shape: await page.getByLabel('Shape', { exact: true }).count(),
      negativePrompt: await page.getByLabel('Negative prompt', { exact: true }).count(),
    }).toEqual({ shape: 1, negativePrompt: 0 });
    await page.getByTestId('model-summary').click();
    await page.getByRole('checkbox', { name: FAST.displayName, exact: true }).uncheck();
    await page.getByLabel('Shape', { exact: true }).waitFor({ state: 'detached' });
  });
});
