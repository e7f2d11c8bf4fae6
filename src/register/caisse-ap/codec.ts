/**
 * Caisse-AP over IP: the tag-length-value message format — read beside ../shared/specs/caisse-ap.md §1 (transport),
 * §2 (message format) and §12 (worked examples).
 *
 *   field = tag (2 upper-case letters) + length (3 decimal digits) + value (`length` ASCII characters)
 *   e.g. `CB0041250` = tag CB, length 004, value 1250
 *
 * A message is a run of fields that starts with `CZ` (protocol version); the other fields come in any order. There is
 * no length prefix, no terminator and no checksum (§1): `scanMessages` cuts what arrived so far into messages at each
 * `CZ` and says whether the tail may still grow into a message, so that the session can apply the sheet's receive
 * rule (whole fields, `CZ` and `CD` present, then a quiet time).
 */

/** One field as it travelled: tag and value (the length is the value's). */
export interface Field {
  readonly tag: string;
  readonly value: string;
}

/** §2: the length is 3 decimal digits, so a value has at most 999 characters. */
export const MAX_VALUE_LENGTH = 999;

const TAG_RE = /^[A-Z]{2}$/;
/** §1: 7-bit printable ASCII on the wire (PayXpert limits the serial link to 0x20–0x7F; DEL is no text). */
const VALUE_RE = /^[\x20-\x7e]*$/;

/** The protocol version tag, always the first field of a message (§2). */
export const CZ = 'CZ';

/** Thrown by `encodeFields` for a field the sheet cannot carry: a bug of ours, never the register's. */
export class CaisseApEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaisseApEncodeError';
  }
}

/** §2: concatenated fields, in the order given. One Buffer, so that the session writes an answer in one call. */
export function encodeFields(fields: readonly Field[]): Buffer {
  let out = '';
  for (const f of fields) {
    if (!TAG_RE.test(f.tag))
      throw new CaisseApEncodeError(`tag ${JSON.stringify(f.tag)} is not two upper-case letters`);
    if (f.value.length > MAX_VALUE_LENGTH)
      throw new CaisseApEncodeError(`value of ${f.tag} is longer than ${MAX_VALUE_LENGTH} characters`);
    if (!VALUE_RE.test(f.value)) throw new CaisseApEncodeError(`value of ${f.tag} is not printable ASCII`);
    out += f.tag + String(f.value.length).padStart(3, '0') + f.value;
  }
  return Buffer.from(out, 'latin1');
}

/** Why bytes are no Caisse-AP message (the session answers AE=01 AF=09, §7). */
export interface FormatProblem {
  /** Byte offset where the problem starts. */
  readonly at: number;
  readonly reason: string;
}

/**
 * What `scanMessages` found in the bytes received so far:
 * - `messages`: every message followed by the `CZ` of the next one — those are whole for sure;
 * - `tail`: the fields of the last message so far (possibly none), and whether the bytes end exactly after a field
 *   (`whole`) or inside one (`partial`: more bytes may complete it);
 * - `problem`: the bytes stop making sense at this offset; `messages` and `tail` are what came before it.
 */
export interface ScanResult {
  readonly messages: Field[][];
  readonly tail: { readonly fields: Field[]; readonly start: number; readonly whole: boolean };
  readonly problem?: FormatProblem;
}

const isUpper = (b: number): boolean => b >= 0x41 && b <= 0x5a;
const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;
const isPrintable = (b: number): boolean => b >= 0x20 && b <= 0x7e;
/** CR and LF between fields are skipped: the sheet has no terminator, but a register that ends its request with a
 *  line break must not see it refused for that. */
const isLineBreak = (b: number): boolean => b === 0x0d || b === 0x0a;

/**
 * Cuts bytes into messages (§1, §2). Never throws: anything that cannot be the start of a field, a length that is not
 * three digits, a value byte outside printable ASCII, or a first field other than `CZ` is a `problem`.
 */
export function scanMessages(bytes: Uint8Array): ScanResult {
  const messages: Field[][] = [];
  let fields: Field[] = [];
  let start = 0;
  let i = 0;
  const result = (whole: boolean, problem?: FormatProblem): ScanResult => ({
    messages,
    tail: { fields, start, whole },
    ...(problem ? { problem } : {}),
  });
  for (;;) {
    while (i < bytes.length && isLineBreak(bytes[i]!)) i++;
    if (fields.length === 0) start = i;
    if (i >= bytes.length) return result(true);
    // Tag: two upper-case letters.
    const t0 = bytes[i]!;
    const t1 = bytes[i + 1];
    if (!isUpper(t0) || (t1 !== undefined && !isUpper(t1)))
      return result(false, { at: i, reason: 'a field must start with a two-letter upper-case tag' });
    if (t1 === undefined) return result(false);
    const tag = String.fromCharCode(t0, t1);
    if (fields.length === 0 && tag !== CZ)
      return result(false, { at: i, reason: `a message must start with CZ, not ${tag}` });
    if (tag === CZ && fields.length > 0) {
      // §2: CZ is always first — a CZ after other fields starts the next message.
      messages.push(fields);
      fields = [];
      start = i;
    }
    // Length: three decimal digits.
    let length = 0;
    for (let k = 0; k < 3; k++) {
      const d = bytes[i + 2 + k];
      if (d === undefined) return result(false);
      if (!isDigit(d)) return result(false, { at: i + 2, reason: `the length of ${tag} must be three digits` });
      length = length * 10 + (d - 0x30);
    }
    const from = i + 5;
    const to = from + length;
    for (let k = from; k < Math.min(to, bytes.length); k++) {
      if (!isPrintable(bytes[k]!))
        return result(false, { at: k, reason: `the value of ${tag} holds a byte outside printable ASCII` });
    }
    if (to > bytes.length) return result(false);
    fields.push({ tag, value: Buffer.from(bytes.subarray(from, to)).toString('latin1') });
    i = to;
  }
}

/** Parses bytes that must be exactly one whole message (tests, tools); throws with the format problem otherwise. */
export function decodeMessage(bytes: Uint8Array): Field[] {
  const r = scanMessages(bytes);
  if (r.problem) throw new Error(`not a Caisse-AP message: ${r.problem.reason} (at byte ${r.problem.at})`);
  if (r.messages.length > 0) throw new Error('not a Caisse-AP message: several messages');
  if (!r.tail.whole) throw new Error('not a Caisse-AP message: it ends inside a field');
  if (r.tail.fields.length === 0) throw new Error('not a Caisse-AP message: empty');
  return r.tail.fields;
}

/** §2: "a repeated tag: the last one wins" — the fields by tag. */
export function fieldMap(fields: readonly Field[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of fields) m.set(f.tag, f.value);
  return m;
}
