import characters from './characters.json';

/**
 * How the content filter reads a text, prompt and terms alike: normalised (look-alikes, NFKD, accents,
 * invisible characters, case), cut into tokens (runs of letters, digits and look-alike symbols) with
 * what separates each from the next, and words compared with their repeated letters collapsed. The
 * rules are stated in content-filter.ts.
 */

const LOOK_ALIKES: ReadonlyMap<string, string> = new Map(Object.entries(characters.lookAlikes));
const LEET: ReadonlyMap<string, string> = new Map(Object.entries(characters.leet));

const escapeClass = (chars: Iterable<string>): string => [...chars].map((ch) => ch.replace(/[\\\]^-]/g, '\\$&')).join('');
const LOOK_ALIKE = new RegExp(`[${escapeClass(LOOK_ALIKES.keys())}]`, 'gu');
const LEET_CHARS = new RegExp(`[${escapeClass(LEET.keys())}]`, 'g');
const readLookAlike = (ch: string): string => LOOK_ALIKES.get(ch) ?? ch;
const readLeet = (ch: string): string => LEET.get(ch) ?? ch;

// Character classes of the prepared prompt.
const OTHER = 0;
const LETTER = 1;
const DIGIT = 2;
/** A look-alike symbol (LEET): a letter inside a word, punctuation elsewhere. */
const SYMBOL = 3;
const SPACE = 4;
/** Joins pieces of a word ('n.u.d.e') but, as it usually ends a sentence, never the words of a phrase. */
const DOT = 5;
/** Joins pieces of a word and the words of a phrase ('n-u-d-e', 'child-abuse'). */
const JOINER = 6;

const ASCII_CLASS = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const ch = String.fromCharCode(code);
  if (ch >= 'a' && ch <= 'z') ASCII_CLASS[code] = LETTER;
  else if (ch >= '0' && ch <= '9') ASCII_CLASS[code] = DIGIT;
  else if (LEET.has(ch)) ASCII_CLASS[code] = SYMBOL;
  else if (/\s/.test(ch)) ASCII_CLASS[code] = SPACE;
  else if (ch === '.') ASCII_CLASS[code] = DOT;
  else if ("-_*~'`/\\+".includes(ch)) ASCII_CLASS[code] = JOINER;
  else ASCII_CLASS[code] = OTHER;
}
const UNICODE_JOINERS = new Set(['’', '‘', '·', '•']);
/** Symbols that are punctuation at the edge of a word and letters only inside one ('nude!' is not 'nudei'). */
const EDGE_SYMBOLS = new Set(['!', '|']);
/** A single one of these between letters may hide a letter ('p*rn'). */
const WILDCARDS = new Set(['*', '_', '?']);
export const WILDCARD = '?';
const MAX_JOIN_GAP = 3;
/** Stops joining pieces once a candidate word is this long, so a long run of pieces costs linear time. */
export const MAX_CANDIDATE_CHARS = 32;
/** Most pieces a word split by spaces is read from ('n u de' is three). */
export const MAX_SPACED_PIECES = 4;

const INVISIBLE = /[\p{M}\p{Cf}]/gu;
const NON_ASCII = /[^\p{ASCII}]/u;
const EMPTY_PARENS = /(?<=\p{L})\(\)(?=\p{L})/gu;
const ANY_LETTER = /\p{L}/u;
const NON_NUMBERS = /\P{N}/gu;
const UNICODE_LETTER = /^\p{L}/u;
const UNICODE_NUMBER = /^\p{N}/u;
const UNICODE_SPACE = /^\s/u;

/** Case, look-alikes, compatibility forms, accents and invisible characters folded away. */
function normalise(text: string): string {
  let s = text;
  if (NON_ASCII.test(s)) {
    // Before NFKD too: it would turn '⒩' into '(n)', and capitals must be read before case folding
    // ('Ν', Greek capital nu, is an 'n'; its small letter 'ν' is a 'v').
    s = s.replace(LOOK_ALIKE, readLookAlike).normalize('NFKD').replace(INVISIBLE, '').toLowerCase().replace(LOOK_ALIKE, readLookAlike);
  } else {
    s = s.toLowerCase();
  }
  return s.includes('()') ? s.replace(EMPTY_PARENS, 'o') : s;
}

function classify(s: string, i: number): number {
  const code = s.charCodeAt(i);
  if (code < 128) return ASCII_CLASS[code];
  const ch = s.slice(i, i + 2);
  if (UNICODE_LETTER.test(ch)) return LETTER;
  if (UNICODE_NUMBER.test(ch)) return DIGIT;
  if (UNICODE_SPACE.test(ch)) return SPACE;
  if (LEET.has(s[i])) return SYMBOL;
  return UNICODE_JOINERS.has(s[i]) ? JOINER : OTHER;
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

export interface Token {
  /** With look-alike digits and symbols read as letters. */
  readonly leet: string;
  /** leet with repeated letters collapsed: every word read from this token begins with it. */
  readonly key: string;
  /** Digits only: a word without letters is a number unless joined to letters. */
  readonly plain: string;
  readonly hasLetter: boolean;
  readonly single: boolean;
}

/** The separator text between two tokens, summarised. */
class Gap {
  length = 0;
  /** Only dots and joiners. */
  tight = true;
  /** Only dots, joiners and whitespace. */
  loose = true;
  /** Only joiners and whitespace. */
  phrase = true;
  /** Only whitespace. */
  blank = true;
  /** Exactly one wildcard character. */
  wildcard = false;

  add(cls: number, ch: string): void {
    this.length++;
    this.tight &&= cls === DOT || cls === JOINER;
    this.loose &&= cls === DOT || cls === JOINER || cls === SPACE;
    this.phrase &&= cls === JOINER || cls === SPACE;
    this.blank &&= cls === SPACE;
    this.wildcard = this.length === 1 && WILDCARDS.has(ch);
  }
}

export interface Tokens {
  readonly tokens: readonly Token[];
  /** Index k: between token k and k+1. May the two be read as one word? */
  readonly joinable: readonly boolean[];
  /** Index k: may the two be read as one word split by spaces (then only as a whole term)? */
  readonly spaced: readonly boolean[];
  /** Index k: are the two joined by joiners only, as pieces of one written word ('sister's')? */
  readonly tight: readonly boolean[];
  /** Index k: may the character between the two stand for a hidden letter? */
  readonly wildcard: readonly boolean[];
  /** Index k: may a word end after token k (and the next begin at k+1)? */
  readonly boundary: readonly boolean[];
  /** Index k: may the words of a multi-word term be separated here? */
  readonly phrase: readonly boolean[];
}

export function tokenize(text: string): Tokens {
  const s = normalise(text);
  const tokens: Token[] = [];
  const gaps: Gap[] = []; // gaps[k]: the separator before tokens[k]
  let gap = new Gap();

  const endRun = (start: number, end: number): void => {
    let from = start;
    let to = end;
    while (from < to && EDGE_SYMBOLS.has(s[from])) from++;
    while (to > from && EDGE_SYMBOLS.has(s[to - 1])) to--;
    for (let k = start; k < from; k++) gap.add(OTHER, s[k]);
    const core = s.slice(from, to);
    const hasLetter = ANY_LETTER.test(core);
    // Without a letter, symbols are punctuation and digits a number ('$500', '2024').
    const kept = hasLetter ? core : core.replace(NON_NUMBERS, '');
    if (kept) {
      gaps.push(gap);
      gap = new Gap();
      const leet = kept.replace(LEET_CHARS, readLeet);
      tokens.push({
        leet,
        key: collapsedKey(hasLetter ? leet : kept),
        plain: hasLetter ? '' : kept,
        hasLetter,
        single: kept.length === 1,
      });
    } else {
      for (let k = from; k < to; k++) gap.add(OTHER, s[k]);
    }
    for (let k = to; k < end; k++) gap.add(OTHER, s[k]);
  };

  let runStart = -1;
  for (let i = 0; i < s.length; i++) {
    const cls = classify(s, i);
    if (cls === LETTER || cls === DIGIT || cls === SYMBOL) {
      if (runStart < 0) runStart = i;
    } else {
      if (runStart >= 0) endRun(runStart, i);
      runStart = -1;
      gap.add(cls, s[i]);
    }
    if (isHighSurrogate(s.charCodeAt(i))) i++;
  }
  if (runStart >= 0) endRun(runStart, s.length);

  const joinable: boolean[] = [];
  const spaced: boolean[] = [];
  const tight: boolean[] = [];
  const wildcard: boolean[] = [];
  const boundary: boolean[] = [];
  const phrase: boolean[] = [];
  let previousPlainBoundary = true;
  for (let k = 0; k + 1 < tokens.length; k++) {
    const between = gaps[k + 1];
    const short = between.length <= MAX_JOIN_GAP;
    const bothSingle = tokens[k].single && tokens[k + 1].single;
    const bothLetters = tokens[k].hasLetter && tokens[k + 1].hasLetter;
    // 'n.u.d.e n.u.d.e', 'a n.u.d.e': whitespace next to a dotted run of letters separates words.
    // (A gap between two tokens is never empty, so a tight one holds dots or joiners.)
    const dottedBefore = k > 0 && tokens[k - 1].single && gaps[k].tight;
    const dottedAfter = k + 2 < tokens.length && tokens[k + 2].single && gaps[k + 2].tight;
    const splitsSpelling = bothSingle && between.blank && (dottedBefore || dottedAfter);
    joinable[k] = short && !splitsSpelling && (between.tight || (between.loose && bothSingle));
    spaced[k] = short && between.blank && !bothSingle && bothLetters;
    tight[k] = between.tight;
    wildcard[k] = between.wildcard && bothLetters;
    const plainBoundary = !(joinable[k] && bothSingle);
    // 'a n u d e': a standalone article in front of a spelled-out word is not part of it. Only the first
    // single of a run qualifies, so 'a a a a …' does not turn every letter into a word start.
    const article =
      previousPlainBoundary && between.blank && tokens[k].hasLetter && (tokens[k].leet === 'a' || tokens[k].leet === 'i');
    boundary[k] = plainBoundary || article;
    previousPlainBoundary = plainBoundary;
    phrase[k] = between.phrase;
  }
  return { tokens, joinable, spaced, tight, wildcard, boundary, phrase };
}

export interface Word {
  /** The word with repeated letters collapsed. */
  readonly key: string;
  /** How often each letter of key was repeated. */
  readonly runs: readonly number[];
}

/** Collapses repeated letters as text is appended, so joining many pieces stays linear. */
export class Collapser {
  key = '';
  runs: number[] = [];
  length = 0;
  private last = '';

  append(text: string): this {
    for (const ch of text) {
      if (ch === this.last) {
        this.runs[this.runs.length - 1]++;
      } else {
        this.key += ch;
        this.runs.push(1);
        this.last = ch;
      }
    }
    this.length += text.length;
    return this;
  }

  copy(): Collapser {
    const copy = new Collapser();
    copy.key = this.key;
    copy.runs = [...this.runs];
    copy.length = this.length;
    copy.last = this.last;
    return copy;
  }

  word(): Word {
    return { key: this.key, runs: [...this.runs] };
  }
}

export function collapsedKey(text: string): string {
  let key = '';
  let last = '';
  for (const ch of text) {
    if (ch !== last) key += ch;
    last = ch;
  }
  return key;
}

export function collapse(text: string): Word {
  return new Collapser().append(text).word();
}
