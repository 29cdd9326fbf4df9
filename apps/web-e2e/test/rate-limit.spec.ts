import { button, cardIn, errorToast, generate, generatedImages, promptBox, stackInChromium } from './browser';
import { FAST_MODELS, FLAKY_MODEL } from './stack';

const MODELS = [FAST_MODELS[0], FLAKY_MODEL];

describe('rate limit and quota (production build in Chromium)', () => {
  // Not allowlisted, and two generations a day per client: a retry of a failed model counts as one.
  const { open } = stackInChromium({ models: MODELS, allowlisted: false, env: { RATE_LIMIT_IP_PER_DAY: '2' } });

  it('shows the generations left, counts a retry as one, and says when to try again once none are left', async () => {
    const page = await open();
    await promptBox(page).waitFor();
    const quota = page.getByTestId('quota');
    const before = await quota.count();

    const prompt = 'a kite over a beach';
    await generate(page, prompt);
    const failed = cardIn(page, FLAKY_MODEL, 'error');
    await failed.waitFor();
    await quota.filter({ hasText: '1 generation left' }).waitFor();

    await button(failed, `Retry ${FLAKY_MODEL.displayName}`).click();
    await generatedImages(page, MODELS, prompt);
    await quota.filter({ hasText: /No generations left/ }).waitFor();
    const spent = { text: await quota.innerText(), generate: await button(page, 'Generate').getAttribute('aria-disabled') };

    // Another browser from the same address knows nothing of the quota: the API refuses it, and says when.
    const other = await open();
    await generate(other, 'a second kite over a beach');
    const toast = errorToast(other, /try again/i);
    await toast.waitFor();
    expect({
      before,
      spent,
      toast: await toast.innerText(),
      // No Retry before the limit's window ends (the day here): it could only fail again.
      retry: await button(toast, 'Retry').count(),
      otherQuota: await other.getByTestId('quota').innerText(),
    }).toEqual({
      before: 0,
      spent: { text: expect.stringMatching(/^No generations left: you can generate again (at .+ \(in (about )?\d+ (hours|minutes)\)|in \d+ (seconds|minutes))\.$/), generate: 'true' },
      toast: expect.stringMatching(/You can try again (at .+|in \d+ (seconds|minutes))/),
      retry: 0,
      otherQuota: expect.stringMatching(/^No generations left/),
    });
    expect(await toast.innerText()).not.toMatch(/Reference/);
  });
});
