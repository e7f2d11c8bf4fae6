import { BridgeError } from './errors';
import { currency, type Currency } from './currency';

/** The largest amount the bridge accepts, in minor units (ZVT's 6-byte BCD and every register protocol fit it). */
export const MAX_MINOR = 999_999_999;

/** Money is always an integer number of minor units plus an ISO 4217 alpha code. Never a float. */
export interface Money {
  readonly minor: number;
  readonly currency: string;
}

/** Validates and builds Money; refuses floats, negatives, values over MAX_MINOR and unknown currencies. */
export function money(minor: unknown, currencyCode: unknown, what = 'amount'): Money {
  const c = currency(currencyCode);
  return { minor: checkMinor(minor, what), currency: c.code };
}

/** Checks a minor-unit amount: a safe non-negative integer no larger than MAX_MINOR. */
export function checkMinor(minor: unknown, what = 'amount'): number {
  if (typeof minor !== 'number' || !Number.isFinite(minor)) {
    throw new BridgeError(
      'invalid_amount',
      `${what} must be an integer number of minor units, got ${JSON.stringify(minor)}`,
    );
  }
  if (!Number.isInteger(minor)) {
    throw new BridgeError(
      'invalid_amount',
      `${what} must be an integer number of minor units (e.g. 1234 for 12.34), got ${minor}`,
    );
  }
  if (minor < 0) throw new BridgeError('invalid_amount', `${what} must not be negative, got ${minor}`);
  if (minor > MAX_MINOR)
    throw new BridgeError('invalid_amount', `${what} must be at most ${MAX_MINOR} minor units, got ${minor}`);
  return minor;
}

export interface DecimalFormat {
  /** Decimal separator; default ".". */
  separator?: '.' | ',';
  /** Digits after the separator; default the currency's exponent. */
  decimals?: number;
}

/**
 * Minor units to a decimal string, by string arithmetic only: 1234 EUR → "12.34", 5 JPY → "5",
 * and with `decimals: 2` for a zero-exponent currency 5 JPY → "5.00".
 */
export function toDecimal(m: Money, format: DecimalFormat = {}): string {
  const c: Currency = currency(m.currency);
  const minor = checkMinor(m.minor);
  const exponent = c.exponent;
  const decimals = format.decimals ?? exponent;
  const sep = format.separator ?? '.';
  if (decimals < exponent) {
    const scale = 10 ** (exponent - decimals);
    if (minor % scale !== 0) {
      throw new BridgeError(
        'invalid_amount',
        `${minor} minor units of ${c.code} cannot be written with ${decimals} decimals`,
      );
    }
  }
  let digits = String(minor);
  if (decimals === 0 && exponent === 0) return digits;
  // Re-express the amount with `decimals` digits after the point.
  if (decimals >= exponent) digits = digits + '0'.repeat(decimals - exponent);
  else digits = digits.slice(0, digits.length - (exponent - decimals)) || '0';
  if (decimals === 0) return digits;
  digits = digits.padStart(decimals + 1, '0');
  return `${digits.slice(0, -decimals)}${sep}${digits.slice(-decimals)}`;
}

export interface DecimalParse {
  /** Which separators are accepted; default both "." and ",". */
  separators?: ReadonlyArray<'.' | ','>;
  what?: string;
}

/**
 * A decimal string to Money, exactly: "12.34" EUR → 1234; "12,3" → 1230; "7" → 700.
 * More decimals than the currency has are refused unless they are zeros ("12.340" → 1234).
 * No thousands separators, no signs, no exponents.
 */
export function fromDecimal(text: string, currencyCode: string, options: DecimalParse = {}): Money {
  const what = options.what ?? 'amount';
  const c = currency(currencyCode);
  const seps = options.separators ?? ['.', ','];
  const trimmed = text.trim();
  const m = /^([0-9]+)(?:([.,])([0-9]*))?$/.exec(trimmed);
  if (!m || (m[2] !== undefined && !seps.includes(m[2] as '.' | ','))) {
    throw new BridgeError('invalid_amount', `${what} "${text}" is not a decimal amount such as 12${seps[0] ?? '.'}34`);
  }
  const whole = m[1] ?? '0';
  let frac = m[3] ?? '';
  if (frac.length > c.exponent) {
    const extra = frac.slice(c.exponent);
    if (!/^0*$/.test(extra)) {
      throw new BridgeError(
        'invalid_amount',
        `${what} "${text}" has more decimals than ${c.code} allows (${c.exponent})`,
      );
    }
    frac = frac.slice(0, c.exponent);
  }
  frac = frac.padEnd(c.exponent, '0');
  const digits = (whole + frac).replace(/^0+(?=[0-9])/, '');
  if (digits.length > String(MAX_MINOR).length) {
    throw new BridgeError('invalid_amount', `${what} "${text}" is larger than ${MAX_MINOR} minor units`);
  }
  return money(Number(digits), c.code, what);
}

export function sameMoney(a: Money, b: Money): boolean {
  return a.minor === b.minor && a.currency === b.currency;
}

export function formatMoney(m: Money): string {
  return `${toDecimal(m)} ${m.currency}`;
}
