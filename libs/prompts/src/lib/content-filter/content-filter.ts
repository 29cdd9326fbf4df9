import { DEFAULT_CONTENT_POLICY } from './policy';
import { Collapser, MAX_CANDIDATE_CHARS, MAX_SPACED_PIECES, type Token, type Tokens, WILDCARD, type Word, collapse, collapsedKey, tokenize } from './tokens';

/**
 * Word-list content filter for prompts: a cheap first gate in front of the image models, not a classifier.
 * It cannot judge context ("a statue of a nude" is refused the same as anything else containing 'nude');
 * the goal is to stop the obvious requests and their common disguises without refusing ordinary prompts.
 * The lists are data, one file per language (policy/*.json, merged in policy.ts); the characters read
 * as letters are data too (characters.json). docs/ARCHITECTURE.md ("Prompt policy") states the policy
 * and the figures measured on labelled-prompts.tsv.
 *
 * How a prompt is read (the tests in content-filter.spec.ts pin each point):
 *
 * - Normalised first, prompt and terms alike: look-alike letters from other scripts and Unicode blocks
 *   read as the Latin letter they imitate (Greek 'ρ', Cyrillic 'е', small capitals 'ɴ', negative-squared,
 *   parenthesized and regional-indicator letters); NFKD folds fullwidth, mathematical, circled and
 *   superscript letters, and accents, combining marks and invisible format characters (zero-width space,
 *   soft hyphen) are dropped; case is folded.
 * - Look-alike digits and symbols (characters.json "leet": 0→o 3→e $→s @→a …) count as letters only in a
 *   word that has a real letter, so numbers stay numbers ('2024', '$500', 'route 66'). '!' and '|' at
 *   either end of a word are punctuation ('nude!' is 'nude'); '()' between letters is an 'o' ('p()rn').
 * - Whole words, not substrings: a term matches a whole word of the prompt, so 'Sussex', 'Scunthorpe',
 *   'therapist', 'grape', 'cocktail' and 'analysis' pass whatever the list holds. Three kinds of term:
 *   - 'gore': that word only.
 *   - 'porn*', a stem: every word that begins with it ('pornstar', 'nsfw4life', 'sexually'), except the
 *     exceptions, ordinary words that begin the same way ('sextant'; 'nudel*' excepts every word it begins).
 *   - '*nsfw*', a part: every word that contains it ('hardcoreporn'), for letters no ordinary word holds.
 *   - 'child abuse': several words in order, separated by whitespace or joiners but not by sentence
 *     punctuation, or written as one word ('childabuse').
 * - Repeated letters: 'nuuuude' matches 'nude'; the prompt must repeat each letter at least as often as
 *   the term does, or 'ass' would, collapsed to 'as', refuse the word 'as'.
 * - Pieces of a word: up to three joiner characters without whitespace (. - _ * ~ ' / + and similar) join
 *   the pieces on either side ('nu.de', 'n-u-d-e'); whitespace joins single characters, i.e. a word
 *   spelled letter by letter ('n u d e'), and a spelled-out run is one word: a match can neither start nor
 *   end inside it ('s e x t a n t'), except after a leading standalone 'a' or 'i' ('a n u d e').
 * - Words split by spaces ('nu de', 'por n', 'na ked'): up to four pieces read as one word when together
 *   they spell a term exactly (or a stem, split inside its letters), unless every piece is a known word,
 *   so 'pen is', 'Rap ist' and Spanish 'por no' stay apart (knownWords, per language).
 * - A wildcard ('*', '_' or '?') between letters may stand for one hidden letter ('p*rn', 's_x'), once per
 *   word.
 * - The allowlist is matched the same way first; its matches are set aside, so 'naked eye' passes but
 *   'the naked eye of a naked woman' is refused for the second 'naked'.
 *
 * Known gaps, accepted: misspellings, words written without their vowels, two or more hidden letters,
 * languages without a list, scripts without spaces (Chinese, Japanese), and context: 'sexy sports car' is
 * refused, while an explicit request worded with innocent words passes. The optional hosted moderation
 * stage (moderation/) judges context.
 */

export type ContentCheckResult = { readonly ok: true } | { readonly ok: false; readonly term: string };

export interface ContentFilterOptions {
  /** Terms to refuse: 'word', 'stem*', '*part*' or 'several words'; matched as described in the module comment. */
  readonly blocked: readonly string[];
  /** Phrases that are fine although they contain a blocked term. */
  readonly allowed: readonly string[];
  /** Words a stem or part must not refuse ('sextant' for 'sex*'); a trailing '*' excepts every word it begins. */
  readonly exceptions?: readonly string[];
  /** Ordinary words that are never joined with each other into a term across spaces ('pen' 'is'). */
  readonly knownWords?: readonly string[];
}

const OK: ContentCheckResult = Object.freeze({ ok: true });

/** The prompt's word may repeat letters more than the term does, never less ('as' is not 'ass'). */
function stretches(text: readonly number[], term: readonly number[]): boolean {
  for (let r = 0; r < term.length; r++) if (text[r] < term[r]) return false;
  return true;
}

/** What the pieces from one starting token read as, so far. */
class Reading {
  leet = new Collapser();
  /** Until a piece with a letter joins, digits are a number; both readings are kept until then. */
  plain = new Collapser();
  hasLetter = false;
  /** Pieces read, and how many of them joined across spaces. */
  pieces = 0;
  spacedJoins = 0;
  /** Whether every piece is a known word (then a join across spaces is never made). */
  allKnown = true;
  /** Key lengths before the first and the last join across spaces: a term must span them. */
  firstSplit = 0;
  lastSplit = 0;
  wildcard = false;
  /** The key last recorded as a candidate, when its repeats already satisfy every term word with that key. */
  settledKey: string | undefined;
  /** The stem the key begins with, kept while the key stays the same ('aa.aa' reads 'a' many times). */
  private stemKey: string | undefined;
  private stemFound: string | undefined;

  stem(stemOf: (key: string) => string | undefined): string | undefined {
    const key = this.current.key;
    if (key !== this.stemKey) {
      this.stemKey = key;
      this.stemFound = stemOf(key);
    }
    return this.stemFound;
  }

  get current(): Collapser {
    return this.hasLetter ? this.leet : this.plain;
  }

  append(token: Token, known: boolean): void {
    this.leet.append(token.leet);
    if (!this.hasLetter) this.plain.append(token.plain);
    this.hasLetter ||= token.hasLetter;
    this.allKnown &&= known;
    this.pieces++;
  }

  joinSpaced(): void {
    this.lastSplit = this.current.key.length;
    if (this.spacedJoins++ === 0) this.firstSplit = this.lastSplit;
  }

  /** The same reading with a hidden letter after what was read so far. */
  withWildcard(): Reading {
    const copy = Object.assign(new Reading(), this, { leet: this.leet.copy(), plain: this.plain.copy(), wildcard: true });
    copy.leet.append(WILDCARD);
    copy.hasLetter = true;
    return copy;
  }
}

type TermKind = 'word' | 'stem' | 'part';

interface Candidate extends Word {
  /** Index of the candidate's last token. */
  readonly end: number;
  /**
   * Key lengths before the first and the last join across spaces, 0 when none. A stem or part must span
   * them, ending inside the last piece ('por nografia', not 'Rap ist cool' for 'rapist*').
   */
  readonly firstSplit: number;
  readonly lastSplit: number;
  /** The longest stem key (of either list) the word begins with, and whether it contains a part. */
  readonly stem: string | undefined;
  readonly part: boolean;
}

interface CompiledTerm {
  readonly term: string;
  readonly kind: TermKind;
  readonly words: readonly Word[];
}

/** Every key with one inner letter hidden, as a prompt may write it with a wildcard ('p?rn' for 'porn'). */
const phraseKey = (first: string, second: string): string => `${first} ${second}`;

function withHiddenLetter(key: string): string[] {
  const keys: string[] = [];
  for (let i = 1; i < key.length - 1; i++) keys.push(key.slice(0, i) + WILDCARD + key.slice(i + 1));
  return keys;
}

class TermIndex {
  /** Single-word terms by their key; terms of several words by the keys of their first two words. */
  readonly words = new Map<string, CompiledTerm[]>();
  readonly phrases = new Map<string, CompiledTerm[]>();
  /** Stems and parts by key (with their wildcard spellings), for the prefix and substring lookups. */
  readonly stems = new Map<string, CompiledTerm[]>();
  readonly parts = new Map<string, CompiledTerm[]>();
  readonly keys = new Set<string>();

  constructor(terms: readonly string[], list: string) {
    for (const term of terms) {
      const kind: TermKind = term.startsWith('*') && term.endsWith('*') ? 'part' : term.endsWith('*') ? 'stem' : 'word';
      const { tokens } = tokenize(kind === 'word' ? term : term.replace(/^\*|\*$/g, ''));
      if (tokens.length === 0) throw new Error(`${list} term ${JSON.stringify(term)} has no letters or digits`);
      if (kind !== 'word' && tokens.length > 1) throw new Error(`${list} term ${JSON.stringify(term)}: only a single word can be a stem or a part`);
      const words = tokens.map((token) => collapse(token.hasLetter ? token.leet : token.plain));
      this.add({ term, kind, words });
      if (words.length > 1) {
        const hasLetter = tokens.some((token) => token.hasLetter);
        const joined = tokens.map((token) => (hasLetter ? token.leet : token.plain)).join('');
        this.add({ term, kind, words: [collapse(joined)] });
      }
      if (words.length === 1 && tokens[0].hasLetter) {
        for (const key of withHiddenLetter(words[0].key)) this.add({ term, kind, words: [{ key, runs: words[0].runs }] });
      }
    }
  }

  get size(): number {
    return this.words.size + this.phrases.size + this.stems.size + this.parts.size;
  }

  private add(compiled: CompiledTerm): void {
    const [first, second] = compiled.words;
    const phrase = compiled.words.length > 1;
    const map = compiled.kind === 'stem' ? this.stems : compiled.kind === 'part' ? this.parts : phrase ? this.phrases : this.words;
    const key = second ? phraseKey(first.key, second.key) : first.key;
    const bucket = map.get(key);
    if (bucket) bucket.push(compiled);
    else map.set(key, [compiled]);
    if (compiled.kind === 'word') for (const word of compiled.words) this.keys.add(word.key);
  }
}

/** Words that begin with a stem or contain a part and are still fine; 'nudel*' excepts every word it begins. */
class Exceptions {
  private readonly words = new Set<string>();
  private readonly stems: string[] = [];

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const { tokens } = tokenize(entry.replace(/\*$/, ''));
      if (tokens.length !== 1 || !tokens[0].hasLetter) throw new Error(`exception ${JSON.stringify(entry)} must be a single word`);
      const key = collapse(tokens[0].leet).key;
      if (entry.endsWith('*')) this.stems.push(key);
      else this.words.add(key);
    }
  }

  has(key: string): boolean {
    return this.words.has(key) || this.stems.some((stem) => key.startsWith(stem));
  }
}

interface TermKeys {
  /** Every word of every term: candidates are kept when equal to one of these. */
  readonly keys: ReadonlySet<string>;
  /** For each of those, the most repeats any term word with that key asks of each letter. */
  readonly mostRuns: ReadonlyMap<string, readonly number[]>;
  /** Every prefix of those and of the stems: lets a candidate stop growing as soon as it cannot become one. */
  readonly prefixes: ReadonlySet<string>;
  /** The stems and parts, apart for the keys with a hidden letter: only a reading with a wildcard holds one. */
  readonly plain: StemsAndParts;
  readonly hidden: StemsAndParts;
  readonly knownWords: ReadonlySet<string>;
}

interface StemsAndParts {
  /** The stems' keys by their first letter, longest first. */
  readonly stemsByFirstLetter: ReadonlyMap<string, readonly string[]>;
  readonly parts: readonly string[];
}

function stemsAndParts(stems: readonly string[], parts: readonly string[]): StemsAndParts {
  const stemsByFirstLetter = new Map<string, string[]>();
  for (const stem of [...stems].sort((a, b) => b.length - a.length)) {
    const bucket = stemsByFirstLetter.get(stem[0]);
    if (bucket) bucket.push(stem);
    else stemsByFirstLetter.set(stem[0], [stem]);
  }
  return { stemsByFirstLetter, parts };
}

function termKeys(indexes: readonly TermIndex[], knownWords: readonly string[]): TermKeys {
  const keys = new Set<string>();
  const mostRuns = new Map<string, number[]>();
  for (const index of indexes) {
    for (const compiled of [...index.words.values(), ...index.phrases.values()].flat()) {
      for (const word of compiled.words) {
        const runs = mostRuns.get(word.key);
        mostRuns.set(word.key, runs ? runs.map((run, r) => Math.max(run, word.runs[r])) : [...word.runs]);
      }
    }
  }
  const prefixes = new Set<string>();
  const stems = new Set<string>();
  const parts = new Set<string>();
  const addPrefixes = (key: string) => {
    for (let length = 1; length <= key.length; length++) prefixes.add(key.slice(0, length));
  };
  for (const index of indexes) {
    for (const key of index.keys) {
      keys.add(key);
      addPrefixes(key);
    }
    for (const key of index.stems.keys()) {
      stems.add(key);
      addPrefixes(key);
    }
    for (const key of index.parts.keys()) {
      parts.add(key);
      addPrefixes(key);
    }
  }
  const hasHidden = (key: string) => key.includes(WILDCARD);
  const known = new Set(knownWords.flatMap((word) => tokenize(word).tokens.map((token) => token.leet)));
  return {
    keys,
    mostRuns,
    prefixes,
    plain: stemsAndParts([...stems].filter((key) => !hasHidden(key)), [...parts].filter((key) => !hasHidden(key))),
    hidden: stemsAndParts([...stems], [...parts]),
    knownWords: known,
  };
}

const NO_CANDIDATES: Candidate[] = [];

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

  /**
   * The words that start at token i: the token alone, and it joined to the following ones where allowed
   * (directly, across spaces, or with a hidden letter in between).
   */
  candidatesAt(i: number): readonly Candidate[] {
    const cached = this.cache[i];
    if (cached) return cached;
    const { tokens, boundary } = this.t;
    const { prefixes, knownWords } = this.terms;
    let found: Candidate[] = NO_CANDIDATES;
    if ((i === 0 || boundary[i - 1]) && this.mayStart(tokens[i])) {
      found = [];
      let readings = [new Reading()];
      for (let j = i; j < tokens.length && readings.length > 0; j++) {
        if (j > i) readings = this.crossGap(readings, j - 1);
        const known = knownWords.has(tokens[j].leet);
        const atBoundary = j === tokens.length - 1 || boundary[j];
        let kept = 0;
        for (let r = 0; r < readings.length; r++) {
          const reading = readings[r];
          reading.append(tokens[j], known);
          const stem = reading.stem((key) => this.stemOf(key));
          if (atBoundary) this.record(found, reading, i, j, stem);
          // Keys only grow as pieces are added: once no term begins this way, none further along will.
          if (prefixes.has(reading.leet.key) || (!reading.hasLetter && prefixes.has(reading.plain.key)) || stem !== undefined) readings[kept++] = reading;
        }
        if (kept < readings.length) readings.length = kept;
      }
    }
    this.cache[i] = found.length > 0 ? found : NO_CANDIDATES;
    return this.cache[i] as readonly Candidate[];
  }

  /**
   * Whether any word may start at this token: every reading from it begins with the token's key, so
   * when no term word or stem begins that way and it holds no part, none can (decided before building
   * any reading, as most words of a prompt fail here).
   */
  private mayStart(token: Token): boolean {
    const { key } = token;
    return this.terms.prefixes.has(key) || (!token.hasLetter && this.terms.prefixes.has(collapsedKey(token.leet))) || this.stemOf(key) !== undefined || this.terms.plain.parts.some((part) => key.includes(part));
  }

  /** The readings that continue past the gap after token k. */
  private crossGap(readings: Reading[], k: number): Reading[] {
    const { joinable, wildcard } = this.t;
    // The common case, one reading joining plainly, continues in place.
    if (readings.length === 1 && joinable[k] && !wildcard[k]) return readings[0].leet.length > MAX_CANDIDATE_CHARS ? [] : readings;
    const next: Reading[] = [];
    for (const reading of readings) {
      if (reading.leet.length > MAX_CANDIDATE_CHARS) continue;
      // The wildcard reading is a copy made before the plain one joins; the plain one comes first.
      const withWildcard = this.t.wildcard[k] && !reading.wildcard ? reading.withWildcard() : undefined;
      if (this.t.joinable[k]) {
        next.push(reading);
      } else if (this.t.spaced[k] && reading.pieces < MAX_SPACED_PIECES && reading.hasLetter) {
        reading.joinSpaced();
        next.push(reading);
      }
      if (withWildcard) next.push(withWildcard);
    }
    return next;
  }

  /**
   * Keeps the reading of tokens i..j as a candidate when it could match anything: a term word, a stem or
   * a part. A word split by spaces needs a piece that is not a known word, and its first and last pieces
   * must stand alone (not "sister's ex-boyfriend").
   */
  private record(found: Candidate[], reading: Reading, i: number, j: number, stem: string | undefined): void {
    const { tight } = this.t;
    if (reading.spacedJoins > 0 && (reading.allKnown || (i > 0 && tight[i - 1]) || (j < tight.length && tight[j]))) return;
    const current = reading.current;
    const key = current.key;
    // 'aa.aa.aa…' reads 'a' again and again, only with more repeats: once the repeats satisfy every term
    // word, the longer readings add nothing but cost (a phrase may then not continue from them).
    if (reading.settledKey === key) return;
    const part = this.lookups(key).parts.some((p) => key.includes(p));
    if (!part && stem === undefined && !this.terms.keys.has(key)) return;
    const runs = this.terms.mostRuns.get(key);
    if (runs && stretches(current.runs, runs)) reading.settledKey = key;
    found.push({ key, runs: [...current.runs], end: j, firstSplit: reading.firstSplit, lastSplit: reading.lastSplit, stem, part });
  }

  /** The longest stem key that begins key. */
  private stemOf(key: string): string | undefined {
    for (const stem of this.lookups(key).stemsByFirstLetter.get(key[0]) ?? []) if (key.startsWith(stem)) return stem;
    return undefined;
  }

  private lookups(key: string): StemsAndParts {
    return key.includes(WILDCARD) ? this.terms.hidden : this.terms.plain;
  }

}

/** For each token, the index of the first token set aside by the allowlist at or after it. */
type Masked = Int32Array;

function isFree(masked: Masked | undefined, from: number, to: number): boolean {
  return masked === undefined || masked[from] > to;
}

interface Lists {
  readonly index: TermIndex;
  readonly exceptions: Exceptions;
}

/** The stem or part of index that the candidate's word begins with or contains, unless it is an exception. */
function stemOrPartMatch(lists: Lists, candidate: Candidate): string | undefined {
  const { index, exceptions } = lists;
  for (let length = candidate.stem?.length ?? 0; length > candidate.lastSplit; length--) {
    const stems = index.stems.get(candidate.key.slice(0, length));
    if (!stems) continue;
    for (const stem of stems) {
      if (stretches(candidate.runs, stem.words[0].runs) && !exceptions.has(candidate.key)) return stem.term;
    }
  }
  if (!candidate.part) return undefined;
  for (const [key, parts] of index.parts) {
    const at = candidate.key.indexOf(key);
    const spans = candidate.lastSplit === 0 || (at < candidate.firstSplit && at + key.length > candidate.lastSplit);
    if (at >= 0 && spans && !exceptions.has(candidate.key)) return parts[0].term;
  }
  return undefined;
}

/** The leftmost-starting term of index at token i: its text and the index of its last token. */
function matchAt(scan: Scan, lists: Lists, i: number, masked?: Masked): { term: string; end: number } | undefined {
  const { words, phrases } = lists.index;
  for (const candidate of scan.candidatesAt(i)) {
    if (!isFree(masked, i, candidate.end)) continue;
    for (const compiled of words.get(candidate.key) ?? []) {
      if (stretches(candidate.runs, compiled.words[0].runs)) return { term: compiled.term, end: candidate.end };
    }
    // Phrases are looked up by their first two words, so a common first word ('nude heels', 'nude
    // pumps', …) costs one lookup per word that follows it, not one per phrase.
    const next = candidate.end + 1 < scan.length && scan.t.phrase[candidate.end] ? scan.candidatesAt(candidate.end + 1) : NO_CANDIDATES;
    for (const following of next) {
      for (const compiled of phrases.get(phraseKey(candidate.key, following.key)) ?? []) {
        if (!stretches(candidate.runs, compiled.words[0].runs)) continue;
        const end = matchRest(scan, compiled, 1, candidate.end, masked);
        if (end !== undefined) return { term: compiled.term, end };
      }
    }
    const term = candidate.stem !== undefined || candidate.part ? stemOrPartMatch(lists, candidate) : undefined;
    if (term !== undefined) return { term, end: candidate.end };
  }
  return undefined;
}

function matchRest(
  scan: Scan,
  compiled: CompiledTerm,
  w: number,
  previousEnd: number,
  masked: Masked | undefined,
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
  private readonly blocked: Lists;
  private readonly allowed: Lists;
  private readonly terms: TermKeys;

  /** Throws if an entry has nothing to match (empty, or punctuation only): a silently ignored entry hides a config mistake. */
  constructor(options: ContentFilterOptions = DEFAULT_CONTENT_POLICY) {
    const exceptions = new Exceptions(options.exceptions ?? []);
    this.blocked = { index: new TermIndex(options.blocked, 'blocked'), exceptions };
    this.allowed = { index: new TermIndex(options.allowed, 'allowed'), exceptions };
    this.terms = termKeys([this.blocked.index, this.allowed.index], options.knownWords ?? []);
  }

  /** The first blocked term (as configured) found in text, after the allowlist's phrases are set aside. */
  check(text: string): ContentCheckResult {
    if (this.blocked.index.size === 0) return OK;
    const scan = new Scan(tokenize(text), this.terms);
    const allowed = new Uint8Array(scan.length);
    if (this.allowed.index.size > 0) {
      for (let i = 0; i < scan.length; i++) {
        const match = matchAt(scan, this.allowed, i);
        if (match) allowed.fill(1, i, match.end + 1);
      }
    }
    const masked: Masked = new Int32Array(scan.length + 1);
    masked[scan.length] = scan.length;
    for (let i = scan.length - 1; i >= 0; i--) masked[i] = allowed[i] ? i : masked[i + 1];
    for (let i = 0; i < scan.length; i++) {
      if (allowed[i]) continue;
      const match = matchAt(scan, this.blocked, i, masked);
      if (match) return { ok: false, term: match.term };
    }
    return OK;
  }
}
