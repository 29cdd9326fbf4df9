/**
 * Word-list content filter for prompts: a cheap first gate in front of the image models, not a classifier.
 * It cannot judge context ("a statue of a nude" is refused the same as anything else containing 'nude');
 * the goal is to stop the obvious requests and their common disguises without refusing ordinary prompts.
 *
 * Policy (the tests in content-filter.spec.ts pin each point):
 *
 * - Whole words only. A term matches a whole word of the prompt, never part of one, so 'Sussex', 'Essex',
 *   'Middlesex', 'sextant', 'unisex', 'therapist', 'grape', 'rapeseed', 'snaked', 'Scunthorpe', 'class',
 *   'assassin', 'cocktail' and 'analysis' pass whatever the list holds. Substring matching refuses too much
 *   ordinary English to be worth what it catches.
 * - 'asexual reproduction in plants' is allowed because 'asexual' is a different word from 'sex' and 'sexual',
 *   not because of the allowlist. It is deliberately absent from DEFAULT_ALLOWED_TERMS: an entry there would
 *   suggest the matcher looks inside words. 'sexual reproduction' is in the allowlist, because 'sexual' is blocked.
 * - No automatic inflection: 'nude' does not match 'nudes'; the list spells out the forms it blocks, so what
 *   is refused can be read off the list.
 * - Before matching, prompt and terms are normalised the same way: case-folded; NFKD with combining marks and
 *   invisible format characters (zero-width space, soft hyphen) removed, so 'nüde', 'ｎｕｄｅ' and 'nu\u200Bde'
 *   read 'nude'; a few Cyrillic/Greek look-alike letters read as Latin ('sеx' with a Cyrillic 'е').
 * - Look-alike digits and symbols (0→o 1→i 3→e 4→a 5→s 7→t @→a $→s !→i |→l) count as letters only in a word
 *   that has a real letter, so numbers stay numbers ('2024', '$500', 'route 66'). '!' and '|' at either end of
 *   a word are punctuation ('nude!' is 'nude', not 'nudei').
 * - Repeated letters: 'nuuuude' matches 'nude'. Prompt and term are both compared with repeats collapsed, and the
 *   prompt must repeat each letter at least as often as the term does; otherwise a term like 'ass' would,
 *   collapsed to 'as', refuse the word 'as'.
 * - Separators inside a word: up to three joiner characters without whitespace (. - _ * ~ ' / + and similar)
 *   join the pieces on either side ('nu.de', 'n-u-d-e', 'n*u*d*e'); whitespace joins only single characters,
 *   i.e. a word spelled letter by letter ('n u d e', 'n . u . d . e'). Whitespace never joins longer pieces,
 *   since ordinary text would then form terms ('por no' in Spanish). A spelled-out run is one word: a match can
 *   neither start nor end inside it ('s e x t a n t' is 'sextant'), except after a leading standalone 'a' or 'i'
 *   ('a n u d e' is 'a' + 'nude').
 * - Multi-word terms ('child abuse') match their words in order, separated by whitespace or joiners but not by
 *   sentence punctuation ('a child. Abuse of power…' passes), and also written as one word ('childabuse').
 * - The allowlist is matched the same way first; its matches are removed from consideration, so
 *   'naked eye' passes but 'the naked eye of a naked woman' is refused for the second 'naked'.
 *
 * Known gaps, accepted: pieces of a word split by spaces ('nu de'), '*' standing for a letter ('p*rn'),
 * misspellings, and languages other than English.
 */

export type ContentCheckResult = { readonly ok: true } | { readonly ok: false; readonly term: string };

export interface ContentFilterOptions {
  /** Terms to refuse, one or more words each; matched as described in the module comment. */
  readonly blocked: readonly string[];
  /** Phrases that are fine although they contain a blocked term. */
  readonly allowed: readonly string[];
}

export const DEFAULT_BLOCKED_TERMS: readonly string[] = Object.freeze([
  // Sexual content.
  'nude',
  'nudes',
  'nudity',
  'naked',
  'topless',
  'porn',
  'porno',
  'pornography',
  'pornographic',
  'nsfw',
  'sex',
  'sexy',
  'sexual',
  'erotic',
  'hentai',
  'rape',
  'raped',
  'rapist',
  'molested',
  'child abuse',
  // Graphic violence.
  'gore',
  'gory',
  'beheading',
  'beheaded',
  'decapitated',
  'dismembered',
  'mutilated',
  'disembowelled',
]);

/** Only phrases that contain a blocked term belong here; the spec checks that each one would otherwise be refused. */
export const DEFAULT_ALLOWED_TERMS: readonly string[] = Object.freeze([
  'sexual reproduction',
  'sexual selection',
  'sexual dimorphism',
  'sex chromosome',
  'sex chromosomes',
  'naked eye',
  'naked mole rat',
  'naked mole rats',
  'oilseed rape',
  'al gore',
  'gore-tex',
]);

const OK: ContentCheckResult = Object.freeze({ ok: true });

// Letters NFKD leaves alone but people read as Latin ones.
const FOLD: ReadonlyMap<string, string> = new Map([
  ['ß', 'ss'],
  ['æ', 'ae'],
  ['œ', 'oe'],
  ['ø', 'o'],
  ['đ', 'd'],
  ['ð', 'd'],
  ['ł', 'l'],
  ['ı', 'i'],
  ['ħ', 'h'],
  // Cyrillic and Greek look-alikes, a classic way past Latin word lists.
  ['а', 'a'],
  ['е', 'e'],
  ['о', 'o'],
  ['р', 'p'],
  ['с', 'c'],
  ['х', 'x'],
  ['у', 'y'],
  ['і', 'i'],
  ['ѕ', 's'],
  ['ј', 'j'],
  ['α', 'a'],
  ['ε', 'e'],
  ['ι', 'i'],
  ['κ', 'k'],
  ['ν', 'v'],
  ['ο', 'o'],
]);

const readFold = (ch: string): string => FOLD.get(ch) ?? ch;

const LEET: ReadonlyMap<string, string> = new Map([
  ['0', 'o'],
  ['1', 'i'],
  ['3', 'e'],
  ['4', 'a'],
  ['5', 's'],
  ['7', 't'],
  ['@', 'a'],
  ['$', 's'],
  ['!', 'i'],
  ['|', 'l'],
]);

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
const MAX_JOIN_GAP = 3;
/** Stops joining pieces once a candidate word is this long, so a long run of pieces costs linear time. */
const MAX_CANDIDATE_CHARS = 32;

const INVISIBLE = /[\p{M}\p{Cf}]/gu;
const NON_ASCII = /[^\p{ASCII}]/u;
const FOLDABLE = new RegExp(`[${[...FOLD.keys()].join('')}]`, 'g');
const LEET_CHARS = /[013457@$!|]/g;
const ANY_LETTER = /\p{L}/u;
const NON_NUMBERS = /\P{N}/gu;
const UNICODE_LETTER = /^\p{L}/u;
const UNICODE_NUMBER = /^\p{N}/u;
const UNICODE_SPACE = /^\s/u;

function classify(s: string, i: number): number {
  const code = s.charCodeAt(i);
  if (code < 128) return ASCII_CLASS[code];
  const ch = s.slice(i, i + 2);
  if (UNICODE_LETTER.test(ch)) return LETTER;
  if (UNICODE_NUMBER.test(ch)) return DIGIT;
  if (UNICODE_SPACE.test(ch)) return SPACE;
  return UNICODE_JOINERS.has(s[i]) ? JOINER : OTHER;
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const readLeet = (ch: string): string => LEET.get(ch) ?? ch;

interface Token {
  /** With look-alike digits and symbols read as letters. */
  readonly leet: string;
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

  add(cls: number): void {
    this.length++;
    this.tight &&= cls === DOT || cls === JOINER;
    this.loose &&= cls === DOT || cls === JOINER || cls === SPACE;
    this.phrase &&= cls === JOINER || cls === SPACE;
    this.blank &&= cls === SPACE;
  }
}

interface Tokens {
  readonly tokens: readonly Token[];
  /** Index k: between token k and k+1. May the two be read as one word? */
  readonly joinable: readonly boolean[];
  /** Index k: may a word end after token k (and the next begin at k+1)? */
  readonly boundary: readonly boolean[];
  /** Index k: may the words of a multi-word term be separated here? */
  readonly phrase: readonly boolean[];
}

function tokenize(text: string): Tokens {
  let s = text.normalize('NFKD').replace(INVISIBLE, '').toLowerCase();
  if (NON_ASCII.test(s)) s = s.replace(FOLDABLE, readFold);
  const tokens: Token[] = [];
  const gaps: Gap[] = []; // gaps[k]: the separator before tokens[k]
  let gap = new Gap();

  const endRun = (start: number, end: number): void => {
    let from = start;
    let to = end;
    while (from < to && EDGE_SYMBOLS.has(s[from])) from++;
    while (to > from && EDGE_SYMBOLS.has(s[to - 1])) to--;
    for (let k = start; k < from; k++) gap.add(OTHER);
    const core = s.slice(from, to);
    const hasLetter = ANY_LETTER.test(core);
    // Without a letter, symbols are punctuation and digits a number ('$500', '2024').
    const kept = hasLetter ? core : core.replace(NON_NUMBERS, '');
    if (kept) {
      gaps.push(gap);
      gap = new Gap();
      tokens.push({
        leet: kept.replace(LEET_CHARS, readLeet),
        plain: hasLetter ? '' : kept,
        hasLetter,
        single: kept.length === 1,
      });
    } else {
      for (let k = from; k < to; k++) gap.add(OTHER);
    }
    for (let k = to; k < end; k++) gap.add(OTHER);
  };

  let runStart = -1;
  for (let i = 0; i < s.length; i++) {
    const cls = classify(s, i);
    if (cls === LETTER || cls === DIGIT || cls === SYMBOL) {
      if (runStart < 0) runStart = i;
    } else {
      if (runStart >= 0) endRun(runStart, i);
      runStart = -1;
      gap.add(cls);
    }
    if (isHighSurrogate(s.charCodeAt(i))) i++;
  }
  if (runStart >= 0) endRun(runStart, s.length);

  const joinable: boolean[] = [];
  const boundary: boolean[] = [];
  const phrase: boolean[] = [];
  let previousPlainBoundary = true;
  for (let k = 0; k + 1 < tokens.length; k++) {
    const between = gaps[k + 1];
    const short = between.length <= MAX_JOIN_GAP;
    const bothSingle = tokens[k].single && tokens[k + 1].single;
    // 'n.u.d.e n.u.d.e', 'a n.u.d.e': whitespace next to a dotted run of letters separates words.
    // (A gap between two tokens is never empty, so a tight one holds dots or joiners.)
    const dottedBefore = k > 0 && tokens[k - 1].single && gaps[k].tight;
    const dottedAfter = k + 2 < tokens.length && tokens[k + 2].single && gaps[k + 2].tight;
    const splitsSpelling = bothSingle && between.blank && (dottedBefore || dottedAfter);
    joinable[k] = short && !splitsSpelling && (between.tight || (between.loose && bothSingle));
    const plainBoundary = !(joinable[k] && bothSingle);
    // 'a n u d e': a standalone article in front of a spelled-out word is not part of it. Only the first
    // single of a run qualifies, so 'a a a a …' does not turn every letter into a word start.
    const article =
      previousPlainBoundary && between.blank && tokens[k].hasLetter && (tokens[k].leet === 'a' || tokens[k].leet === 'i');
    boundary[k] = plainBoundary || article;
    previousPlainBoundary = plainBoundary;
    phrase[k] = between.phrase;
  }
  return { tokens, joinable, boundary, phrase };
}

interface Word {
  /** The word with repeated letters collapsed. */
  readonly key: string;
  /** How often each letter of key was repeated. */
  readonly runs: readonly number[];
}

/** Collapses repeated letters as text is appended, so joining many pieces stays linear. */
class Collapser {
  key = '';
  readonly runs: number[] = [];
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

  word(): Word {
    return { key: this.key, runs: [...this.runs] };
  }
}

function collapse(text: string): Word {
  return new Collapser().append(text).word();
}

/** The prompt's word may repeat letters more than the term does, never less ('as' is not 'ass'). */
function stretches(text: readonly number[], term: readonly number[]): boolean {
  for (let r = 0; r < term.length; r++) if (text[r] < term[r]) return false;
  return true;
}

interface Candidate extends Word {
  /** Index of the candidate's last token. */
  readonly end: number;
}

interface CompiledTerm {
  readonly term: string;
  readonly words: readonly Word[];
}

class TermIndex {
  readonly byFirstWord = new Map<string, CompiledTerm[]>();
  readonly keys = new Set<string>();

  constructor(terms: readonly string[], list: string) {
    for (const term of terms) {
      const { tokens } = tokenize(term);
      if (tokens.length === 0) throw new Error(`${list} term ${JSON.stringify(term)} has no letters or digits`);
      const words = tokens.map((token) => collapse(token.hasLetter ? token.leet : token.plain));
      this.add({ term, words });
      if (words.length > 1) {
        const hasLetter = tokens.some((token) => token.hasLetter);
        const joined = tokens.map((token) => (hasLetter ? token.leet : token.plain)).join('');
        this.add({ term, words: [collapse(joined)] });
      }
    }
  }

  get size(): number {
    return this.byFirstWord.size;
  }

  private add(compiled: CompiledTerm): void {
    const first = compiled.words[0].key;
    const bucket = this.byFirstWord.get(first);
    if (bucket) bucket.push(compiled);
    else this.byFirstWord.set(first, [compiled]);
    for (const word of compiled.words) this.keys.add(word.key);
  }
}

interface TermKeys {
  /** Every word of every term: only candidates equal to one of these are kept. */
  readonly keys: ReadonlySet<string>;
  /** Every prefix of those: lets a candidate stop growing as soon as it cannot become one. */
  readonly prefixes: ReadonlySet<string>;
}

function termKeys(indexes: readonly TermIndex[]): TermKeys {
  const keys = new Set<string>();
  const prefixes = new Set<string>();
  for (const index of indexes) {
    for (const key of index.keys) {
      keys.add(key);
      for (let length = 1; length <= key.length; length++) prefixes.add(key.slice(0, length));
    }
  }
  return { keys, prefixes };
}

/** One prompt's tokens, with the candidate words at each position computed once and shared by both lists. */
class Scan {
  private readonly cache: (readonly Candidate[] | undefined)[] = [];

  constructor(
    readonly t: Tokens,
    private readonly terms: TermKeys,
  ) {}

  get length(): number {
    return this.t.tokens.length;
  }

  /** The words that start at token i: the token alone, and it joined to the following ones where allowed. */
  candidatesAt(i: number): readonly Candidate[] {
    const cached = this.cache[i];
    if (cached) return cached;
    const { tokens, joinable, boundary } = this.t;
    const { keys, prefixes } = this.terms;
    const found: Candidate[] = [];
    if (i === 0 || boundary[i - 1]) {
      // Until a piece with a letter joins, digits are a number; both readings are kept until then.
      const leet = new Collapser();
      const plain = new Collapser();
      let hasLetter = false;
      for (let j = i; j < tokens.length; j++) {
        if (j > i && (!joinable[j - 1] || leet.length > MAX_CANDIDATE_CHARS)) break;
        leet.append(tokens[j].leet);
        if (!hasLetter) plain.append(tokens[j].plain);
        hasLetter ||= tokens[j].hasLetter;
        // Keys only grow as pieces are added: once no term word starts this way, none further along will.
        if (!prefixes.has(leet.key) && (hasLetter || !prefixes.has(plain.key))) break;
        const current = hasLetter ? leet : plain;
        const atBoundary = j === tokens.length - 1 || boundary[j];
        if (atBoundary && keys.has(current.key)) found.push({ ...current.word(), end: j });
      }
    }
    this.cache[i] = found;
    return found;
  }
}

function isFree(masked: Uint8Array | undefined, from: number, to: number): boolean {
  if (!masked) return true;
  for (let k = from; k <= to; k++) if (masked[k]) return false;
  return true;
}

/** The leftmost-starting term of index at token i: its text and the index of its last token. */
function matchAt(
  scan: Scan,
  index: TermIndex,
  i: number,
  masked?: Uint8Array,
): { term: string; end: number } | undefined {
  for (const candidate of scan.candidatesAt(i)) {
    if (!isFree(masked, i, candidate.end)) continue;
    for (const compiled of index.byFirstWord.get(candidate.key) ?? []) {
      if (!stretches(candidate.runs, compiled.words[0].runs)) continue;
      const end = matchRest(scan, compiled, 1, candidate.end, masked);
      if (end !== undefined) return { term: compiled.term, end };
    }
  }
  return undefined;
}

function matchRest(
  scan: Scan,
  compiled: CompiledTerm,
  w: number,
  previousEnd: number,
  masked: Uint8Array | undefined,
): number | undefined {
  if (w === compiled.words.length) return previousEnd;
  const start = previousEnd + 1;
  if (start >= scan.length || !scan.t.phrase[previousEnd]) return undefined;
  const word = compiled.words[w];
  for (const candidate of scan.candidatesAt(start)) {
    if (candidate.key !== word.key || !stretches(candidate.runs, word.runs)) continue;
    if (!isFree(masked, start, candidate.end)) continue;
    const end = matchRest(scan, compiled, w + 1, candidate.end, masked);
    if (end !== undefined) return end;
  }
  return undefined;
}

export class ContentFilter {
  private readonly blocked: TermIndex;
  private readonly allowed: TermIndex;
  private readonly terms: TermKeys;

  /** Throws if a term has nothing to match (empty, or punctuation only): a silently ignored entry hides a config mistake. */
  constructor(options: ContentFilterOptions = { blocked: DEFAULT_BLOCKED_TERMS, allowed: DEFAULT_ALLOWED_TERMS }) {
    this.blocked = new TermIndex(options.blocked, 'blocked');
    this.allowed = new TermIndex(options.allowed, 'allowed');
    this.terms = termKeys([this.blocked, this.allowed]);
  }

  /** The first blocked term (as configured) found in text, after the allowlist's phrases are set aside. */
  check(text: string): ContentCheckResult {
    if (this.blocked.size === 0) return OK;
    const scan = new Scan(tokenize(text), this.terms);
    const masked = new Uint8Array(scan.length);
    if (this.allowed.size > 0) {
      for (let i = 0; i < scan.length; i++) {
        const match = matchAt(scan, this.allowed, i);
        if (match) masked.fill(1, i, match.end + 1);
      }
    }
    for (let i = 0; i < scan.length; i++) {
      if (masked[i]) continue;
      const match = matchAt(scan, this.blocked, i, masked);
      if (match) return { ok: false, term: match.term };
    }
    return OK;
  }
}
