/**
 * Text that may go on a receipt. Every value from a terminal, the journal or the config passes through here
 * before it reaches a receipt, so that no receipt can ever carry an unmasked card number, whatever the terminal
 * sent or a driver put into ResultFields (defence in depth: drivers and the journal mask too).
 */
import { luhnValid } from '../log/redact';

/**
 * Digit runs, allowing short separators between digits ("4111 1111-1111.1111"), wherever they stand — also inside
 * words ("X4111111111111111"), which the log redactor's word-boundary rule would not catch.
 */
const DIGIT_RUN = /[0-9](?:[\s\-._/]{0,2}[0-9])*/g;

/**
 * True when `digits` contains a card number: a Luhn-valid run of 13–19 digits that starts with a digit other
 * than 0 (ISO/IEC 7812: major industry identifier 0 is not issued to cards). EMV AIDs ("A0000000041010") have long
 * digit runs too, but theirs start with zeros, so they stay readable.
 */
export function containsCardNumber(digits: string): boolean {
  if (digits.length < 13) return false;
  for (let start = 0; start + 13 <= digits.length; start++) {
    if (digits[start] === '0') continue;
    for (let len = 13; len <= 19 && start + len <= digits.length; len++) {
      if (luhnValid(digits.slice(start, start + len))) return true;
    }
  }
  return false;
}

/** Replaces every digit run that contains a card number with `****` and its last four digits. */
export function maskCardNumbers(text: string): string {
  return text.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/[^0-9]/g, '');
    return containsCardNumber(digits) ? `****${digits.slice(-4)}` : run;
  });
}

/**
 * A receipt field: strings only (anything else is dropped), Unicode NFC, control characters turned into spaces,
 * runs of white space collapsed, card numbers masked, at most `max` characters.
 */
export function safeText(value: unknown, max = 80): string | undefined {
  if (typeof value !== 'string') return undefined;
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

/**
 * The masked PAN as printed: only the last four digits are shown, e.g. "************1234" for a 16-digit card
 * (the length of what the terminal sent, kept between 12 and 19 characters), "****1234" when the length is unknown.
 * Whatever the field holds — an already masked PAN ("541333******1234"), a full number, words — at most four
 * digits survive.
 */
export function printedPan(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const compact = value.replace(/[\s-]/g, '');
  const digits = compact.replace(/[^0-9]/g, '');
  if (digits.length < 4) return undefined;
  const last4 = digits.slice(-4);
  const length = /^[0-9*Xx#•.]{12,19}$/.test(compact) ? compact.length : 8;
  return '*'.repeat(length - 4) + last4;
}
