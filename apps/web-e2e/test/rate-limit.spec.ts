import { allLoaded, button, errorToast, generate, generatedImages, stackInChromium } from './browser';
import { FAST_MODELS } from './stack';

const MODELS = FAST_MODELS.slice(0, 1);

describe('rate limit (production build in Chromium)', () => {
  // Not allowlisted, and one generation a day per client: the second one is refused.
  const { open } = stackInChromium({ models: MODELS, allowlisted: false, env: { RATE_LIMIT_IP_PER_DAY: '1' } });

  it('tells when to try again once the limit is reached', async () => {
    const page = await open();
    const prompt = 'a kite over a beach';
    await generate(page, prompt);
    expect(await generatedImages(page, MODELS, prompt)).toEqual(allLoaded(MODELS));

    await generate(page, 'a second kite over a beach');
    const toast = errorToast(page, /try again in/i);
    await toast.waitFor();
    // Retryable, so the toast offers Retry (which works once the limit's window has passed).
    expect({ text: await toast.innerText(), retry: await button(toast, 'Retry').count() }).toEqual({
      text: expect.stringMatching(/try again in (about )?\d+ (seconds|minutes|hours)/i),
      retry: 1,
    });
  });
});
