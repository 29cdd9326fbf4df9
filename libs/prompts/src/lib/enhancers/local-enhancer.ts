import { GENERATION_LIMITS } from '@pixel-prompt/contracts';
import { z } from 'zod';
import type { PromptEnhancer } from './prompt-enhancer';
import vocabularyFile from './vocabulary.json';

/**
 * Enhances without any network or model: the user's words stay the subject, and style, lighting,
 * composition and detail phrases come from curated vocabulary for the detected topic. Every choice is
 * keyed to a hash of the normalised prompt, so a prompt always enhances the same way (users can compare
 * models on a stable prompt) while different prompts get varied wording.
 */
export class LocalPromptEnhancer implements PromptEnhancer {
  async enhance(prompt: string, signal: AbortSignal): Promise<string> {
    signal.throwIfAborted();
    return enhanceLocally(prompt);
  }
}

// ---------------------------------------------------------------------------------------------------
// The vocabulary is data (vocabulary.json), checked against this schema when the module loads, so a
// mistake in the file fails the boot and the tests rather than an enhancement.
//
// Facets: what a phrase implies about the picture. A phrase is only used when none of its facets
// contradicts what the user asked for (or what an earlier phrase already committed to), so "at night"
// never gets midday sun and a watercolour never gets lens jargon.

const facetsSchema = z
  .object({
    time: z.enum(['day', 'dusk', 'night']).optional(),
    sky: z.enum(['clear', 'overcast']).optional(),
    tone: z.enum(['bright', 'dark']).optional(),
    framing: z.enum(['close', 'wide']).optional(),
    view: z.enum(['high', 'low']).optional(),
    // 'named' stands for a style the user named that we cannot place in a family (say "art deco"): it
    // clashes with every medium-specific phrase, so only medium-neutral wording is added.
    medium: z.enum(['photo', 'paint', 'drawing', 'digital', 'named']).optional(),
  })
  .strict();

type Facets = z.output<typeof facetsSchema>;
type FacetName = keyof Facets;

/** Facets a phrase is rewarded for matching; medium only filters, or photo phrases would crowd out neutral ones. */
const PREFERRED_FACETS: readonly FacetName[] = ['time', 'sky', 'tone', 'framing', 'view'];

/**
 * Every phrase stays under 75 characters, so what is added (at most about 360 characters) keeps a
 * 500-character prompt well under the generate limit. Nothing in the vocabulary may add people,
 * violence or anything else the user did not ask for.
 */
const phraseSchema = z.string().min(1).max(75);
/** A phrase alone, or with the facets it implies. */
const entrySchema = z.union([phraseSchema, z.tuple([phraseSchema, facetsSchema])]);
type Entry = z.output<typeof entrySchema>;
const wordsSchema = z.array(z.string().min(1)).min(1);

const vocabularySchema = z
  .object({
    /** Noun phrases with an article ("a fine-art landscape photograph"); each must carry its medium. */
    style: z.array(z.tuple([phraseSchema, facetsSchema.required({ medium: true })])).min(1),
    /** Participial or prepositional phrases that follow the style ("bathed in ..."). */
    lighting: z.array(entrySchema).min(1),
    /** Noun phrases without "with", because the sentence template joins the detail with "with". */
    composition: z.array(entrySchema).min(1),
    /** Noun phrases. */
    detail: z.array(entrySchema).min(1),
  })
  .strict();

/** What the user already said. A named medium replaces the topic's style phrase (the user's choice wins). */
const mediumCueSchema = z
  .object({
    medium: facetsSchema.shape.medium.unwrap(),
    words: wordsSchema,
    /** Phrases that reinforce the named medium; empty when we add no style wording at all. */
    reinforcement: z.array(phraseSchema),
  })
  .strict();

const vocabularyFileSchema = z
  .object({
    topics: z.array(
      z
        .object({
          name: z.string().min(1),
          /** Genre words that name the topic outright; they outweigh incidental keywords. */
          cues: wordsSchema,
          keywords: wordsSchema,
          vocabulary: vocabularySchema,
        })
        .strict(),
    ),
    /** For prompts no topic matches. */
    general: vocabularySchema,
    /** Closing sentences; medium-neutral, because they follow whichever style was chosen. */
    finishes: z.array(phraseSchema).min(1),
    mediumCues: z.array(mediumCueSchema),
    /** Style words that do not name a medium; consulted only when no medium is named. */
    weakStyleCues: z.array(mediumCueSchema),
    /** Words that settle a facet ("at night", "close-up"), so the additions agree with them. */
    moodCues: z.array(z.object({ facets: facetsSchema, words: wordsSchema }).strict()),
    /** Explicit lighting: the user's description stands, and we add none of our own. */
    lightingWords: wordsSchema,
    /** Words ending in a full stop that do not end a sentence ("Dr. Who"). */
    abbreviations: wordsSchema,
  })
  .strict();

type Topic = z.output<typeof vocabularyFileSchema>['topics'][number];

interface Phrase {
  text: string;
  facets: Facets;
}

const VOCABULARY = vocabularyFileSchema.parse(vocabularyFile);
const TOPICS = VOCABULARY.topics;
const GENERAL = VOCABULARY.general;
const FINISHES = VOCABULARY.finishes;
const MEDIUM_CUES = VOCABULARY.mediumCues;
const WEAK_STYLE_CUES = VOCABULARY.weakStyleCues;
const MOOD_CUES = VOCABULARY.moodCues;
const LIGHTING_GIVEN = wordPattern(VOCABULARY.lightingWords);
const ABBREVIATIONS: ReadonlySet<string> = new Set(VOCABULARY.abbreviations);

// ---------------------------------------------------------------------------------------------------

function enhanceLocally(prompt: string): string {
  const normalised = normalise(prompt);
  const vocabulary = detectTopic(normalised)?.vocabulary ?? GENERAL;
  const medium = earliest(normalised, MEDIUM_CUES) ?? earliest(normalised, WEAK_STYLE_CUES);
  const context: Facets = { ...moodFacets(normalised), ...(medium && { medium: medium.medium }) };

  const choose = (slot: string, entries: readonly Entry[]): Phrase | undefined => {
    const phrase = pickCompatible(entries, context, `${slot}\u0000${normalised}`);
    // Later slots must agree with what earlier ones committed to (a style's medium, a lighting's time).
    if (phrase) Object.assign(context, { ...phrase.facets, ...context });
    return phrase;
  };

  const style = medium
    ? pickText(medium.reinforcement, `style\u0000${normalised}`)
    : choose('style', vocabulary.style)?.text;
  const lighting = LIGHTING_GIVEN.test(normalised) ? undefined : choose('lighting', vocabulary.lighting)?.text;
  const composition = choose('composition', vocabulary.composition)?.text;
  const detail = choose('detail', vocabulary.detail)?.text;

  const sentences = [
    subjectOf(prompt),
    [style, lighting].filter((part) => part !== undefined).join(', '),
    [composition, detail].filter((part) => part !== undefined).join(', with '),
    // Half of the prompts get a closing sentence, so enhanced prompts do not all share one shape.
    hash(`finish-or-not\u0000${normalised}`) % 2 === 0 ? pickText(FINISHES, `finish\u0000${normalised}`) : undefined,
  ]
    .filter((sentence): sentence is string => sentence !== undefined && sentence !== '')
    .map((sentence) => `${capitalise(sentence)}.`);

  // The vocabulary keeps a 500-character prompt far below the limit; this only guards longer input.
  while (sentences.length > 2 && sentences.join(' ').length > GENERATION_LIMITS.promptMaxLength) sentences.pop();
  return sentences.join(' ');
}

/** The prompt as matched and hashed: case, spacing, apostrophes and trailing punctuation do not matter. */
function normalise(prompt: string): string {
  return prompt
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s.,;:!?\u2026-]+$/u, '');
}

/**
 * The user's own words as one sentence. Inner sentence breaks become semicolons, so the enhanced prompt
 * keeps its 2-4 sentence shape however the user punctuated.
 */
function subjectOf(prompt: string): string | undefined {
  const words = prompt.replace(/\s+/g, ' ').trim().split(' ');
  const joined: string[] = [];
  words.forEach((word, i) => {
    const match = /^(.*?)[.!?\u2026]+(["'\u201d\u2019)\]]*)$/u.exec(word);
    if (!match || i === words.length - 1) {
      joined.push(word);
      return;
    }
    const [, body, closers] = match;
    if (ABBREVIATIONS.has(body.toLowerCase()) || /^\p{L}$/u.test(body)) {
      joined.push(word); // "Dr. Who", "J. R. R. Tolkien"
    } else if (body === '' && closers === '') {
      const last = joined.length - 1;
      if (last >= 0 && !/[,;:]$/.test(joined[last])) joined[last] += ';';
    } else {
      joined.push(`${body}${closers};`);
    }
  });
  const subject = joined
    .join(' ')
    .replace(/[\s.,;:!?\u2026\u2013\u2014-]+$/u, '')
    .replace(/[.,;:!?\u2026]+(["'\u201d\u2019)\]]+)$/u, '$1');
  return subject === '' ? undefined : subject;
}

function capitalise(text: string): string {
  // Leave brand-like words ("iPhone") alone.
  return text.replace(
    /^(\P{L}*)(\p{Ll})(?!\p{Lu})/u,
    (_, before: string, letter: string) => before + letter.toUpperCase(),
  );
}

// ---------------------------------------------------------------------------------------------------
// Matching

/** Whole words or phrases; spaces and hyphens are interchangeable, and common plurals match. */
function wordPattern(words: readonly string[], flags = 'u'): RegExp {
  const alternatives = words.map((word) => {
    const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[ -]/g, '[ -]?');
    if (/[^aeiou]y$/.test(word)) return `${escaped.slice(0, -1)}(?:y|ies)`;
    if (/man$/.test(word)) return `${escaped.slice(0, -3)}m(?:an|en)`;
    if (/[a-z]$/.test(word)) return `${escaped}(?:e?s)?`;
    return escaped;
  });
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, flags);
}

interface CompiledTopic {
  topic: Topic;
  cues: RegExp;
  keywords: RegExp;
}

const COMPILED_TOPICS: readonly CompiledTopic[] = TOPICS.map((topic) => ({
  topic,
  cues: wordPattern(topic.cues, 'gu'),
  keywords: wordPattern(topic.keywords, 'gu'),
}));

const CUE_WEIGHT = 3;

/** The topic with the most keyword hits; on a tie, the one mentioned first, which is usually the subject. */
function detectTopic(text: string): Topic | undefined {
  let best: { topic: Topic; score: number; first: number } | undefined;
  for (const { topic, cues, keywords } of COMPILED_TOPICS) {
    const cueHits = [...text.matchAll(cues)];
    const keywordHits = [...text.matchAll(keywords)];
    const score = CUE_WEIGHT * cueHits.length + keywordHits.length;
    if (score === 0) continue;
    const first = Math.min(...[...cueHits, ...keywordHits].map((hit) => hit.index ?? 0));
    if (!best || score > best.score || (score === best.score && first < best.first)) best = { topic, score, first };
  }
  return best?.topic;
}

const compiledCues = new Map<readonly string[], RegExp>();

function firstIndex(text: string, words: readonly string[]): number {
  let pattern = compiledCues.get(words);
  if (!pattern) {
    pattern = wordPattern(words);
    compiledCues.set(words, pattern);
  }
  return text.search(pattern);
}

/** The cue mentioned first, since "a photo of an oil painting" is a photo. */
function earliest<T extends { words: readonly string[] }>(text: string, cues: readonly T[]): T | undefined {
  let best: { cue: T; index: number } | undefined;
  for (const cue of cues) {
    const index = firstIndex(text, cue.words);
    if (index >= 0 && (!best || index < best.index)) best = { cue, index };
  }
  return best?.cue;
}

/** Each facet takes the value the user mentioned first ("foggy morning, clearing by noon" is foggy). */
function moodFacets(text: string): Facets {
  const hits = MOOD_CUES.map((cue) => ({ cue, index: firstIndex(text, cue.words) }))
    .filter((hit) => hit.index >= 0)
    .sort((a, b) => a.index - b.index);
  const facets: Facets = {};
  for (const { cue } of hits) Object.assign(facets, { ...cue.facets, ...facets });
  return facets;
}

// ---------------------------------------------------------------------------------------------------
// Choosing

function toPhrase(entry: Entry): Phrase {
  return typeof entry === 'string' ? { text: entry, facets: {} } : { text: entry[0], facets: entry[1] };
}

function conflicts(phrase: Phrase, context: Facets): boolean {
  return (Object.keys(phrase.facets) as FacetName[]).some(
    (facet) => context[facet] !== undefined && context[facet] !== phrase.facets[facet],
  );
}

/**
 * Among the phrases that contradict nothing, those echoing most of what is settled (the user's "at night"
 * or "close-up", the mood of the style already chosen) win, so the additions reinforce rather than merely
 * tolerate it; the hash picks within them.
 */
function pickCompatible(entries: readonly Entry[], context: Facets, key: string): Phrase | undefined {
  const compatible = entries.map(toPhrase).filter((phrase) => !conflicts(phrase, context));
  const agreement = (phrase: Phrase) =>
    PREFERRED_FACETS.filter((facet) => context[facet] !== undefined && phrase.facets[facet] === context[facet]).length;
  const best = Math.max(...compatible.map(agreement));
  const preferred = compatible.filter((phrase) => agreement(phrase) === best);
  return preferred.length === 0 ? undefined : preferred[hash(key) % preferred.length];
}

function pickText(texts: readonly string[], key: string): string | undefined {
  return texts.length === 0 ? undefined : texts[hash(key) % texts.length];
}

/** FNV-1a with a final avalanche, so prompts differing by one letter still pick independently. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
