/**
 * Numbers, amounts, dates and times as a locale writes them, through Intl only. Amounts are formatted from their
 * exact decimal string (Intl.NumberFormat takes a string as an exact decimal), never from a float. Without a
 * locale (the product's default) they are written as before the bridge spoke other languages: `12.34`,
 * `2025-01-15`, `10:30:12`.
 */
import { toDecimal, type Money } from '../domain/money';
import { currency } from '../domain/currency';

const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function numberFormat(locale: string | undefined, digits: number): Intl.NumberFormat {
  const key = `${locale ?? ''}|${digits}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale ?? 'en', {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      useGrouping: locale !== undefined,
      numberingSystem: 'latn',
    });
    numberFormats.set(key, f);
  }
  return f;
}

/** The amount's number as the locale writes it, with the currency's decimals (`1.234,56` in de-DE). */
export function formatAmount(m: Money, locale: string | undefined): string {
  return numberFormat(locale, currency(m.currency).exponent).format(toDecimal(m) as Intl.StringNumericLiteral);
}

/** A whole number as the locale writes it. */
export function formatInteger(n: number, locale: string | undefined): string {
  return numberFormat(locale, 0).format(n);
}

function dateFormat(locale: string, kind: 'date' | 'time'): Intl.DateTimeFormat {
  const key = `${locale}|${kind}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(
      locale,
      kind === 'date'
        ? { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit', numberingSystem: 'latn' }
        : {
            timeZone: 'UTC',
            hour: '2-digit',
            minute: '2-digit',
            second: '2-digit',
            hourCycle: 'h23',
            numberingSystem: 'latn',
          },
    );
    dateFormats.set(key, f);
  }
  return f;
}

/**
 * A local calendar date `YYYY-MM-DD` (already in the business day's time zone) as the locale writes it. The date is
 * formatted as a UTC instant in UTC, so no zone shifts it a second time.
 */
export function formatDate(isoDate: string, locale: string | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m || locale === undefined) return isoDate;
  return dateFormat(locale, 'date').format(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}

/** A local wall-clock time `HH:MM:SS` (already in the business day's time zone) as the locale writes it. */
export function formatTime(isoTime: string, locale: string | undefined): string {
  const m = /^(\d{2}):(\d{2}):(\d{2})$/.exec(isoTime);
  if (!m || locale === undefined) return isoTime;
  return dateFormat(locale, 'time').format(Date.UTC(2000, 0, 1, Number(m[1]), Number(m[2]), Number(m[3])));
}
