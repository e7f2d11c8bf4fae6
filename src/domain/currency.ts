import currencyCodes from 'currency-codes';
import { BridgeError } from './errors';

/** An ISO 4217 currency as the bridge needs it: alpha code, numeric code and number of minor-unit digits. */
export interface Currency {
  readonly code: string;
  readonly numeric: string;
  readonly exponent: number;
  readonly name: string;
}

/**
 * Currencies the ISO list no longer carries but myPOS terminals may still report (the myPOS SDK knows HRK).
 * Everything else comes from the `currency-codes` package, which tracks ISO 4217.
 */
const HISTORIC: readonly Currency[] = [{ code: 'HRK', numeric: '191', exponent: 2, name: 'Croatian Kuna' }];

/** The currencies myPOS terminals are known to use (mypos-ipp.md §9); each must resolve here. */
export const MYPOS_CURRENCIES = [
  'EUR',
  'BGN',
  'CHF',
  'GBP',
  'RON',
  'USD',
  'HRK',
  'JPY',
  'CZK',
  'DKK',
  'HUF',
  'ISK',
  'NOK',
  'SEK',
  'PLN',
] as const;

const byCode = new Map<string, Currency>();
const byNumeric = new Map<string, Currency>();

function add(c: Currency): void {
  byCode.set(c.code, c);
  byNumeric.set(c.numeric, c);
}

for (const code of currencyCodes.codes()) {
  const data = currencyCodes.code(code);
  // Funds and precious metals have no minor-unit digits in ISO's list ("N.A."); they are not payment currencies.
  if (!data || typeof data.digits !== 'number' || !/^[0-9]{3}$/.test(data.number)) continue;
  add({ code: data.code, numeric: data.number, exponent: data.digits, name: data.currency });
}
for (const c of HISTORIC) if (!byCode.has(c.code)) add(c);

/** The currency for an alpha code such as "EUR"; throws `unknown_currency` for anything else. */
export function currency(code: unknown): Currency {
  if (typeof code !== 'string' || !/^[A-Z]{3}$/.test(code)) {
    throw new BridgeError(
      'unknown_currency',
      `currency must be an ISO 4217 alpha code such as "EUR", got ${JSON.stringify(code)}`,
    );
  }
  const c = byCode.get(code);
  if (!c) throw new BridgeError('unknown_currency', `unknown currency "${code}"`);
  return c;
}

/** The currency for an ISO 4217 numeric code such as "978" (or 978); throws `unknown_currency`. */
export function currencyByNumeric(numeric: string | number): Currency {
  const key = typeof numeric === 'number' ? String(numeric).padStart(3, '0') : numeric.padStart(3, '0');
  const c = byNumeric.get(key);
  if (!c) throw new BridgeError('unknown_currency', `unknown ISO 4217 numeric currency code "${numeric}"`);
  return c;
}

export function isKnownCurrency(code: string): boolean {
  return byCode.has(code);
}
