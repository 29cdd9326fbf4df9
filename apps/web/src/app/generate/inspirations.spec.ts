import { GENERATION_LIMITS } from '@pixel-prompt/contracts';
import { ALL_INSPIRATIONS, INSPIRATIONS, pickInspiration } from './inspirations';

/** `count` random numbers, each pointing into the middle of its own slot of a list that long. */
function everySlot(count: number): number[] {
  return Array.from({ length: count }, (_, i) => (i + 0.5) / count);
}

/** A stand-in for Math.random that returns `values` in turn, round and round. */
function sequence(...values: number[]): () => number {
  let next = 0;
  return () => values[next++ % values.length];
}

describe('inspirations', () => {
  it('offers at least 60 prompts', () => {
    expect(ALL_INSPIRATIONS.length).toBeGreaterThanOrEqual(60);
  });

  it('spreads them over several categories, each with a fair share', () => {
    const categories = Object.entries(INSPIRATIONS);

    expect(categories.length).toBeGreaterThanOrEqual(5);
    for (const [category, prompts] of categories) {
      expect(category.trim()).not.toBe('');
      expect({ category, enough: prompts.length >= 5 }).toEqual({ category, enough: true });
    }
  });

  it('has no prompt twice', () => {
    const repeated = ALL_INSPIRATIONS.filter((prompt, i) => ALL_INSPIRATIONS.indexOf(prompt) !== i);

    expect(repeated).toEqual([]);
  });

  it('only has prompts that can be generated as they are', () => {
    const unusable = ALL_INSPIRATIONS.filter(
      (prompt) => prompt !== prompt.trim() || prompt.length < 20 || prompt.length > GENERATION_LIMITS.promptMaxLength,
    );

    expect(unusable).toEqual([]);
  });
});

describe('pickInspiration', () => {
  it('can bring up any inspiration', () => {
    const picked = new Set(everySlot(ALL_INSPIRATIONS.length).map((random) => pickInspiration(undefined, () => random)));

    expect(picked.size).toBe(ALL_INSPIRATIONS.length);
  });

  it('never brings up the one shown last, wherever the random number falls', () => {
    for (const previous of ALL_INSPIRATIONS) {
      for (const random of [0, 0.25, 0.5, 0.75, 0.999999]) {
        expect(pickInspiration(previous, () => random)).not.toBe(previous);
      }
    }
  });

  it('still brings up every other inspiration after one was shown', () => {
    const previous = ALL_INSPIRATIONS[3];
    const others = ALL_INSPIRATIONS.length - 1;

    const picked = new Set(everySlot(others).map((random) => pickInspiration(previous, () => random)));

    expect(picked.size).toBe(others);
    expect(picked.has(previous)).toBe(false);
  });

  it('never repeats itself in a row over many clicks', () => {
    const random = sequence(0.1, 0.1, 0.9, 0.9, 0, 0, 0.5, 0.5);
    let previous: string | undefined;

    for (let click = 0; click < 200; click++) {
      const next = pickInspiration(previous, random);
      expect(next).not.toBe(previous);
      expect(ALL_INSPIRATIONS).toContain(next);
      previous = next;
    }
  });

  it('still returns an inspiration if the random source returns 1', () => {
    expect(ALL_INSPIRATIONS).toContain(pickInspiration(ALL_INSPIRATIONS[0], () => 1));
    expect(pickInspiration(ALL_INSPIRATIONS[0], () => 1)).not.toBe(ALL_INSPIRATIONS[0]);
  });

  it('uses Math.random by default', () => {
    const random = jest.spyOn(Math, 'random').mockReturnValue(0);

    expect(pickInspiration(undefined)).toBe(ALL_INSPIRATIONS[0]);
    expect(pickInspiration(ALL_INSPIRATIONS[0])).toBe(ALL_INSPIRATIONS[1]);
    expect(random).toHaveBeenCalledTimes(2);
    random.mockRestore();
  });
});
