import de from './policy/de.json';
import en from './policy/en.json';
import es from './policy/es.json';
import fr from './policy/fr.json';
import it from './policy/it.json';
import pt from './policy/pt.json';
import ru from './policy/ru.json';

/** One language's lists; the syntax of each entry is explained in content-filter.ts. */
export interface LanguagePolicy {
  readonly blocked: readonly string[];
  readonly allowed: readonly string[];
  readonly exceptions: readonly string[];
  readonly knownWords: readonly string[];
}

/**
 * The built-in lists by language. A prompt's language is not detected: every list applies to every
 * prompt, so a term must not be an ordinary word in another listed language (Spanish 'nudo', a knot,
 * is why Italian 'nudo' is not listed; French 'viol' is also an English instrument).
 */
export const LANGUAGE_POLICIES: Readonly<Record<string, LanguagePolicy>> = Object.freeze({ en, es, fr, de, it, pt, ru });

const merged = (list: keyof LanguagePolicy): readonly string[] => Object.freeze(Object.values(LANGUAGE_POLICIES).flatMap((policy) => policy[list]));

/** Every language's lists together: the filter's default. */
export const DEFAULT_CONTENT_POLICY = Object.freeze({
  blocked: merged('blocked'),
  allowed: merged('allowed'),
  exceptions: merged('exceptions'),
  knownWords: merged('knownWords'),
});
