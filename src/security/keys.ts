/**
 * Register keys: how strong a key must be, how one is made, and how one is compared.
 *
 * A key is a shared secret a register sends in its native `hello`. It must carry at least 128 bits: a key made by
 * `register-bridge keygen` (or the Settings button) is 32 random bytes in base64url (43 characters). A typed key is
 * judged by its alphabet: hex digits carry 4 bits a character, anything else is counted at most 6 bits a character
 * (base64), so a key needs 32 hex digits or 22 other characters, and a run of one repeated character is refused.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { coreText, type CoreText } from '../i18n/core-text';
import { english } from '../i18n/say';

export const MIN_KEY_BITS = 128;

/** A new key: 256 random bits, base64url (no padding). */
export function generateKey(): string {
  return randomBytes(32).toString('base64url');
}

/** The bits a key carries at most, judged by its length and alphabet (an upper bound, not an entropy estimate). */
export function keyBits(key: string): number {
  if (key.length === 0) return 0;
  const distinct = new Set(key).size;
  if (distinct < 4) return distinct <= 1 ? 0 : key.length;
  const perChar = /^[0-9a-fA-F]+$/.test(key) ? 4 : 6;
  return key.length * perChar;
}

/** Why a key is too weak as a coded text (the settings page writes it in its language), or undefined when it is strong enough. */
export function weakKeyText(key: string): CoreText | undefined {
  if (keyBits(key) >= MIN_KEY_BITS) return undefined;
  return coreText('config.weakKey', { bits: MIN_KEY_BITS });
}

/** Why a key is too weak, in English, or undefined when it is strong enough. */
export function weakKeyReason(key: string): string | undefined {
  const text = weakKeyText(key);
  return text && english(text);
}

/**
 * Compares a presented secret with the expected one in constant time: both are hashed first, so neither their
 * lengths nor their contents change how long the comparison takes.
 */
export function secretsEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
