/**
 * Locales: a BCP 47 tag (`de-DE`, `bg-BG`, `fr`) picks the catalogue of its language and is what Intl formats
 * numbers, dates and times with. Checked once, at configuration time: an unreadable tag or a language without a
 * catalogue is refused with a sentence naming the languages there are.
 */
import { LANGUAGES, type Language } from './catalogue.generated';
import { coreText, type CoreText } from './core-text';

export { LANGUAGES, type Language };

/** The canonical form of a BCP 47 tag, or a coded text saying why it is not usable (its English: `english(text)`). */
export function checkLocale(
  tag: string,
): { ok: true; locale: string; language: Language } | { ok: false; text: CoreText } {
  let canonical: string;
  try {
    const [first] = Intl.getCanonicalLocales(tag);
    if (first === undefined) return { ok: false, text: coreText('config.locale.notTag') };
    canonical = first;
  } catch {
    return { ok: false, text: coreText('config.locale.badTag', { tag }) };
  }
  const language = new Intl.Locale(canonical).language;
  if (!(LANGUAGES as readonly string[]).includes(language)) {
    return { ok: false, text: coreText('config.locale.noCatalogue', { language, available: LANGUAGES.join(', ') }) };
  }
  return { ok: true, locale: canonical, language: language as Language };
}

/** The catalogue language of a tag already checked; English for none. */
export function languageOf(locale: string | undefined): Language {
  if (locale === undefined) return 'en';
  const r = checkLocale(locale);
  return r.ok ? r.language : 'en';
}
