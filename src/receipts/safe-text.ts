/**
 * Text that may go on a receipt. Every value from a terminal, the journal or the config passes through here
 * before it reaches a receipt, so that no receipt can ever carry an unmasked card number, whatever the terminal
 * sent or a driver put into ResultFields (defence in depth: drivers and the journal mask too).
 */
import { containsCardNumber, panRules, textRules } from '../domain/card-data';

export { containsCardNumber };

/** Replaces every digit run that contains a card number with `****` and its last four digits (receipt text rule). */
export const maskCardNumbers: (text: string) => string = textRules.receipt;

/**
 * A receipt field: strings only (anything else is dropped), Unicode NFC, control characters turned into spaces,
 * runs of white space collapsed, card numbers masked, at most `max` characters.
 */
export function safeText(value: unknown, max = 80): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (isPlainShortText(value, max)) return value;
  const clean = value
    .normalize('NFC')
    // C0, DEL, C1 controls and the Unicode line/paragraph separators never reach a printer.
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (clean === '') return undefined;
  const masked = maskCardNumbers(clean);
  const chars = Array.from(masked);
  return chars.length > max ? chars.slice(0, max).join('').trimEnd() : masked;
}

/**
 * Text that every step of `safeText` leaves as it is, found in one pass: printable ASCII only (NFC and control
 * characters change nothing), no leading, trailing or double space, at most `max` characters, and fewer than 13 digits
 * in all (no digit run can hold a card number). Almost every field a terminal sends is such text; anything else takes
 * the full path.
 */
function isPlainShortText(value: string, max: number): boolean {
  const n = value.length;
  if (n === 0 || n > max) return false;
  let digits = 0;
  let previous = 32;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 32 || c > 126) return false;
    if (c === 32 && previous === 32) return false;
    if (c >= 48 && c <= 57 && ++digits >= 13) return false;
    previous = c;
  }
  return previous !== 32;
}

/**
 * A reference on a receipt (the register's ref): cleaned like `safeText` but never masked — it is the register's
 * identifier, not card data, and the receipt must show the number the register knows the payment by.
 */
export function safeReference(value: unknown, max = 64): string | undefined {
  if (typeof value !== 'string') return undefined;
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').trim();
  if (clean === '') return undefined;
  const chars = Array.from(clean);
  return chars.length > max ? chars.slice(0, max).join('') : clean;
}

/** The masked PAN as printed (receipt PAN rule): only the last four digits, e.g. "************1234". */
export const printedPan: (value: unknown) => string | undefined = panRules.receipt;
