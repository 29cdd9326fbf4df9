import type { Logger } from '@pixel-prompt/observability';
import { ApiError } from '@pixel-prompt/service';
import type { Request, Response } from 'express';
import type { Edge } from './edge';
import { EdgeController } from './edge.controller';
import type { PromptEnhancer } from '@pixel-prompt/prompts';

/** Screens like the real filter would for one word, and records what it was asked, in order. */
function fakeEdge() {
  const calls: string[] = [];
  const edge = {
    calls,
    screen(text: string, what: string) {
      calls.push(`screen ${what}: ${text}`);
      if (text.includes('forbidden')) throw new ApiError(400, 'INAPPROPRIATE_CONTENT', 'refused');
    },
    admit: jest.fn(async () => {
      calls.push('admit');
    }),
    moderate: jest.fn(async (text: string, what: string) => {
      calls.push(`moderate ${what}: ${text}`);
    }),
  };
  return edge;
}

const logger = { warn: jest.fn(), info: jest.fn(), error: jest.fn() } as unknown as Logger;
const req = {} as Request;
const res = { getHeader: () => 'req-1' } as unknown as Response;

describe('EdgeController.enhance', () => {
  it('screens and moderates the input and the enhanced output, and spends quota only for acceptable input', async () => {
    const edge = fakeEdge();
    const enhancer: PromptEnhancer = { enhance: async (prompt) => `${prompt}. Golden light.` };
    const controller = new EdgeController(edge as unknown as Edge, enhancer, logger);
    await expect(controller.enhance({ prompt: ' a pier ' }, req, res)).resolves.toEqual({ original: 'a pier', enhanced: 'a pier. Golden light.' });
    // The word list before the quota; the paid moderation stage only once the request is admitted.
    expect(edge.calls).toEqual([
      'screen prompt: a pier',
      'admit',
      'moderate prompt: a pier',
      'screen enhanced prompt: a pier. Golden light.',
      'moderate enhanced prompt: a pier. Golden light.',
    ]);

    await expect(controller.enhance({ prompt: 'forbidden pier' }, req, res)).rejects.toMatchObject({ code: 'INAPPROPRIATE_CONTENT' });
    expect(edge.admit).toHaveBeenCalledTimes(1);
  });

  it('refuses an enhanced prompt the filter blocks, rather than returning it', async () => {
    const enhancer: PromptEnhancer = { enhance: async () => 'something forbidden' };
    const controller = new EdgeController(fakeEdge() as unknown as Edge, enhancer, logger);
    await expect(controller.enhance({ prompt: 'a pier' }, req, res)).rejects.toMatchObject({ code: 'INAPPROPRIATE_CONTENT' });
  });

  it('answers 502 ENHANCE_FAILED when the enhancer fails, never the original as if enhanced', async () => {
    const enhancer: PromptEnhancer = { enhance: () => Promise.reject(new Error('upstream 500 with secret details')) };
    const controller = new EdgeController(fakeEdge() as unknown as Edge, enhancer, logger);
    const failure = controller.enhance({ prompt: 'a pier' }, req, res);
    await expect(failure).rejects.toMatchObject({ code: 'ENHANCE_FAILED' });
    await expect(failure).rejects.toHaveProperty('status', 502);
    await expect(failure).rejects.not.toHaveProperty('message', expect.stringContaining('secret'));
  });
});
