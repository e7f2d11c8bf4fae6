/// <reference types="vite/client" />
/**
 * The status page's language: i18next with react-i18next, the `ui` namespace of the product's catalogues
 * (src/i18n/locales/<lang>/ui.json). English is bundled (it is the fallback and the source of the key types); every
 * other language is its own small chunk, loaded when it is chosen. The language is the one picked in Settings
 * (remembered in this browser's localStorage), else the first of the desktop's languages (`navigator.languages`; in
 * the desktop app Chromium fills it from the app's locale) that the page speaks, else English.
 */
import { createElement, type ReactElement } from 'react';
import i18next, { type ParseKeys, type TFunction } from 'i18next';
import { initReactI18next, Trans, useTranslation } from 'react-i18next';
import en from '../../../src/i18n/locales/en/ui.json';
import { setFormatLocale } from '../format';
import { PSEUDO_LOCALE, pseudoCatalogue } from './pseudo';

/** Languages of the status page, English first. */
export const UI_LANGUAGES = ['en', 'de', 'fr', 'it', 'es', 'bg'] as const;
export type UiLanguage = (typeof UI_LANGUAGES)[number] | typeof PSEUDO_LOCALE;
export { PSEUDO_LOCALE };

/** Where the picked language is remembered (per browser profile; in the desktop app, the app's own profile). */
export const LANGUAGE_STORAGE_KEY = 'register-bridge-language';

export type UiCatalogue = typeof en;
/**
 * Every key of the `ui` catalogue. The types come from the product's generated catalogue (src/i18n/types.ts): a key
 * English does not have, or a placeholder its text does not name, fails the type check.
 */
export type UiKey = ParseKeys<'ui'>;
export type UiValues = Readonly<Record<string, string | number>>;
/** Translates a key of the `ui` catalogue; `count` chooses the plural form. */
export type Translate = TFunction<'ui'>;

const lazyCatalogues = import.meta.glob<UiCatalogue>(
  ['../../../src/i18n/locales/*/ui.json', '!../../../src/i18n/locales/en/ui.json'],
  { import: 'default' },
);

/**
 * The pseudo-locale is offered in the picker of a development build only (`vite` serving the page, not `vite build`);
 * any build accepts it when it is stored, which is how the layout test chooses it.
 */
export const PSEUDO_IN_PICKER = import.meta.env.MODE !== 'production';

export const i18n = i18next.createInstance();

function isUiLanguage(tag: string | null | undefined): tag is UiLanguage {
  return tag === PSEUDO_LOCALE || (UI_LANGUAGES as readonly string[]).includes(tag ?? '');
}

const languageOf = (tag: string): string => tag.toLowerCase().split(/[-_]/)[0] ?? '';

/** The stored choice, else the first preferred language the page speaks ("de-AT" → de), else English. */
export function chooseLanguage(stored: string | null, preferred: readonly string[]): UiLanguage {
  if (isUiLanguage(stored)) return stored;
  for (const tag of preferred) {
    const lang = languageOf(tag);
    if (isUiLanguage(lang)) return lang;
  }
  return 'en';
}

/** The locale dates and amounts are written in: the user's own variant of the language (en-GB, de-AT) when there is one. */
export function formatLocaleOf(lang: UiLanguage, preferred: readonly string[]): string {
  if (lang === PSEUDO_LOCALE) return 'en';
  const own = preferred.find((tag) => languageOf(tag) === lang);
  try {
    return own ? (Intl.getCanonicalLocales(own)[0] ?? lang) : lang;
  } catch {
    return lang;
  }
}

async function catalogueOf(lang: UiLanguage): Promise<UiCatalogue> {
  if (lang === 'en') return en;
  if (lang === PSEUDO_LOCALE) return pseudoCatalogue(en);
  // Every language of UI_LANGUAGES has its file (the catalogue tests check it); English stands in otherwise.
  const load = lazyCatalogues[`../../../src/i18n/locales/${lang}/ui.json`];
  return load ? load() : en;
}

function preferredLanguages(): readonly string[] {
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    return null;
  }
}

function applyLanguage(lang: UiLanguage): void {
  setFormatLocale(formatLocaleOf(lang, preferredLanguages()));
  document.documentElement.lang = lang;
}

/** Starts i18next in the language of the page (before the first render). */
export async function startI18n(): Promise<UiLanguage> {
  const lang = chooseLanguage(storedLanguage(), preferredLanguages());
  const resources: Record<string, { ui: UiCatalogue }> = { en: { ui: en } };
  if (lang !== 'en') resources[lang] = { ui: await catalogueOf(lang) };
  applyLanguage(lang);
  await i18n.use(initReactI18next).init({
    lng: lang,
    fallbackLng: 'en',
    supportedLngs: [...UI_LANGUAGES, PSEUDO_LOCALE],
    ns: ['ui'],
    defaultNS: 'ui',
    resources,
    partialBundledLanguages: true,
    // React escapes what it renders.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return lang;
}

/** Switches the page to `lang` without a reload and remembers the choice. */
export async function switchLanguage(lang: UiLanguage): Promise<void> {
  if (!i18n.hasResourceBundle(lang, 'ui')) i18n.addResourceBundle(lang, 'ui', await catalogueOf(lang));
  try {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, lang);
  } catch {
    // A profile without storage keeps the language for this page only.
  }
  applyLanguage(lang);
  await i18n.changeLanguage(lang);
}

export function currentLanguage(): UiLanguage {
  const l = i18n.resolvedLanguage ?? i18n.language;
  return isUiLanguage(l) ? l : 'en';
}

/** The translate function of the `ui` namespace; the component re-renders when the language changes. */
export function useT(): Translate {
  return useTranslation('ui').t;
}

/** A translation outside React (client errors); follows the language in use. */
export const translate: Translate = i18n.getFixedT(null, 'ui');

/**
 * A text with markup inside ("Same total <strong>{{amount}}</strong> again"): the tags of the catalogue text become
 * the given elements, the values are inserted as text.
 */
export function Text({
  k,
  values,
  tags,
}: {
  k: UiKey;
  values?: UiValues;
  tags?: Readonly<Record<string, ReactElement>>;
}) {
  return createElement(Trans as never, { i18n, i18nKey: k, values, components: tags ?? {} });
}

/** The language's own name ("Deutsch", "български"), capitalised as a list item, from Intl. */
export function languageName(lang: UiLanguage): string {
  let name: string = lang;
  try {
    name = new Intl.DisplayNames([lang], { type: 'language' }).of(lang) ?? lang;
  } catch {
    // an engine without DisplayNames data keeps the tag
  }
  return name.charAt(0).toLocaleUpperCase(lang) + name.slice(1);
}
