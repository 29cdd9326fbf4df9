import type { Logger } from '@pixel-prompt/observability';
import { ApiError } from '@pixel-prompt/service';
import type { PromptEnhancer } from './enhancers/prompt-enhancer';
import { PromptEnhancement } from './prompt-enhancement';
import type { PromptPolicy } from './prompt-policy';

/** Screens like the real filter would for one word, and records what it was asked, in order. */
function fakePolicy() {
  const calls: string[] = [];
  const policy = {
    calls,
    screen(text: string, what: string) {
      calls.push(`screen ${what}: ${text}`);
      if (text.includes('forbidden')) throw new ApiError(400, 'INAPPROPRIATE_CONTENT', 'refused');
    },
    moderate: jest.fn(async (text: string, what: string) => {
      calls.push(`moderate ${what}: ${text}`);
    }),
  };
  return policy;
}

const logger = { warn: jest.fn(), info: jest.fn(), error: jest.fn() } as unknown as Logger;

describe('PromptEnhancement', () => {
  it('screens and moderates the input and the enhanced output, and spends quota only for acceptable input', async () => {
    const policy = fakePolicy();
    const admit = jest.fn(async () => {
      policy.calls.push('admit');
    });
    const enhancer: PromptEnhancer = { enhance: async (prompt) => `${prompt}. Golden light.` };
    const enhancement = new PromptEnhancement(policy as unknown as PromptPolicy, enhancer, logger);
    await expect(enhancement.enhance({ prompt: ' a pier ' }, admit)).resolves.toEqual({ original: 'a pier', enhanced: 'a pier. Golden light.' });
    // The word list before the quota; the paid moderation stage only once the request is admitted.
    expect(policy.calls).toEqual([
      'screen prompt: a pier',
      'admit',
      'moderate prompt: a pier',
      'screen enhanced prompt: a pier. Golden light.',
      'moderate enhanced prompt: a pier. Golden light.',
    ]);

    await expect(enhancement.enhance({ prompt: 'forbidden pier' }, admit)).rejects.toMatchObject({ code: 'INAPPROPRIATE_CONTENT' });
    expect(admit).toHaveBeenCalledTimes(1);
  });

  it('refuses an enhanced prompt the filter blocks, rather than returning it', async () => {
    const enhancer: PromptEnhancer = { enhance: async () => 'something forbidden' };
    const enhancement = new PromptEnhancement(fakePolicy() as unknown as PromptPolicy, enhancer, logger);
    await expect(enhancement.enhance({ prompt: 'a pier' }, async () => undefined)).rejects.toMatchObject({ code: 'INAPPROPRIATE_CONTENT' });
  });

  it('answers 502 ENHANCE_FAILED when the enhancer fails, never the original as if enhanced', async () => {
    const enhancer: PromptEnhancer = { enhance: () => Promise.reject(new Error('upstream 500 with secret details')) };
    const enhancement = new PromptEnhancement(fakePolicy() as unknown as PromptPolicy, enhancer, logger);
    const failure = enhancement.enhance({ prompt: 'a pier' }, async () => undefined);
    await expect(failure).rejects.toMatchObject({ code: 'ENHANCE_FAILED' });
    await expect(failure).rejects.toHaveProperty('status', 502);
    await expect(failure).rejects.not.toHaveProperty('message', expect.stringContaining('secret'));
  });
});
