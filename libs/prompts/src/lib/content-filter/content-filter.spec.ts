import { ContentFilter } from './content-filter';
import { DEFAULT_CONTENT_POLICY } from './policy';

const { blocked: DEFAULT_BLOCKED_TERMS, allowed: DEFAULT_ALLOWED_TERMS } = DEFAULT_CONTENT_POLICY;

const filter = new ContentFilter();

describe('ContentFilter with the default lists', () => {
  it.each<[prompt: string, term: string]>([
    // Plain, and the term at the start, the end, inside punctuation.
    ['nude', 'nude*'],
    ['a nude woman on a beach', 'nude*'],
    ['portrait, nude.', 'nude*'],
    ['nude!', 'nude*'],
    ['"nude"', 'nude*'],
    ['(nude)', 'nude*'],
    ['a girl,nude', 'nude*'],
    ['nude\nportrait', 'nude*'],
    ['nude-photo', 'nude*'],
    ['nude.png', 'nude*'],
    ['sex, then nothing else', 'sex*'],
    ['a scene ending with sex', 'sex*'],
    ['rape!', 'rape'],
    ['nsfw!!!', '*nsfw*'],
    ['#porn', '*porn*'],
    // Case.
    ['NUDE portrait', 'nude*'],
    ['NuDe', 'nude*'],
    ['NSFW art', '*nsfw*'],
    ['CHILD   ABUSE', 'child abuse'],
    // Accents, compatibility forms, invisible and look-alike characters.
    ['nüde', 'nude*'],
    ['ñúdé model', 'nude*'],
    ['ｎｕｄｅ', 'nude*'],
    ['nu\u200Bde', 'nude*'],
    ['nu\u00ADde', 'nude*'],
    ['n\u0336u\u0336d\u0336e\u0336', 'nude*'],
    ['s\u0435x', 'sex*'],
    ['g\u043Ere', 'gore'],
    // Look-alike digits and symbols.
    ['nud3', 'nude*'],
    ['p0rn', '*porn*'],
    ['p0rn0', '*porn*'],
    ['s3x', 'sex*'],
    ['$ex', 'sex*'],
    ['5ex', 'sex*'],
    ['s3xy', 'sex*'],
    ['$3xy', 'sex*'],
    ['n4k3d', 'naked*'],
    ['n@ked', 'naked*'],
    ['t0pl3ss', 'topless'],
    ['top|ess', 'topless'],
    ['7opless', 'topless'],
    ['g0re', 'gore'],
    ['bl00dy g0r3', 'gore'],
    ['b3h3ading', 'behead*'],
    ['d1smembered body', 'dismember*'],
    ['d!smembered', 'dismember*'],
    ['r4pe', 'rape'],
    ['r@pe', 'rape'],
    ['rap!st', 'rapist*'],
    ['ch1ld 4buse', 'child abuse'],
    // Separators inside the word, and letter-by-letter spelling.
    ['n u d e', 'nude*'],
    ['n.u.d.e', 'nude*'],
    ['n.u.d.e n.u.d.e', 'nude*'],
    ['a n-u-d-e photo', 'nude*'],
    ['n-u-d-e', 'nude*'],
    ['n_u_d_e', 'nude*'],
    ['n*u*d*e', 'nude*'],
    ['n . u . d . e', 'nude*'],
    ['nu.de', 'nude*'],
    ['nu-de', 'nude*'],
    ['nu.d.e', 'nude*'],
    ['a n u d e woman', 'nude*'],
    ['P.0.R.N', '*porn*'],
    ['s 3 x', 'sex*'],
    ['n.s.f.w', '*nsfw*'],
    ['s e x', 'sex*'],
    ['S E X Y', 'sex*'],
    ['r a p i s t', 'rapist*'],
    ['photo of n.u.d.e.s', 'nude*'],
    // Repeated letters.
    ['nuuuude', 'nude*'],
    ['NUUUDDDEEE', 'nude*'],
    ['nüüüde', 'nude*'],
    ['sexxx', 'sex*'],
    ['porrrn', '*porn*'],
    // Multi-word terms.
    ['child abuse', 'child abuse'],
    ['child-abuse', 'child abuse'],
    ['childabuse', 'child abuse'],
    ['c h i l d a b u s e', 'child abuse'],
    // Other listed terms in ordinary sentences.
    ['sexy', 'sex*'],
    ['sex scene', 'sex*'],
    ['naked man', 'naked*'],
    ['topless', 'topless'],
    ['blood and gore', 'gore'],
    ['gory details', 'gory'],
    ['beheading', 'behead*'],
    ['the rapist', 'rapist*'],
    ['decapitated statue', 'decapit*'],
    ['mutilated corpse', 'mutil*'],
    ['erotic', 'erotic*'],
    ['hentai', '*hentai*'],
    ['pornography', '*porn*'],
    ['nudity', 'nudity'],
    ['nudes', 'nude*'],
    // The allowlist shields only its own words.
    ['the naked eye of a naked woman', 'naked*'],
    ['sexual reproduction and sexual content', 'sex*'],
    ['Al Gore covered in gore', 'gore'],
  ])('refuses %j (term %j)', (prompt, term) => {
    expect(filter.check(prompt)).toEqual({ ok: false, term });
  });

  it.each<[prompt: string]>([
    ['a cat sitting on a windowsill'],
    [''],
    ['   '],
    // Ordinary words that contain a blocked word (or a common profanity).
    ['whatever you like'],
    ['a chateau in the Loire valley'],
    ['the Sussex coast'],
    ['Essex countryside'],
    ['essex'],
    ['an antique brass sextant'],
    ['Middlesex hospital'],
    ['the hospital in Wessex'],
    ['sussex, essex and middlesex'],
    ['unisex clothing'],
    ['a sextet of musicians'],
    ['the church sexton'],
    ['sexagesimal numbers'],
    ['portrait of a therapist'],
    ["the therapists' office"],
    ['a bunch of grapes on a grape vine'],
    ['a rapeseed field in bloom'],
    ['drapes in the living room'],
    ['a trapeze artist'],
    ['scrape the paint'],
    ['Scunthorpe town centre'],
    ['an assassin in the shadows'],
    ["assassin's creed"],
    ['a class of students'],
    ['playing bass guitar'],
    ['a cocktail glass'],
    ['data analysis dashboard'],
    ['a river snaked through the valley'],
    ['a denuded hillside'],
    ['a nudibranch on coral'],
    ['the gorge at sunset'],
    ['gorgeous sunset'],
    ['Goreme, Cappadocia'],
    ['an illustration in the style of Edward Gorey'],
    // The asexual policy: a different word, not an allowlist entry.
    ['asexual reproduction in plants'],
    // Default allowlist.
    ['sexual reproduction in flowering plants'],
    ['sex chromosomes diagram'],
    ['viewed with the naked eye'],
    ['a naked mole rat'],
    ['a naked mole-rat'],
    ['oilseed rape in Lincolnshire'],
    ['Al Gore giving a speech'],
    ['a Gore-Tex jacket'],
    ['a GoreTex jacket'],
    // Separators and spelling that only look like evasions.
    ['U.S.S. Enterprise'],
    ["my sister's ex-boyfriend"],
    ['S.u.s.s.e.x'],
    ['s e x t a n t'],
    ['a b c blocks'],
    ['vitamin a and vitamin e'],
    ['e-mail icon'],
    ['a child. Abuse of power is the theme'],
    // Numbers and symbols stay what they are.
    ['a 1080p render at 4k'],
    ['price: $500'],
    ['wow!!! amazing | great'],
    ['route 66 in 1955'],
  ])('allows %j', (prompt) => {
    expect(filter.check(prompt)).toEqual({ ok: true });
  });

  it.each(DEFAULT_BLOCKED_TERMS.map((term) => [term]))('refuses the listed term %j itself', (term) => {
    expect(filter.check(term)).toEqual({ ok: false, term });
  });

  // An allowlist entry that contains no blocked term is dead weight and suggests substring matching.
  it.each(DEFAULT_ALLOWED_TERMS.map((phrase) => [phrase]))(
    'allowlist entry %j is needed: refused without the allowlist, allowed with it',
    (phrase) => {
      const withoutAllowlist = new ContentFilter({ ...DEFAULT_CONTENT_POLICY, allowed: [] });
      expect(withoutAllowlist.check(phrase).ok).toBe(false);
      expect(filter.check(phrase)).toEqual({ ok: true });
    },
  );

  it('allows "asexual reproduction in plants" because asexual is another word, with no allowlist at all', () => {
    const noAllowlist = new ContentFilter({ ...DEFAULT_CONTENT_POLICY, allowed: [] });
    expect(DEFAULT_ALLOWED_TERMS).not.toContain('asexual reproduction');
    expect(noAllowlist.check('asexual reproduction in plants')).toEqual({ ok: true });
    expect(noAllowlist.check('sexual reproduction in plants')).toEqual({ ok: false, term: 'sex*' });
  });
});

describe('ContentFilter with a list of words that hide inside ordinary ones', () => {
  // Scunthorpe-problem fixtures: each of these hides in one of the prompts below.
  const traps = new ContentFilter({
    blocked: ['hate', 'sex', 'rapist', 'rape', 'cunt', 'ass', 'cock', 'anal', 'tit'],
    allowed: [],
  });

  it.each([
    ['whatever'],
    ['chateau'],
    ['Sussex'],
    ['Essex'],
    ['sextant'],
    ['Middlesex'],
    ['therapist'],
    ['grape'],
    ['scunthorpe'],
    ['assassin'],
    ['class'],
    ['bass guitar'],
    ['cocktail'],
    ['analysis'],
    ['title'],
    ['asexual reproduction in plants'],
    // Collapsing repeats must not turn 'as' into 'ass'.
    ['as soon as possible'],
  ])('allows %j', (prompt) => {
    expect(traps.check(prompt)).toEqual({ ok: true });
  });

  it.each([
    ['ass', 'ass'],
    ['asss', 'ass'],
    ['a$$', 'ass'],
    ['hate speech', 'hate'],
    ['h4te', 'hate'],
  ])('still refuses %j (term %j)', (prompt, term) => {
    expect(traps.check(prompt)).toEqual({ ok: false, term });
  });
});

describe('ContentFilter with custom lists', () => {
  it('uses only the given block list', () => {
    const dragons = new ContentFilter({ blocked: ['dragon'], allowed: [] });
    expect(dragons.check('a red dragon')).toEqual({ ok: false, term: 'dragon' });
    expect(dragons.check('dr4g0n')).toEqual({ ok: false, term: 'dragon' });
    expect(dragons.check('d r a g o n')).toEqual({ ok: false, term: 'dragon' });
    expect(dragons.check('a nude dragonfly')).toEqual({ ok: true });
  });

  it('matches multi-word terms only as a phrase', () => {
    const phrase = new ContentFilter({ blocked: ['red dragon'], allowed: [] });
    expect(phrase.check('a red dragon')).toEqual({ ok: false, term: 'red dragon' });
    expect(phrase.check('a red-dragon')).toEqual({ ok: false, term: 'red dragon' });
    expect(phrase.check('#reddragon')).toEqual({ ok: false, term: 'red dragon' });
    expect(phrase.check('a red  \t dragon')).toEqual({ ok: false, term: 'red dragon' });
    expect(phrase.check('a red car and a dragon')).toEqual({ ok: true });
    expect(phrase.check('a dragon, red')).toEqual({ ok: true });
  });

  it('reads digits as letters only in words that have a letter', () => {
    const tie = new ContentFilter({ blocked: ['tie'], allowed: [] });
    expect(tie.check('flight 713 boards at gate 7')).toEqual({ ok: true });
    expect(tie.check('7 1 3')).toEqual({ ok: true });
    expect(tie.check('a t13')).toEqual({ ok: false, term: 'tie' });
    expect(tie.check('t 1 3')).toEqual({ ok: false, term: 'tie' });
  });

  it('reports the term as configured', () => {
    const mixedCase = new ContentFilter({ blocked: ['Red Dragon'], allowed: [] });
    expect(mixedCase.check('RED DRAGON')).toEqual({ ok: false, term: 'Red Dragon' });
  });

  it('sets allowlisted phrases aside, normalised like the prompt, and nothing else', () => {
    const komodo = new ContentFilter({ blocked: ['dragon'], allowed: ['komodo dragon'] });
    expect(komodo.check('a komodo dragon basking')).toEqual({ ok: true });
    expect(komodo.check('K0M0D0 DR4G0N')).toEqual({ ok: true });
    expect(komodo.check('a komodo dragon fighting a dragon')).toEqual({ ok: false, term: 'dragon' });
    expect(komodo.check('a dragon')).toEqual({ ok: false, term: 'dragon' });
  });

  it('blocks nothing with an empty block list', () => {
    const none = new ContentFilter({ blocked: [], allowed: DEFAULT_ALLOWED_TERMS });
    expect(none.check('nude gore')).toEqual({ ok: true });
  });

  it('copies the lists, so later changes to the caller’s arrays have no effect', () => {
    const blocked = ['dragon'];
    const copied = new ContentFilter({ blocked, allowed: [] });
    blocked.push('unicorn');
    expect(copied.check('a unicorn')).toEqual({ ok: true });
    expect(copied.check('a dragon')).toEqual({ ok: false, term: 'dragon' });
  });

  it.each([[''], ['   '], ['!!!']])('refuses the blocked term %j, which could never match', (term) => {
    expect(() => new ContentFilter({ blocked: [term], allowed: [] })).toThrow(/blocked term/);
  });

  it('refuses an allowlist entry that could never match', () => {
    expect(() => new ContentFilter({ blocked: ['dragon'], allowed: ['--'] })).toThrow(/allowed term/);
  });
});

describe('ContentFilter stems, parts and exceptions', () => {
  const stems = new ContentFilter({ blocked: ['sex*', '*porn*', 'gore'], allowed: [], exceptions: ['sextant', 'sexta', 'sextafeira', 'sporn*'] });

  it.each([
    ['sexually', 'sex*'],
    ['s3xting', 'sex*'],
    ['SEXXXY', 'sex*'],
    ['pornstar', '*porn*'],
    ['hardcoreporn', '*porn*'],
    ['#freeporn2024', '*porn*'],
    ['sextape', 'sex*'],
  ])('refuses %j (term %j)', (prompt, term) => {
    expect(stems.check(prompt)).toEqual({ ok: false, term });
  });

  it.each([['a sextant'], ['la sexta sinfonía'], ['sextafeira'], ['Sporn eines Hahns'], ['Essex'], ['gorefest'], ['asexual']])(
    'allows %j: an exception, or a word that does not begin with the stem',
    (prompt) => {
      expect(stems.check(prompt)).toEqual({ ok: true });
    },
  );

  it('refuses a stem or part term written as a prompt, and several words cannot be a stem', () => {
    expect(stems.check('sex*')).toEqual({ ok: false, term: 'sex*' });
    expect(() => new ContentFilter({ blocked: ['red dragon*'], allowed: [] })).toThrow(/single word/);
    expect(() => new ContentFilter({ blocked: ['dragon'], allowed: [], exceptions: ['red dragons'] })).toThrow(/single word/);
  });
});

describe('ContentFilter reading disguises', () => {
  const filter = new ContentFilter({ blocked: ['nude*', 'naked*', '*porn*', 'rapist*', 'penis', 'topless'], allowed: [], knownWords: ['pen', 'is', 'rap', 'ist', 'top', 'less', 'de'] });

  it.each([
    // A wildcard between letters hides one letter, once per word.
    ['p*rn', '*porn*'],
    ['n_de', 'nude*'],
    ['n?ked', 'naked*'],
    // Words split by spaces, when a piece is not a known word.
    ['nu de', 'nude*'],
    ['por n video', '*porn*'],
    ['na ked', 'naked*'],
    ['n u de', 'nude*'],
    ['por nographic', '*porn*'],
    ['to pless', 'topless'],
    // Look-alike letters from other scripts and blocks, and '()' for an 'o'.
    ['\u03c1orn', '*porn*'],
    ['\u039dUDE', 'nude*'],
    ['\u0274\u1d1c\u1d05\u1d07', 'nude*'],
    ['\u{1f17d}\u{1f184}\u{1f173}\u{1f174}', 'nude*'],
    ['\u24a9\u24b0\u249f\u24a0', 'nude*'],
    ['p()rn', '*porn*'],
    ['nud\u20ac', 'nude*'],
  ])('refuses %j (term %j)', (prompt, term) => {
    expect(filter.check(prompt)).toEqual({ ok: false, term });
  });

  it.each([
    // Known words are never joined into a term; nor are pieces of a written word.
    ['the pen is mightier than the sword'],
    ['Rap ist cool'],
    ['a crop top less than ten dollars'],
    ["my sister's ex-boyfriend"],
    // A stem must end inside the last piece: 'rap ist' spells 'rapist' before 'cool' is added.
    ['rap ist coolest'],
    // Wildcards only between letters, and only one hidden letter.
    ['p**rn'],
    ['n*k*d'],
    ['what? no'],
  ])('allows %j', (prompt) => {
    expect(filter.check(prompt)).toEqual({ ok: true });
  });
});

describe('ContentFilter with the default lists in other languages', () => {
  const filter = new ContentFilter();

  it.each([['mujer desnuda'], ['femme nue'], ['nackte Frau'], ['donna nuda'], ['mulher nua'], ['голая женщина'], ['обнажённая девушка']])(
    'refuses %j',
    (prompt) => {
      expect(filter.check(prompt).ok).toBe(false);
    },
  );

  it.each([['un nudo marinero'], ['Nudeln mit Soße'], ['die nackte Wahrheit'], ['un enfant pieds nus'], ['sexta-feira'], ['голубое небо'], ['viola da gamba']])(
    'allows %j',
    (prompt) => {
      expect(filter.check(prompt)).toEqual({ ok: true });
    },
  );
});

// Speed is measured by tools/bench/content-filter.mjs (docs/PERFORMANCE.md), not asserted here.
describe('ContentFilter at the prompt length limit', () => {
  it('accepts 1000 characters of ordinary text', () => {
    const sentence = 'A watercolour of a lighthouse on the Sussex coast at dawn, gulls, mist, 4k, highly detailed. ';
    expect(filter.check(sentence.repeat(Math.ceil(1000 / sentence.length)).slice(0, 1000))).toEqual({ ok: true });
  });

  it('judges 1000 characters of joined pieces and spelled-out letters', () => {
    expect(filter.check('aa.'.repeat(334).slice(0, 1000))).toEqual({ ok: true });
    expect(filter.check('a '.repeat(500))).toEqual({ ok: true });
    expect(filter.check('n.u.d.e '.repeat(125))).toEqual({ ok: false, term: 'nude*' });
  });
});
