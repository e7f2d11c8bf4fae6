/**
 * What keeps card data and secrets out of log lines. Three layers, so that no call site has to remember anything:
 *
 * 1. `scrubLogValue` runs on every object handed to the logger (and on child-logger bindings): values under
 *    sensitive names are replaced at any depth, Errors become plain objects (type, message, stack, code, cause and
 *    their own fields) so that they are scrubbed too, and numbers that look like a card number are masked.
 * 2. `redactLogText` runs on every string: card numbers, track data (see `redactText`), and credentials in text —
 *    bearer/basic authorization, `secret=…`/`"password":"…"` pairs, URL query secrets, passwords in URLs.
 * 3. `redactJsonLine` runs on the finished JSON line just before it is written: the line is parsed and scrubbed
 *    as a whole (child-logger bindings, the message, interpolated values), whatever produced it.
 *
 * A CVV or an expiry date cannot be recognised in free text; they are caught by their field names
 * (cvv, cvc, expiryDate, EXP_DATE …) and inside track data.
 */
import { isCardNumber, isUnmaskedPanField, maskPan, redactText } from './redact';

export const REDACTED = '[redacted]';

/** Field names (compared lower-case without "-" and "_") whose values never reach a log line. */
const SENSITIVE_NAMES = new Set([
  'secret',
  'password',
  'passwd',
  'pwd',
  'pin',
  'pinblock',
  'passcode',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'sessiontoken',
  'bearer',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'session',
  'xsession',
  'sessionid',
  'apikey',
  'xapikey',
  'clientsecret',
  'partnersecret',
  'merchantsecret',
  'pan',
  'cardnumber',
  'primaryaccountnumber',
  'accountnumber',
  'track',
  'track1',
  'track2',
  'track3',
  'trackdata',
  'track1data',
  'track2data',
  'track3data',
  'cvv',
  'cvv2',
  'cvc',
  'cvc2',
  'cvn',
  'securitycode',
  'expdate',
  'expirydate',
  'expiry',
  'expirationdate',
  'expiration',
  'embossname',
  'cardholdername',
]);
/** Name endings that mark a credential (partnerSecret, X-Auth-Token, adminPassword …). */
const SENSITIVE_SUFFIXES = ['secret', 'password', 'token', 'apikey'];

export function isSensitiveKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_\s]/g, '');
  if (SENSITIVE_NAMES.has(k)) return true;
  return SENSITIVE_SUFFIXES.some((s) => k.endsWith(s) && k !== 'tokentype');
}

// Credentials in free text.
const BASIC = /(Basic\s+)[A-Za-z0-9+/]{4,}={0,2}/g;
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"']+:)[^\s@/"']+@/gi;
const URL_QUERY_SECRET =
  /([?&#;](?:access_token|refresh_token|id_token|token|client_secret|secret|password|passwd|session|session_id|api_key|apikey|key|sig|signature)=)[^&#\s"'\\]+/gi;
const PAIR_SECRET =
  /(\b(?:client_secret|partner_?secret|merchant_?secret|secret|password|passwd|access_token|refresh_token|id_token|token|x-session|session|authorization|api_?key|cvv2?|cvc2?|pin)\\?["']?\s*[:=]\s*\\?["']?)(?!\[redacted\]|Bearer\b|Basic\b)([^\s"'&,;}\\]+)/gi;

/** `redactText` plus credentials in text: authorization values, secret pairs, URL secrets. */
export function redactLogText(text: string): string {
  return redactText(text)
    .replace(BASIC, `$1${REDACTED}`)
    .replace(URL_PASSWORD, `$1${REDACTED}@`)
    .replace(URL_QUERY_SECRET, `$1${REDACTED}`)
    .replace(PAIR_SECRET, `$1${REDACTED}`);
}

const MAX_DEPTH = 8;

/** A copy of `value` that is safe to log (see the module comment). Never throws; never modifies `value`. */
export function scrubLogValue(value: unknown): unknown {
  return scrub(value, '', 0, new WeakSet());
}

function scrub(value: unknown, key: string, depth: number, seen: WeakSet<object>): unknown {
  if (key && isSensitiveKey(key) && value !== undefined && value !== null && typeof value !== 'boolean')
    return REDACTED;
  switch (typeof value) {
    case 'string':
      if (isUnmaskedPanField(key, value)) return maskPan(value) ?? REDACTED;
      return redactLogText(value);
    case 'number':
    case 'bigint':
      return isCardNumber(String(value)) ? `****${String(value).slice(-4)}` : value;
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null) return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (value instanceof Error) return scrub(errorFields(value), '', depth + 1, seen);
    if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${(value as ArrayBufferView).byteLength} bytes]`;
    if (value instanceof Date) return value;
    if (value instanceof URL) return redactLogText(value.href);
    if (value instanceof Map) return scrub(Object.fromEntries(value), key, depth + 1, seen);
    if (value instanceof Set) return scrub([...value], key, depth + 1, seen);
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function' && !Array.isArray(value)) {
      return scrub((value as { toJSON(): unknown }).toJSON(), key, depth + 1, seen);
    }
    if (Array.isArray(value)) return value.map((v) => scrub(v, '', depth + 1, seen));
    if (isHeaders(value)) return scrub(Object.fromEntries(value.entries()), key, depth + 1, seen);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrub(v, k, depth + 1, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}

function isHeaders(value: object): value is Headers {
  // The tag first: reading the global `Headers` loads Node's fetch implementation (~25 ms), which the first log line
  // of every start would otherwise pay for.
  return (
    (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'Headers' &&
    typeof Headers !== 'undefined' &&
    value instanceof Headers
  );
}

/** An Error as a plain object: what pino's error serializer keeps, plus the cause chain. */
function errorFields(e: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { type: e.constructor?.name ?? e.name, message: e.message };
  if (e.stack) out.stack = e.stack;
  for (const [k, v] of Object.entries(e)) if (!(k in out)) out[k] = v;
  if ('code' in e && out.code === undefined) out.code = (e as { code?: unknown }).code;
  if (e.cause !== undefined) out.cause = e.cause;
  if (e instanceof AggregateError) out.errors = e.errors;
  return out;
}

const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

/**
 * A finished log line, scrubbed once more as a whole: it is parsed and every field goes through `scrubLogValue`
 * (this reaches what the logger adds on its own: child-logger bindings, the message, interpolated values). The
 * timestamp is kept as it is. A line that is not JSON has each of its JSON strings redacted as text.
 */
export function redactJsonLine(line: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return redactJsonStrings(line);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return redactJsonStrings(line);
  const clean = scrubLogValue(parsed) as Record<string, unknown>;
  const time = (parsed as Record<string, unknown>).time;
  if (time !== undefined) clean.time = time;
  return `${JSON.stringify(clean)}${line.endsWith('\n') ? '\n' : ''}`;
}

/** Every JSON string literal in `text` through `redactLogText` (the replacements hold no quote or backslash). */
export function redactJsonStrings(text: string): string {
  return text.replace(JSON_STRING, (s) => {
    const inner = s.slice(1, -1);
    const clean = redactLogText(inner);
    return clean === inner ? s : `"${clean}"`;
  });
}
