/**
 * Finding the total in a receipt's or a display's text, and turning the register's way of writing it
 * ("12,34", "1.234,56", "1'234.50", "12.34") into Money exactly: thousands separators are removed by string
 * rules and the rest goes through fromDecimal. No floats anywhere.
 */
import { BridgeError } from '../../domain/errors';
import { currency as currencyOf, isKnownCurrency, MYPOS_CURRENCIES } from '../../domain/currency';
import { fromDecimal, type Money } from '../../domain/money';
import { coreText, type CoreText } from '../../i18n/core-text';

export type DecimalSeparator = 'auto' | ',' | '.';

const KEYWORDS = ['TOTAL', 'SUMME', 'GESAMT', 'ZU ZAHLEN'];
const CODES = MYPOS_CURRENCIES.join('|');
const AMOUNT = String.raw`(?<amount>\d{1,3}(?:[.,']\d{3})+(?:[.,]\d{1,3})?|\d+(?:[.,]\d{1,3})?)(?!\d)`;

/**
 * Matches "TOTAL 12,34", "SUMME 12.34 EUR", "SUMME EUR 1.234,56", "Total: 12.34", "ZU ZAHLEN € 7,50" and, on a
 * display, "TOTAL" on one line with "EUR 12,34" on the next. A key word inside a longer word (ZWISCHENSUMME,
 * SUBTOTAL) does not count, and a negative total ("TOTAL -12,34", a refund receipt) does not match.
 */
export const DEFAULT_TOTAL_PATTERN =
  String.raw`(?<![\p{L}])(?:${KEYWORDS.join('|')})(?![\p{L}])[\s:=.*]*` +
  String.raw`(?:(?<currency>${CODES})(?![\p{L}])[\s:]*|€\s*)?` +
  AMOUNT +
  String.raw`(?:[^\S\n]*(?:(?<currencyAfter>${CODES})(?![\p{L}])|€))?`;

export const DEFAULT_PATTERN_FLAGS = 'iu';

export interface TotalRule {
  readonly pattern: RegExp;
  readonly decimal: DecimalSeparator;
  /** Currency when the match names none (or names something that is no ISO 4217 code). */
  readonly currency: string;
  readonly pick: 'first' | 'last';
  /** Match the whole text at once (a display's two lines), or each line on its own (a receipt). */
  readonly acrossLines: boolean;
}

export interface FoundTotal {
  readonly amount: Money;
  /** The text that matched, e.g. "SUMME EUR 1.234,56". */
  readonly matched: string;
}

/**
 * Compiles a total pattern; it must have a named group "amount" (and may have groups whose names start with
 * "currency"). Throws config_invalid with the reason.
 */
export function compileTotalPattern(
  source: string = DEFAULT_TOTAL_PATTERN,
  flags: string = DEFAULT_PATTERN_FLAGS,
): RegExp {
  let re: RegExp;
  try {
    re = new RegExp(source, flags.includes('g') ? flags : flags + 'g');
  } catch (e) {
    throw new BridgeError('config_invalid', `pattern is not a valid regular expression: ${(e as Error).message}`, {
      text: regexText(e),
    });
  }
  if (!/\(\?<amount>/.test(source))
    throw new BridgeError('config_invalid', 'pattern needs a named group "amount", e.g. (?<amount>\\d+[.,]\\d{2})', {
      text: coreText('config.amountGroup'),
    });
  return re;
}

/** Compiles an optional filter pattern (ignore / require); throws config_invalid. */
export function compileFilter(
  source: string | undefined,
  what: string,
  flags = DEFAULT_PATTERN_FLAGS,
): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    return new RegExp(source, flags.replace('g', ''));
  } catch (e) {
    throw new BridgeError('config_invalid', `${what} is not a valid regular expression: ${(e as Error).message}`, {
      text: regexText(e),
    });
  }
}

/** A pattern the regular expression engine refused, as a coded text with the engine's own words (without the pattern). */
function regexText(e: unknown): CoreText {
  const words = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
  return coreText('config.regexInvalid', { error: words });
}

/**
 * The total in `text`, or undefined when the pattern does not match. Throws BridgeError invalid_amount /
 * unknown_currency when it matched something that is no exact amount (the caller logs it, nothing is charged).
 */
export function findTotal(text: string, rule: TotalRule): FoundTotal | undefined {
  const pieces = rule.acrossLines ? [text] : text.split('\n');
  let chosen: RegExpMatchArray | undefined;
  for (const piece of pieces) {
    rule.pattern.lastIndex = 0;
    for (const m of piece.matchAll(rule.pattern)) {
      if (m.groups?.amount === undefined) continue;
      chosen = m;
      if (rule.pick === 'first') break;
    }
    if (chosen && rule.pick === 'first') break;
  }
  if (!chosen) return undefined;
  const groups = chosen.groups ?? {};
  let code = rule.currency;
  for (const [name, value] of Object.entries(groups)) {
    if (name.startsWith('currency') && value !== undefined && isKnownCurrency(value.toUpperCase()))
      code = value.toUpperCase();
  }
  const normalized = normalizeAmount(groups.amount!, rule.decimal, currencyOf(code).exponent);
  return {
    amount: fromDecimal(normalized, code, { separators: ['.'] }),
    matched: chosen[0].replace(/\s+/g, ' ').trim(),
  };
}

/**
 * An amount as the register wrote it → plain decimal text with "." ("1.234,56" → "1234.56").
 * With `auto`: when both "." and "," occur the later one is the decimal separator; a single separator followed by
 * exactly three digits is a thousands separator (unless the currency has three decimals); "'" and spaces always
 * group thousands. Groups must be three digits, else the amount is refused rather than guessed.
 */
export function normalizeAmount(raw: string, decimal: DecimalSeparator, exponent: number): string {
  const text = raw.trim().replace(/[\s\u00a0]/g, '');
  const refuse = (): never => {
    throw new BridgeError('invalid_amount', `"${raw}" is not an amount in the register's format`);
  };
  if (!/^[0-9.,']+$/.test(text) || !/[0-9]/.test(text)) refuse();
  let dec: '.' | ',' | undefined;
  if (decimal !== 'auto') dec = decimal;
  else {
    const lastDot = text.lastIndexOf('.');
    const lastComma = text.lastIndexOf(',');
    if (lastDot >= 0 && lastComma >= 0) dec = lastDot > lastComma ? '.' : ',';
    else if (lastDot >= 0 || lastComma >= 0) {
      const sep = lastDot >= 0 ? '.' : ',';
      const count = text.split(sep).length - 1;
      const after = text.length - text.lastIndexOf(sep) - 1;
      dec = count === 1 && !(after === 3 && exponent !== 3) ? sep : undefined;
    }
  }
  let whole = text;
  let frac = '';
  if (dec !== undefined && text.includes(dec)) {
    const at = text.lastIndexOf(dec);
    whole = text.slice(0, at);
    frac = text.slice(at + 1);
    if (!/^[0-9]*$/.test(frac)) refuse();
  }
  if (/[^0-9]/.test(whole)) {
    const seps = new Set(whole.replace(/[0-9]/g, ''));
    const thousands = [...seps][0]!;
    if (seps.size !== 1 || thousands === dec) refuse();
    if (!new RegExp('^[0-9]{1,3}(?:\\' + thousands + '[0-9]{3})+$').test(whole)) refuse();
    whole = whole.split(thousands).join('');
  }
  if (whole === '') whole = '0';
  return frac === '' ? whole : `${whole}.${frac}`;
}
