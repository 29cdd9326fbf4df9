import { GENERATION_LIMITS } from '@pixel-prompt/contracts';
import { LocalPromptEnhancer } from './local-enhancer';
import type { PromptEnhancer } from './prompt-enhancer';

const LIMIT = GENERATION_LIMITS.promptMaxLength;
const enhancer: PromptEnhancer = new LocalPromptEnhancer();

function enhance(prompt: string): Promise<string> {
  return enhancer.enhance(prompt, new AbortController().signal);
}

/** Valid only for prompts without abbreviations such as "Dr.", which these tests avoid. */
function sentencesOf(text: string): string[] {
  return text.split(/(?<=[.!?])\s+/);
}

/** What the enhancer added after the user's subject sentence. */
function addedTo(enhanced: string): string {
  return sentencesOf(enhanced).slice(1).join(' ');
}

/** Any of the words or phrases (regex fragments allowed), as whole words, ignoring case. */
function anyOf(...words: string[]): RegExp {
  return new RegExp(`\\b(?:${words.join('|')})\\b`, 'i');
}

/** One subject per topic, plus two the topics do not cover. */
const SUBJECTS = [
  'an old fisherman mending his nets',
  'a red fox curled up asleep',
  'a slice of chocolate cake',
  'an astronaut drifting past a space station',
  'a dragon circling a ruined castle',
  'a sea turtle gliding over a coral reef',
  'a lighthouse on a rocky coast',
  'a mountain valley with a winding river',
  'a narrow street in the old town',
  'a steam locomotive crossing a bridge',
  'an abstract swirl of interlocking shapes',
  'a still life of a teapot and lemons',
  'a single paper crane',
  'a pair of worn leather boots',
];

const PHOTOGRAPHIC = ['photograph', 'film still', 'lens', 'lens flares', 'depth of field'];
const HAND_MADE = [
  'painting', 'painted', 'painterly', 'brush\\w*', 'canvas', 'watercolou?r', 'gouache', 'acrylic', 'oil', 'pencil',
  'charcoal', 'graphite', 'ink', 'sketch', 'drawing', 'study', 'illustration', 'render', '3D', 'digital', 'concept art',
];

describe('LocalPromptEnhancer', () => {
  it('enhances the same prompt the same way every time, whatever its case and trailing punctuation', async () => {
    const prompt = 'a red fox in a snowy forest';
    const first = await enhance(prompt);
    expect(await enhance(prompt)).toBe(first);
    expect(await new LocalPromptEnhancer().enhance(prompt, new AbortController().signal)).toBe(first);
    expect(addedTo(await enhance('A red fox in a snowy forest!'))).toBe(addedTo(first));
  });

  it.each(SUBJECTS)("writes 2 to 4 sentences, the first being the user's own words: %s", async (subject) => {
    const sentences = sentencesOf(await enhance(subject));
    expect(sentences.length).toBeGreaterThanOrEqual(2);
    expect(sentences.length).toBeLessThanOrEqual(4);
    expect(sentences[0]).toBe(`${subject[0].toUpperCase()}${subject.slice(1)}.`);
  });

  it('keeps the subject without duplicating its trailing punctuation', async () => {
    const stormy = await enhance('a lighthouse in a storm!!!');
    expect(stormy.startsWith('A lighthouse in a storm. ')).toBe(true);
    expect(stormy).not.toContain('!');
    expect((await enhance('a quiet harbour at dawn.')).startsWith('A quiet harbour at dawn. ')).toBe(true);
    expect((await enhance('a sign that reads "open."')).startsWith('A sign that reads "open". ')).toBe(true);
    expect((await enhance('iPhone snapshot of a bicycle')).startsWith('iPhone snapshot of a bicycle. ')).toBe(true);
  });

  it('folds a multi-sentence prompt into one subject sentence so the result still has 2 to 4', async () => {
    const enhanced = await enhance('A cat. It sleeps on a windowsill! Rain outside?');
    expect(enhanced.startsWith('A cat; It sleeps on a windowsill; Rain outside. ')).toBe(true);
    expect(sentencesOf(enhanced).length).toBeLessThanOrEqual(4);
  });

  describe('picks vocabulary for the topic', () => {
    it.each([
      'portrait of an old fisherman',
      'an old fisherman mending his nets',
      'headshot of a young nurse',
      'a smiling grandmother in her garden',
      'portrait of a jazz musician',
    ])('portrait lighting and composition: %s', async (prompt) => {
      const [, styleAndLighting, compositionAndDetail] = sentencesOf(await enhance(prompt));
      expect(styleAndLighting).toMatch(anyOf('face', 'features', 'skin', 'eyes', 'hair'));
      expect(compositionAndDetail).toMatch(
        anyOf('face', 'gaze', 'eye level', 'eye contact', 'head-and-shoulders', 'portrait'),
      );
    });

    it.each([
      ['landscape', anyOf('horizon', 'terrain', 'land', 'foreground'), ['a misty mountain valley', 'a desert canyon']],
      ['animal', anyOf("animal(?:'s)?"), ['a red fox in the snow', 'an owl on a branch', 'a sleeping kitten']],
      ['food', anyOf('dish', 'plate', 'tabletop', "diner's"), ['a bowl of ramen', 'a stack of pancakes']],
      ['ocean', anyOf('water', 'waterline', 'horizon', 'sea', 'surf'), ['a lighthouse on the coast', 'a harbour']],
      ['city', anyOf('perspective', 'vertical', 'towering', 'rooftops', 'buildings', 'establishing'), ['a skyline']],
      ['vehicle', anyOf('vehicle', 'three-quarter', 'side profile'), ['a vintage sports car', 'an old steam train']],
      ['space', anyOf('cosmos', 'scale', 'widescreen', 'conveys motion'), ['an astronaut on mars', 'a spiral galaxy']],
    ])('%s composition', async (_topic, vocabulary, prompts) => {
      for (const prompt of prompts) expect(sentencesOf(await enhance(prompt))[2]).toMatch(vocabulary);
    });

    it('uses none of the portrait vocabulary for a landscape', async () => {
      expect(addedTo(await enhance('a misty mountain valley'))).not.toMatch(anyOf('face', 'gaze', 'portrait', 'skin'));
    });
  });

  describe('respects what the user already said', () => {
    /** Neutral additions that change the hash, so that each check sees several picks per topic. */
    const VARIANTS = ['', ', highly detailed', ' in spring', ', quiet and still'];

    async function expectNothingAdded(make: (subject: string) => string, forbidden: RegExp): Promise<void> {
      const prompts = SUBJECTS.flatMap((subject) => VARIANTS.map((variant) => make(`${subject}${variant}`)));
      for (const prompt of prompts) {
        // The prompt is part of the compared value so that a failure names it.
        expect({ prompt, added: addedTo(await enhance(prompt)) }).toEqual({
          prompt,
          added: expect.not.stringMatching(forbidden),
        });
      }
    }

    it('adds no daylight to a night scene', () =>
      expectNothingAdded(
        (s) => `${s} at night`,
        anyOf('midday', 'noon', 'daylight', 'morning', 'golden[ -]hour', 'sun\\w*', 'twilight', 'window light'),
      ));

    it('adds no night or midday to a sunset', () =>
      expectNothingAdded(
        (s) => `${s} at sunset`,
        anyOf('midday', 'noon', 'moon\\w*', 'night(?:-time)?', 'morning', 'daylight', 'lamplight', 'candlelight'),
      ));

    it('adds no night or golden hour to midday', () =>
      expectNothingAdded(
        (s) => `${s} at midday`,
        anyOf('night(?:-time)?', 'moon\\w*', 'twilight', 'golden[ -]hour', 'late-afternoon', '(?:candle|lamp)light'),
      ));

    it('adds no clear-sky sun to fog', () =>
      expectNothingAdded(
        (s) => `${s} in thick fog`,
        anyOf('midday sun', 'morning sun', 'golden[ -]hour', 'clear daylight', 'clear night sky', 'alien sun'),
      ));

    it('keeps a watercolour a watercolour', () =>
      expectNothingAdded(
        (s) => `watercolor of ${s}`,
        anyOf(...PHOTOGRAPHIC, ...HAND_MADE.filter((word) => !['painting', 'painted', 'study'].includes(word))),
      ));

    it('keeps a photo a photo', () => expectNothingAdded((s) => `photo of ${s}`, anyOf(...HAND_MADE)));

    it('keeps an oil painting an oil painting', () =>
      expectNothingAdded(
        (s) => `oil painting of ${s}`,
        anyOf(...PHOTOGRAPHIC, 'watercolou?r', 'gouache', 'pencil', 'charcoal', 'ink', 'render', '3D', 'digital'),
      ));

    it('adds no medium at all to a style it cannot place', () =>
      expectNothingAdded((s) => `${s}, art deco`, anyOf(...PHOTOGRAPHIC, ...HAND_MADE)));

    it('adds no wide framing to a close-up', () =>
      expectNothingAdded(
        (s) => `close-up of ${s}`,
        anyOf('wide', 'panoramic', 'vista', 'establishing', 'widescreen', 'sweeping', 'vast'),
      ));

    it('adds no low angle to an aerial view', () =>
      expectNothingAdded(
        (s) => `aerial view of ${s}`,
        anyOf('low (?:angle|vantage|viewpoint|side angle|three-quarter)', 'looking up', 'waterline'),
      ));

    it('echoes the time of day the user gave', async () => {
      // The abstract topic has no night-time lighting of its own, so it falls back to neutral light.
      for (const subject of SUBJECTS.filter((s) => !s.includes('abstract'))) {
        const [, styleAndLighting] = sentencesOf(await enhance(`${subject} at night`));
        expect(styleAndLighting).toMatch(
          anyOf('night(?:-time)?', 'moon\\w*', '(?:candle|lamp|street)lights?', 'neon', 'bioluminescence', 'star'),
        );
      }
    });

    it('never mixes photographic and hand-made media in one enhancement', async () => {
      const moods = ['', ' at night', ' at dusk', ', close-up', ', aerial view', ' in the rain', ', cheerful'];
      for (const subject of SUBJECTS) {
        for (const mood of moods) {
          const added = addedTo(await enhance(`${subject}${mood}`));
          if (anyOf(...PHOTOGRAPHIC).test(added)) expect(added).not.toMatch(anyOf(...HAND_MADE));
        }
      }
    });

    it('adds no lighting of its own when the prompt describes the lighting', async () => {
      const [, styleAndLighting] = sentencesOf(await enhance('a fox in the snow, dramatic rim lighting'));
      expect(styleAndLighting).not.toMatch(anyOf('light', 'lit', 'glow', 'sun\\w*', 'moonlight'));
    });

    it('still adds a style when the prompt names none', async () => {
      expect(addedTo(await enhance('a red fox curled up asleep'))).toMatch(
        anyOf('photograph', 'painting', 'watercolou?r', 'illustration', 'render', 'drawing', 'study', 'concept art'),
      );
    });
  });

  it(`stays within the generate limit of ${LIMIT} characters for 500-character prompts`, async () => {
    const frames = ['', 'photo of ', 'watercolor of ', 'close-up of ', 'aerial view of '];
    const moods = ['', ' at night', ' at sunset, in fog', ' on a dark, moody evening'];
    for (const subject of SUBJECTS) {
      for (const frame of frames) {
        for (const mood of moods) {
          const prompt = `${frame}${subject}${mood}, ${`${subject}, `.repeat(40)}`.slice(0, 500).replace(/\s$/, 'x');
          expect(prompt).toHaveLength(500);
          const enhanced = await enhance(prompt);
          expect(enhanced.length).toBeLessThanOrEqual(LIMIT);
          expect(sentencesOf(enhanced).length).toBeGreaterThanOrEqual(2);
          expect(enhanced).toContain(prompt.slice(1).replace(/[\s,]+$/, ''));
        }
      }
    }
  });

  it('drops closing sentences rather than exceed the limit for more than the expected 500 characters', async () => {
    // At 820 characters the subject and one more sentence fit, but not everything that would follow.
    for (const subject of SUBJECTS) {
      const enhanced = await enhance(`${subject}, `.repeat(60).slice(0, 820).trim());
      expect(enhanced.length).toBeLessThanOrEqual(LIMIT);
      expect(sentencesOf(enhanced).length).toBeGreaterThanOrEqual(2);
    }
  });

  it('adds nothing unsafe that the user did not write', async () => {
    const unsafe = anyOf(
      'blood\\w*', 'gore', 'gory', 'nude', 'naked', 'nsfw', 'sexy', 'sexual', 'sensual', 'erotic', 'kill\\w*', 'dead',
      'death', 'corpse', 'weapons?', 'guns?', 'shot', 'shoot\\w*', 'violen\\w*', 'drugs?', 'explicit', 'wound\\w*',
    );
    const modifiers = ['', ' at night', ' at sunset', ' in fog', ', photo', ', oil painting', ', art deco'];
    for (const subject of SUBJECTS) {
      for (const modifier of modifiers) expect(addedTo(await enhance(`${subject}${modifier}`))).not.toMatch(unsafe);
    }
  });

  describe('cancellation', () => {
    it("rejects with the signal's reason when it is already aborted", async () => {
      const controller = new AbortController();
      const reason = new Error('client went away');
      controller.abort(reason);
      await expect(enhancer.enhance('a red fox', controller.signal)).rejects.toBe(reason);
    });

    it('rejects with an AbortError when aborted without a reason', async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(enhancer.enhance('a red fox', controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
    });
  });

  it('gives varied prompts distinct enhancements, each ending with a period', async () => {
    const prompts = [
      'portrait of an old fisherman',
      'a red fox in the snow',
      'a misty valley at dawn',
      'a bowl of ramen',
      'an astronaut floating above a nebula',
      'a dragon guarding a castle',
      'a lighthouse in a storm',
      'a coral reef with a sea turtle',
      'a vintage red sports car',
      'an abstract swirl of shapes',
      'a still life with a vase of tulips',
      'watercolor of a cat on a windowsill',
      'photo of a city street at sunset',
      'a cosy library at night',
      'a single rose',
    ];
    const enhanced = await Promise.all(prompts.map(enhance));
    expect(new Set(enhanced).size).toBe(prompts.length);
    for (const text of enhanced) expect(text).toMatch(/[^.]\.$/);
    // Not just the subjects: what is added differs too.
    expect(new Set(enhanced.map(addedTo)).size).toBe(prompts.length);
  });

  it('varies the wording between prompts on the same topic', async () => {
    const foxes = ['a red fox', 'a fox cub', 'a sleeping fox', 'a fox by a stream', 'two foxes playing', 'an arctic fox'];
    const enhanced = await Promise.all(foxes.map(enhance));
    const [styles, compositions] = [1, 2].map((i) => new Set(enhanced.map((text) => sentencesOf(text)[i])));
    expect(styles.size).toBeGreaterThanOrEqual(4);
    expect(compositions.size).toBeGreaterThanOrEqual(4);
  });
});
