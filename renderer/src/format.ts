/**
 * Amounts, dates and times as the page's locale writes them (Intl). The locale is set by the language module when
 * the language is chosen or changed. Money stays integer minor units until it is written: the decimal text is built by
 * string arithmetic and Intl formats that text exactly (no float on the way).
 */
import type { Money } from './client/types';

let locale = 'en';
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

export function setFormatLocale(tag: string): void {
  locale = tag;
  numberFormats.clear();
  dateFormats.clear();
}

export function formatLocale(): string {
  return locale;
}

/** Minor-unit digits of currencies that do not have 2 (ISO 4217); display only. */
const EXPONENTS: Readonly<Record<string, number>> = {
  JPY: 0,
  ISK: 0,
  KRW: 0,
  CLP: 0,
  VND: 0,
  XAF: 0,
  XOF: 0,
  UGX: 0,
  PYG: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

/** "-1234" minor units with 2 digits → "-12.34": exact, by string arithmetic. */
function decimalText(minor: number, e: number): `${number}` {
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(Math.trunc(minor))).padStart(e + 1, '0');
  return `${sign}${e === 0 ? digits : `${digits.slice(0, -e)}.${digits.slice(-e)}`}` as `${number}`;
}

function moneyFormat(currency: string, e: number): Intl.NumberFormat {
  const key = `${currency}:${e}`;
  let f = numberFormats.get(key);
  if (!f) {
    // The ISO code, not a symbol: the bridge handles several currencies and "$" or "лв." would be ambiguous.
    f = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      currencyDisplay: 'code',
      minimumFractionDigits: e,
      maximumFractionDigits: e,
    });
    numberFormats.set(key, f);
  }
  return f;
}

/** An amount with its currency as the locale writes it: "EUR 12.34" (en), "12,34 EUR" (de, fr, bg). Negative amounts keep their sign. */
export function formatSigned(minor: number, currency: string): string {
  const e = EXPONENTS[currency] ?? 2;
  const text = decimalText(minor, e);
  try {
    return moneyFormat(currency, e).format(text);
  } catch {
    // Not an ISO currency code: the number and the code as given.
    return `${text} ${currency}`;
  }
}

export function formatMoney(m: Money): string {
  return formatSigned(m.minor, m.currency);
}

function dateFormat(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    dateFormats.set(key, f);
  }
  return f;
}

function parsed(iso: string | undefined): Date | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Date and time of an instant, in the browser's time zone or the one given (a business day's zone). */
export function formatTime(iso: string | undefined, timeZone?: string): string {
  if (!iso) return '—';
  const d = parsed(iso);
  if (!d) return iso;
  try {
    return dateFormat(`dt:${timeZone ?? ''}`, {
      dateStyle: 'medium',
      timeStyle: 'medium',
      ...(timeZone ? { timeZone } : {}),
    }).format(d);
  } catch {
    return dateFormat('dt:', { dateStyle: 'medium', timeStyle: 'medium' }).format(d);
  }
}

/** The time of day of an instant (stages, log lines). */
export function formatClock(iso: string): string {
  const d = parsed(iso);
  return d ? dateFormat('t', { timeStyle: 'medium' }).format(d) : iso;
}

/** A calendar day given as YYYY-MM-DD (a business day), written as the locale writes dates. */
export function formatDay(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  return dateFormat('day', { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))),
  );
}

/** A count as the locale writes numbers (1 234 / 1.234 / 1,234). */
export function formatCount(n: number): string {
  const key = 'count';
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale);
    numberFormats.set(key, f);
  }
  return f.format(n);
}
