/**
 * The card-data policy: what counts as card data, and how a card number may appear wherever it goes. No card data
 * beyond the masked PAN is ever stored, logged, printed or sent to a register; each destination has one named rule
 * here, and every place that writes there uses it.
 *
 * | rule                      | for                                   | a card number becomes            |
 * | ------------------------- | ------------------------------------- | -------------------------------- |
 * | `textRules.log`           | log lines, journal and terminal text  | `****1234` (track data replaced) |
 * | `textRules.receipt`       | receipt fields                        | `****1234`                       |
 * | `panRules.log`            | a PAN field kept or logged            | `****1234`                       |
 * | `panRules.receipt`        | the PAN printed on a receipt          | `************1234`               |
 * | `panRules.register`       | a PAN field sent to a register (ZVT BMP 22, ECR17) | `541333******1234`  |
 *
 * References (the register's ref, the bridge's and the terminal's ids) are never card data, whatever their digits:
 * `isReferenceKey` names them and `scrubCardData` keeps them exactly.
 */

import { ruleByName } from './rule-by-name';

/** The Luhn (mod 10) check of a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** A whole digit string that is a card number: 13–19 digits, Luhn-valid. */
export function isCardNumber(digits: string): boolean {
  return /^[0-9]{13,19}$/.test(digits) && luhnValid(digits);
}

// ---- log text -------------------------------------------------------------------------------------------------------

/**
 * A UUID (8-4-4-4-12 hex) is never a card number, but its first three groups (or its last two) are all digits now and
 * then — 16 digits with dashes, Luhn-valid one time in ten — and masking them corrupted an IPP SID in the journal, so
 * the terminal's open transaction was never confirmed. UUIDs are matched first and left as they are.
 */
const UUID_OR_PAN_CANDIDATE =
  /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\b(?:\d[ -]?){12,18}\d\b/gi;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TRACK1 = /%?B\d{12,19}\^[^^\n]{0,26}\^\d{4}[^?\s"]*\??/g;
const TRACK2 = /;?\d{12,19}=\d{4,}\??/g;
const TRACK2_EQUIVALENT = /\b\d{12,19}D\d{4}[0-9A-F]*F?\b/g;
const BEARER = /(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi;

/**
 * Log rule for free text: 13–19 digit runs (optionally split by spaces or dashes) that pass the Luhn check keep only
 * their last 4 digits; track data (track 1 `%B…^NAME^YYMM…`, track 2 and its equivalent `PAN=YYMM…` or `PAN D YYMM…`
 * as in EMV tag 57) and bearer tokens are replaced. Digit runs inside words are left (a word boundary is needed).
 */
function logText(text: string): string {
  if (!mayHoldCardData(text)) return text;
  return text
    .replace(TRACK1, '[track data redacted]')
    .replace(TRACK2, '[track data redacted]')
    .replace(TRACK2_EQUIVALENT, '[track data redacted]')
    .replace(BEARER, '$1[redacted]')
    .replace(UUID_OR_PAN_CANDIDATE, (match) => (UUID.test(match) ? match : maskGroupedCardNumber(match)));
}

/**
 * A candidate run is digit groups with one space or dash between them ("12 4111111111111111"). The pattern takes the
 * longest run, which may hold a card number beside another number; so each span of whole groups (a card number starts
 * and ends where a word does) is tried, longest first from each start — the whole run first of all.
 */
function maskGroupedCardNumber(run: string): string {
  const groups = run.split(/([ -])/);
  for (let first = 0; first < groups.length; first += 2) {
    for (let last = groups.length - 1; last >= first; last -= 2) {
      let span = '';
      for (let g = first; g <= last; g += 2) span += groups[g];
      if (!isCardNumber(span)) continue;
      const before = groups.slice(0, first).join('');
      return `${before}****${span.slice(-4)}${maskGroupedCardNumber(groups.slice(last + 1).join(''))}`;
    }
  }
  return run;
}

/**
 * Every pattern of the log rule but the bearer token needs a run of at least 12 digits — track data 12 in a row, a card
 * number 13 with at most one space or dash between two digits — and the bearer token needs the word "Bearer". Most
 * text has neither (a UUID, a timestamp and a message have digits, but in short runs) and is answered by one pass over
 * its characters instead of five regular expressions (the journal and the log scrub every text they keep).
 */
function mayHoldCardData(text: string): boolean {
  let run = 0;
  let separated = false;
  let b = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++run >= 12) return true;
      separated = false;
    } else if ((c === 32 || c === 45) && run > 0 && !separated) {
      // One space or dash between two digits keeps the run going ("4111 1111-1111 1111").
      separated = true;
    } else {
      run = 0;
      separated = false;
      if (c === 98 || c === 66) b = true;
    }
  }
  // "Bearer" in any case needs a "b" or "B" (the pattern has no Unicode flag: only ASCII letters fold).
  return b && /bearer/i.test(text);
}

// ---- receipt text ---------------------------------------------------------------------------------------------------

/**
 * Digit runs, allowing short separators between digits ("4111 1111-1111.1111"), wherever they stand — also inside
 * words ("X4111111111111111"), which the log rule's word boundary would not catch.
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

/** Receipt rule for free text: every digit run that contains a card number becomes `****` and its last four digits. */
function receiptText(text: string): string {
  return text.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/[^0-9]/g, '');
    return containsCardNumber(digits) ? `****${digits.slice(-4)}` : run;
  });
}

// ---- PAN fields -----------------------------------------------------------------------------------------------------

/** Log rule for a PAN field: only the last four digits, e.g. "****1234". Already-masked input is normalised. */
function logPan(pan: string | undefined): string | undefined {
  if (!pan) return undefined;
  const digits = pan.replace(/[^0-9]/g, '');
  if (digits.length < 4) return undefined;
  return `****${digits.slice(-4)}`;
}

/**
 * Receipt rule for the PAN: only the last four digits are shown, e.g. "************1234" for a 16-digit card (the
 * length of what the terminal sent, kept between 12 and 19 characters), "****1234" when the length is unknown.
 * Whatever the field holds — an already masked PAN ("541333******1234"), a full number, words — at most four
 * digits survive.
 */
function receiptPan(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const compact = value.replace(/[\s-]/g, '');
  const digits = compact.replace(/[^0-9]/g, '');
  if (digits.length < 4) return undefined;
  const last4 = digits.slice(-4);
  const length = /^[0-9*Xx#•.]{12,19}$/.test(compact) ? compact.length : 8;
  return '*'.repeat(length - 4) + last4;
}

/**
 * Register rule for a PAN field sent to a register (ZVT BMP 22, ECR17's PAN): a masked PAN passes with `*` for its
 * hidden digits ("541333XXXXXX1234" → "541333******1234"); a PAN of digits only was masked by nobody and is masked
 * here — first six and last four stay, or only the last four of a number of 10 digits or fewer. Anything else
 * (letters, fewer than 4 or more than 19 characters) is no PAN: undefined.
 */
function registerPan(pan: string | undefined): string | undefined {
  if (!pan) return undefined;
  const clean = pan.replace(/[\s-]/g, '');
  if (!/^[0-9*Xx]{4,19}$/.test(clean)) return undefined;
  if (/[*Xx]/.test(clean)) return clean.replace(/[Xx]/g, '*');
  if (clean.length <= 10) return '*'.repeat(clean.length - Math.min(4, clean.length)) + clean.slice(-4);
  return clean.slice(0, 6) + '*'.repeat(clean.length - 10) + clean.slice(-4);
}

/** How card numbers in free text are masked, by destination. */
export const textRules = { log: logText, receipt: receiptText } as const;

/** How a PAN field is shown, by destination. */
export const panRules = { log: logPan, receipt: receiptPan, register: registerPan } as const;

// ---- references and stored values ----------------------------------------------------------------------------------

/**
 * Names of references: identifiers the bridge and the register act on (the register's ref, the original payment's,
 * the bridge's and the terminal's). They are never card data, so they are kept exactly — whatever their digits: a
 * 14-digit timestamp ref is Luhn-valid one time in ten, and masking it made the register's delivery report match
 * nothing and the approved sale was reversed. Card numbers are recognised by their fields (pan, track…, panMasked)
 * and in free text (messages, receipt lines), never in a reference.
 */
const REFERENCE_KEY = /^(ref|reference|[a-z]+Ref)$/;

/** A field that holds a reference (kept exactly by `scrubCardData`). */
export function isReferenceKey(key: string): boolean {
  return REFERENCE_KEY.test(key);
}

const PAN_MASKED_KEY = /^pan_?masked$/i;

/** A "masked PAN" field (`panMasked`, `pan_masked`) whose value still holds 11 or more digits in a row: not masked. */
export function isUnmaskedPanField(key: string, value: string): boolean {
  return PAN_MASKED_KEY.test(key) && showsLongDigitRun(value);
}

/** 11 or more digits in a row once spaces and dashes are taken out: more than a masked PAN shows. */
function showsLongDigitRun(value: string): boolean {
  return /[0-9]{11,}/.test(value.replace(/[ -]/g, ''));
}

/** Names of terminal properties that carry card data; dropped wherever they appear. */
const CARD_DATA_KEYS =
  /^(PAN|TRACK\d?|TRACK_?\d_?DATA|EXP(IRE|IRY)?_?DATE|CVV2?|CVC2?|EMBOSS_NAME|pan|track\d?|cvv|expiryDate)$/;

/**
 * How `scrubCardData` treats a property by its name alone: `drop` a card-data property (`CARD_DATA_KEYS`), keep a
 * `reference` exactly (`isReferenceKey`), check that a `panMasked` field is masked (`isUnmaskedPanField`), or pass a
 * `plain` value through the log text rule.
 */
type KeyRule = 'plain' | 'drop' | 'reference' | 'panMasked';

/** Each property name's rule (three patterns per name were most of the scrub's time). */
const keyRule = ruleByName<KeyRule>((key) =>
  CARD_DATA_KEYS.test(key)
    ? 'drop'
    : PAN_MASKED_KEY.test(key)
      ? 'panMasked'
      : REFERENCE_KEY.test(key)
        ? 'reference'
        : 'plain',
);

/**
 * Defence in depth for anything stored or sent on: card-data properties are dropped, every string but a reference
 * (`isReferenceKey`) goes through the log text rule, and a "masked" PAN that is not masked gets the log PAN rule.
 *
 * Made for plain data (what JSON holds): a plain object or array that needs no change at any depth is returned as it is
 * instead of copied — most stored values hold no card data, and their copies were garbage at once. Anything else that
 * is an object (a Date, a Map, a class instance) is copied into a plain object of its own enumerable properties.
 */
export function scrubCardData<T>(value: T): T {
  return scrubValue(value, 'plain') as T;
}

function scrubValue(value: unknown, rule: KeyRule): unknown {
  if (typeof value === 'string') {
    if (rule === 'reference') return value;
    if (rule === 'panMasked' && showsLongDigitRun(value)) return logPan(value) ?? '';
    return logText(value);
  }
  if (typeof value !== 'object' || value === null) return value;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto === Array.prototype) return scrubArray(value as unknown[]);
  if (proto === Object.prototype) return scrubObject(value as Record<string, unknown>);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, 'plain'));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const r = keyRule(k);
    if (r !== 'drop') out[k] = scrubValue(v, r);
  }
  return out;
}

/** A plain array scrubbed: the same array when no element changed, else a copy. */
function scrubArray(value: unknown[]): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    const s = scrubValue(v, 'plain');
    if (out) out[i] = s;
    else if (s !== v) {
      out = value.slice(0, i);
      out[i] = s;
    }
  }
  return out ?? value;
}

/** A plain object scrubbed: the same object when nothing in it changed, else a copy in the same key order. */
function scrubObject(value: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = value[k];
    const rule = keyRule(k);
    if (rule === 'drop') {
      out ??= copyKeys(value, keys, i);
      continue;
    }
    const s = scrubValue(v, rule);
    if (out) out[k] = s;
    else if (s !== v) {
      out = copyKeys(value, keys, i);
      out[k] = s;
    }
  }
  return out ?? value;
}

/** The first `n` properties of `value`, already found unchanged. */
function copyKeys(value: Record<string, unknown>, keys: readonly string[], n: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) out[keys[i]!] = value[keys[i]!];
  return out;
}
