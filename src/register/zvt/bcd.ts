/**
 * Packed BCD and the other fixed ZVT data encodings — read beside zvt.md §3 (data encodings) and §7 (BMP formats).
 *
 * Packed BCD: two decimal digits per byte, high nibble first: "1234" → 12 34. Hand-written because these are a few
 * lines of nibble arithmetic that no well-kept package offers for ZVT's fixed widths.
 */
import { ZvtFormatError } from './errors';

/** Digits → packed BCD of exactly `bytes` bytes, zero-padded on the left. Throws if the digits do not fit. */
export function encodeBcd(digits: string, bytes: number): Buffer {
  if (!/^[0-9]*$/.test(digits)) throw new RangeError(`BCD value must be decimal digits, got "${digits}"`);
  if (digits.length > bytes * 2) throw new RangeError(`"${digits}" does not fit in ${bytes} BCD bytes`);
  const padded = digits.padStart(bytes * 2, '0');
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) {
    out[i] = (Number(padded[2 * i]) << 4) | Number(padded[2 * i + 1]);
  }
  return out;
}

/** Packed BCD → digits (leading zeros kept). Throws ZvtFormatError on a nibble above 9. */
export function decodeBcd(bytes: Uint8Array, what = 'BCD field'): string {
  let s = '';
  for (const b of bytes) {
    const hi = b >> 4;
    const lo = b & 0x0f;
    if (hi > 9 || lo > 9) {
      throw new ZvtFormatError(`${what}: byte ${hex(b)} is not packed BCD`);
    }
    s += String(hi) + String(lo);
  }
  return s;
}

/** A non-negative integer → packed BCD of `bytes` bytes. */
export function encodeBcdNumber(value: number, bytes: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`BCD number must be a non-negative integer, got ${value}`);
  return encodeBcd(String(value), bytes);
}

export function decodeBcdNumber(bytes: Uint8Array, what = 'BCD number'): number {
  return Number(decodeBcd(bytes, what));
}

// §3 Amount: BMP 04, 6 bytes packed BCD in minor units: 00 00 00 00 12 34 = 12.34.
export const AMOUNT_BYTES = 6;
export function encodeAmount(minor: number): Buffer {
  return encodeBcdNumber(minor, AMOUNT_BYTES);
}
export function decodeAmount(bytes: Uint8Array): number {
  if (bytes.length !== AMOUNT_BYTES)
    throw new ZvtFormatError(`amount must be ${AMOUNT_BYTES} BCD bytes, got ${bytes.length}`);
  return decodeBcdNumber(bytes, 'amount');
}

// §3 Currency: BMP 49 or positional CC, 2 bytes BCD of the ISO 4217 numeric code: 09 78 = EUR (978).
export const CURRENCY_BYTES = 2;
export function encodeCurrency(numeric: string): Buffer {
  return encodeBcd(numeric, CURRENCY_BYTES);
}
/** Returns the 3-digit ISO numeric code, e.g. "978". */
export function decodeCurrency(bytes: Uint8Array): string {
  if (bytes.length !== CURRENCY_BYTES)
    throw new ZvtFormatError(`currency code must be ${CURRENCY_BYTES} BCD bytes, got ${bytes.length}`);
  const digits = decodeBcd(bytes, 'currency code');
  // ISO numeric codes have 3 digits; a non-zero first digit cannot be one and is returned whole (unknown currency).
  return digits.startsWith('0') ? digits.slice(1) : digits;
}

// §3 Password: 6 digits, 3 bytes BCD: 123456 → 12 34 56.
export const PASSWORD_BYTES = 3;
export function encodePassword(password: string): Buffer {
  if (!/^[0-9]{6}$/.test(password)) throw new RangeError('a ZVT password is exactly 6 digits');
  return encodeBcd(password, PASSWORD_BYTES);
}
export function decodePassword(bytes: Uint8Array): string {
  if (bytes.length !== PASSWORD_BYTES)
    throw new ZvtFormatError(`password must be ${PASSWORD_BYTES} BCD bytes, got ${bytes.length}`);
  return decodeBcd(bytes, 'password');
}

/** A calendar moment in the fields ZVT needs (§7: 0C time HHMMSS, 0D date MMDD, AA date YYMMDD). */
export interface ZvtDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

function two(n: number): string {
  return String(n % 100).padStart(2, '0');
}

/** BMP 0C: 3 bytes BCD HHMMSS. */
export function encodeTime(t: ZvtDateTime): Buffer {
  return encodeBcd(two(t.hour) + two(t.minute) + two(t.second), 3);
}
/** BMP 0D: 2 bytes BCD MMDD. */
export function encodeDate(t: ZvtDateTime): Buffer {
  return encodeBcd(two(t.month) + two(t.day), 2);
}
/** BMP AA: 3 bytes BCD YYMMDD. */
export function encodeLongDate(t: ZvtDateTime): Buffer {
  return encodeBcd(two(t.year) + two(t.month) + two(t.day), 3);
}

/**
 * BMP 22 PAN: BCD digits, a masked digit is nibble E, an odd number of digits is padded with nibble F (§7).
 * Accepts "541333******1234" (also with X or x as the mask character).
 */
export function encodePanNibbles(masked: string): Buffer {
  const nibbles: number[] = [];
  for (const ch of masked) {
    if (ch >= '0' && ch <= '9') nibbles.push(Number(ch));
    else if (ch === '*' || ch === 'X' || ch === 'x') nibbles.push(0x0e);
    else if (ch === ' ' || ch === '-') continue;
    else throw new RangeError(`masked PAN contains "${ch}"`);
  }
  if (nibbles.length % 2 === 1) nibbles.push(0x0f);
  const out = Buffer.alloc(nibbles.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = ((nibbles[2 * i] ?? 0) << 4) | (nibbles[2 * i + 1] ?? 0);
  return out;
}

/** BMP 22 back to text: E → "*", trailing F dropped. */
export function decodePanNibbles(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    for (const n of [b >> 4, b & 0x0f]) {
      if (n <= 9) s += String(n);
      else if (n === 0x0e) s += '*';
      else if (n === 0x0f) continue;
      else throw new ZvtFormatError(`PAN nibble ${n.toString(16)} is neither a digit, E nor F`);
    }
  }
  return s;
}

export function hex(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, '0');
}

/** Bytes as spaced upper-case hex, e.g. "06 01 0C" (logs and test names). */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, hex).join(' ');
}
