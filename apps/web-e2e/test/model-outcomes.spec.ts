import type { Page } from 'playwright-core';
import { button, generate, modelCard, stackInChromium } from './browser';
import { BROKEN_MODEL, FAST_MODELS, SLOW_MODEL, type TestModel } from './stack';

const FAST = FAST_MODELS[0];
const MODELS: readonly TestModel[] = [FAST, BROKEN_MODEL, SLOW_MODEL];

describe('cancel, failed models and model capabilities (production build in Chromium)', () => {
  // Every visitor has a browser context of their own.
  const { open: visitor } = stackInChromium({ models: MODELS });

  const inState = (page: Page, model: TestModel, state: string) =>
    modelCard(page, model).and(page.locator(`[data-state="${state}"]`));

  it('Cancel ends the slow model, still waiting for its turn, as canceled', async () => {
    // Another visitor's generation holds the slow model's only slot, so ours waits in its queue.
    const other = await visitor();
    await generate(other, 'a tortoise running a marathon');
    await inState(other, SLOW_MODEL, 'in_progress').waitFor();

    const page = await visitor();
    await generate(page, 'a snail crossing a long road');
    await inState(page, SLOW_MODEL, 'pending').waitFor();
    await button(page, 'Cancel').click();
    await inState(page, SLOW_MODEL, 'canceled').waitFor();
    expect(await modelCard(page, SLOW_MODEL).getAttribute('data-state')).toBe('canceled');
  });

  it('explains a failed model in words, never with its error code', async () => {
    const page = await visitor();
    await generate(page, 'a broken clock');
    const failed = inState(page, BROKEN_MODEL, 'error');
    await failed.waitFor();
    const text = (await failed.innerText()).replace(BROKEN_MODEL.displayName, '').trim();
    expect(text).toMatch(/[a-z]{3,} [a-z]{3,}/i);
    expect(text).not.toMatch(/PROVIDER_ERROR|[A-Z]{3,}_[A-Z]{3,}/);
  });

  it('names, under Steps, Guidance and Seed, the models that honour each', async () => {
    const page = await visitor();
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
  });
});
