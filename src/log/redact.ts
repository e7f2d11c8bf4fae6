/**
 * Masks anything in free text that looks like card data or a credential before it can reach a log line:
 * 13–19 digit runs (optionally split by spaces or dashes) that pass the Luhn check keep only their last 4 digits;
 * track data (track 1 `%B…^NAME^YYMM…`, track 2 and its equivalent `PAN=YYMM…` or `PAN D YYMM…` as in EMV tag 57)
 * and bearer tokens are replaced.
 */
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

export function redactText(text: string): string {
  return text
    .replace(TRACK1, '[track data redacted]')
    .replace(TRACK2, '[track data redacted]')
    .replace(TRACK2_EQUIVALENT, '[track data redacted]')
    .replace(BEARER, '$1[redacted]')
    .replace(UUID_OR_PAN_CANDIDATE, (match) => {
      if (UUID.test(match)) return match;
      const digits = match.replace(/[ -]/g, '');
      if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) return match;
      return `****${digits.slice(-4)}`;
    });
}

/** Masks a PAN for display and storage: only the last four digits, e.g. "****1234". Already-masked input is normalised. */
export function maskPan(pan: string | undefined): string | undefined {
  if (!pan) return undefined;
  const digits = pan.replace(/[^0-9]/g, '');
  if (digits.length < 4) return undefined;
  return `****${digits.slice(-4)}`;
}

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

/** Names of terminal properties that carry card data; dropped wherever they appear. */
const CARD_DATA_KEYS =
  /^(PAN|TRACK\d?|TRACK_?\d_?DATA|EXP(IRE|IRY)?_?DATE|CVV2?|CVC2?|EMBOSS_NAME|pan|track\d?|cvv|expiryDate)$/;

/**
 * Defence in depth for anything stored or sent on: card-data properties are dropped, every string but a reference
 * (`isReferenceKey`) goes through `redactText`, and a "masked" PAN that is not masked is masked.
 */
export function scrubCardData<T>(value: T): T {
  return scrubValue(value, '') as T;
}

function scrubValue(value: unknown, key: string): unknown {
  if (typeof value === 'string') {
    if (/^pan_?masked$/i.test(key) && /[0-9]{11,}/.test(value.replace(/[ -]/g, ''))) return maskPan(value) ?? '';
    if (isReferenceKey(key)) return value;
    return redactText(value);
  }
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, ''));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!CARD_DATA_KEYS.test(k)) out[k] = scrubValue(v, k);
    return out;
  }
  return value;
}
