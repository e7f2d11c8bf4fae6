/**
 * The status page's language and formats, without a browser: which language a browser gets, which locale writes its
 * amounts and dates, the pseudo-locale, and that a key or a placeholder the English catalogue lacks fails the type
 * check (the `@ts-expect-error` lines below are errors `npm run typecheck` requires).
 */
import { describe, expect, it } from 'vitest';
import type { TFunction } from 'i18next';
import { formatDay, formatMoney, formatSigned, formatTime, setFormatLocale } from '../../renderer/src/format';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { chooseLanguage, formatLocaleOf, PSEUDO_LOCALE, UI_LANGUAGES } from '../../renderer/src/i18n';
import { pseudoCatalogue, pseudoText } from '../../renderer/src/i18n/pseudo';
import en from '../../src/i18n/locales/en/ui.json';

describe("the page's language", () => {
  it("is offered in every language that has the page's words, English first", () => {
    const dir = join(import.meta.dirname, '..', '..', 'src', 'i18n', 'locales');
    const withUi = readdirSync(dir).filter((l) => existsSync(join(dir, l, 'ui.json')));
    expect([...UI_LANGUAGES].sort()).toEqual(withUi.sort());
    expect(UI_LANGUAGES[0]).toBe('en');
  });

  it("is the one picked and remembered, else the first of the browser's languages the page speaks, else English", () => {
    expect(chooseLanguage(null, ['de-AT', 'en-US'])).toBe('de');
    expect(chooseLanguage(null, ['ja-JP', 'bg-BG', 'en'])).toBe('bg');
    expect(chooseLanguage(null, ['pt-PT', 'ja'])).toBe('en');
    expect(chooseLanguage(null, [])).toBe('en');
    expect(chooseLanguage('fr', ['de-DE'])).toBe('fr');
    expect(chooseLanguage(PSEUDO_LOCALE, ['de-DE'])).toBe(PSEUDO_LOCALE);
    // A stored value the page does not know (an older version's, a typo) is ignored.
    expect(chooseLanguage('klingon', ['it-IT'])).toBe('it');
  });

  it("writes amounts and dates in the user's own variant of the language when there is one", () => {
    expect(formatLocaleOf('en', ['en-GB', 'de-DE'])).toBe('en-GB');
    expect(formatLocaleOf('de', ['en-GB', 'de-AT'])).toBe('de-AT');
    expect(formatLocaleOf('fr', ['de-DE'])).toBe('fr');
    expect(formatLocaleOf(PSEUDO_LOCALE, ['de-DE'])).toBe('en');
  });
});

describe('formats through Intl', () => {
  it('writes amounts from minor units exactly, as each locale writes them', () => {
    setFormatLocale('de-DE');
    expect(formatMoney({ minor: 1234, currency: 'EUR' })).toBe('12,34\u00a0EUR');
    expect(formatMoney({ minor: 123456789, currency: 'EUR' })).toBe('1.234.567,89\u00a0EUR');
    expect(formatSigned(-500, 'EUR')).toBe('-5,00\u00a0EUR');
    expect(formatMoney({ minor: 1234, currency: 'JPY' })).toBe('1.234\u00a0JPY');
    expect(formatMoney({ minor: 1234, currency: 'KWD' })).toBe('1,234\u00a0KWD');
    // The largest exact integer, written digit for digit: no float division on the way.
    expect(formatMoney({ minor: Number.MAX_SAFE_INTEGER, currency: 'EUR' })).toBe('90.071.992.547.409,91\u00a0EUR');
    setFormatLocale('en-US');
    expect(formatMoney({ minor: 1234, currency: 'EUR' })).toBe('EUR\u00a012.34');
    expect(formatSigned(-500, 'EUR')).toBe('-EUR\u00a05.00');
    setFormatLocale('bg-BG');
    expect(formatMoney({ minor: 1234, currency: 'BGN' })).toBe('12,34\u00a0BGN');
    // Not an ISO code: the number and the code as given.
    expect(formatMoney({ minor: 1234, currency: 'XX' })).toBe('12.34 XX');
  });

  it("writes dates as each locale does, in the business day's time zone when given", () => {
    const at = '2026-12-07T23:30:00Z';
    setFormatLocale('de-DE');
    expect(formatTime(at, 'UTC')).toBe('07.12.2026, 23:30:00');
    expect(formatTime(at, 'Europe/Sofia')).toBe('08.12.2026, 01:30:00');
    expect(formatDay('2026-12-07')).toBe('07.12.2026');
    setFormatLocale('en-US');
    expect(formatDay('2026-12-07')).toBe('Dec 7, 2026');
    setFormatLocale('bg-BG');
    expect(formatDay('2026-12-07')).toBe('7.12.2026 г.');
    expect(formatTime(undefined)).toBe('—');
  });
});

describe('the pseudo-locale', () => {
  it('accents every letter, is about 40 % longer, and keeps placeholders and tags', () => {
    const text = 'Same total <strong>{{amount}}</strong> again within {{seconds}} s — charge again?';
    const p = pseudoText(text);
    expect(p.startsWith('[') && p.endsWith(']')).toBe(true);
    expect(p).toContain('<strong>{{amount}}</strong>');
    expect(p).toContain('{{seconds}}');
    expect(p).not.toMatch(/[a-zA-Z]{2,}(?![^{]*\}\})(?![^<]*>)/);
    const letters = (s: string): number => s.replace(/\{\{[^}]*\}\}|<[^>]+>/g, '').length;
    expect(letters(p)).toBeGreaterThanOrEqual(Math.ceil(letters(text) * 1.4));
    expect(pseudoText('PIN')).toBe('[ÞÍÍÑ ·]');
  });

  it('has every key of English', () => {
    const keys = (o: object, p = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'string' ? [p + k] : keys(v as object, `${p}${k}.`)));
    expect(keys(pseudoCatalogue(en))).toEqual(keys(en));
  });
});

// Type checks only (never called): the generated catalogue types every key and placeholder of the `ui` namespace.
export function typed(t: TFunction<'ui'>): string[] {
  return [
    t('dashboard.onTerminal', { terminal: 'lane1' }),
    t('dashboard.queueWaiting', { count: 2 }),
    // @ts-expect-error a key English does not have
    t('dashboard.noSuchText'),
    // @ts-expect-error a placeholder the English text does not name
    t('dashboard.onTerminal', { terminl: 'lane1' }),
  ];
}
