/**
 * The product's words, in the shop's or the user's language: one i18next instance per catalogue language, built
 * synchronously from the bundled catalogue files (src/i18n/locales/<language>/<namespace>.json; docs/localisation.md).
 * Plurals and placeholders go through i18next; numbers, amounts, dates and times through Intl (format.ts).
 * The renderer uses the same catalogue files through react-i18next.
 */
import i18next, { type i18n, type TFunction } from 'i18next';
import './types';
import { NAMESPACES, resources, type Language, type Namespace } from './catalogue.generated';
import { languageOf } from './locale';

export { LANGUAGES, NAMESPACES, resources, type Language, type Namespace, type Catalogue } from './catalogue.generated';
export { checkLocale, languageOf } from './locale';

const instances = new Map<Language, i18n>();

/** The i18next instance of one language (English fills any gap, which the catalogue tests forbid anyway). */
export function i18nFor(language: Language): i18n {
  let instance = instances.get(language);
  if (!instance) {
    instance = i18next.createInstance();
    void instance.init({
      resources,
      lng: language,
      fallbackLng: 'en',
      ns: [...NAMESPACES],
      defaultNS: false,
      initAsync: false,
      interpolation: { escapeValue: false },
      returnEmptyString: false,
    });
    instances.set(language, instance);
  }
  return instance;
}

/** `t` of one namespace in the language of `locale` (a checked BCP 47 tag; English when none). */
export function translator<N extends Namespace>(namespace: N, locale: string | undefined): TFunction<N> {
  const key = `${namespace}|${locale ?? ''}`;
  let t = fixed.get(key);
  if (!t) {
    const language = languageOf(locale);
    t = memoised(i18nFor(language).getFixedT(language, namespace));
    fixed.set(key, t);
  }
  return t as TFunction<N>;
}

/** Texts kept per translator: at most this many different calls (keys with their placeholder values). */
const MEMO_LIMIT = 2000;

/**
 * `t` with its answers kept: a receipt asks for some sixty texts and i18next takes tens of microseconds for each
 * (resolution, fallback, interpolation), which made a receipt ~8× slower to render than with fixed English words.
 * The catalogue is bundled and never changes while the bridge runs, so an answer, once given, stays true. Calls with
 * placeholders are kept by their values (amounts repeat on both copies); the memory is bounded.
 */
function memoised<N extends Namespace>(t: TFunction<N>): TFunction<N> {
  const memo = new Map<string, string>();
  const raw = t as unknown as (key: unknown, options?: unknown) => unknown;
  const call = (key: unknown, options?: unknown): unknown => {
    const simple = typeof key === 'string' && (options === undefined || isFlat(options));
    if (!simple) return raw(key, options);
    const id = options === undefined ? key : `${key}\u0000${JSON.stringify(options)}`;
    let text = memo.get(id);
    if (text === undefined) {
      text = String(raw(key, options));
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(id, text);
    }
    return text;
  };
  return call as unknown as TFunction<N>;
}

/** Options made of strings and numbers only (placeholders and `count`): their JSON names the call exactly. */
function isFlat(options: unknown): boolean {
  if (typeof options !== 'object' || options === null) return false;
  return Object.values(options).every((v) => typeof v === 'string' || typeof v === 'number');
}

/** Translators by namespace and locale: a receipt asks for one per line. Locales come from the configuration only. */
const fixed = new Map<string, TFunction<Namespace>>();
