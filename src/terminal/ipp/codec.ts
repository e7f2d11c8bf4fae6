/**
 * IPP message codec — read beside ../shared/specs/mypos-ipp.md §2 (framing), §3 (standard properties), §9 (formats).
 *
 *   +--------+--------+------------------------------------------+
 *   | len hi | len lo | NAME=VALUE CR LF  NAME=VALUE CR LF  ...  |
 *   +--------+--------+------------------------------------------+
 *   2-byte big-endian TOTAL length, the 2 header bytes included.
 *
 * Hand-written because it is twelve lines of protocol that no library implements.
 */
import { BridgeError } from '../../domain/errors';
import { currency, currencyByNumeric } from '../../domain/currency';
import { checkMinor, fromDecimal, money, toDecimal, type Money } from '../../domain/money';

export const IPP_HEADER_BYTES = 2;
export const IPP_MAX_TOTAL = 0xffff;

/** An IPP message: ordered NAME=VALUE pairs. Order is kept for sending; lookups go through `get`. */
export type IppPairs = ReadonlyArray<readonly [string, string]>;

export class IppMessage {
  constructor(readonly pairs: IppPairs) {}

  get(name: string): string | undefined {
    for (const [n, v] of this.pairs) if (n === name) return v;
    return undefined;
  }

  /** All properties as a plain object (first occurrence wins). */
  toRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [n, v] of this.pairs) if (!(n in out)) out[n] = v;
    return out;
  }

  /**
   * `Object.assign(target, this.toRecord())` without building the record: an answer of 27 properties made an object
   * V8 keeps as a dictionary, built and read again for every final answer. Same properties, same values, same order.
   */
  assignTo(target: Record<string, string>): void {
    const pairs = this.pairs;
    next: for (let i = 0; i < pairs.length; i++) {
      const [n, v] = pairs[i]!;
      // As in toRecord: a name the record already has (an earlier pair's, or one every object has) is skipped. No property
      // every object has is named like an IPP property (upper case, digits, "_"): those skip the costly `in`.
      if (!isPropertyName(n) && n in Object.prototype) continue;
      for (let j = 0; j < i; j++) if (pairs[j]![0] === n) continue next;
      target[n] = v;
    }
  }

  get method(): string | undefined {
    return this.get('METHOD');
  }
  get sid(): string | undefined {
    return this.get('SID');
  }
  get stage(): number | undefined {
    return intOrUndefined(this.get('STAGE'));
  }
  get status(): number | undefined {
    return intOrUndefined(this.get('STATUS'));
  }
  /** TIMEOUT in seconds, when announced. */
  get timeout(): number | undefined {
    return intOrUndefined(this.get('TIMEOUT'));
  }
}

/** A name in the form IPP properties have (`NAME_RE`), checked without a regular expression. */
function isPropertyName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95)) return false;
  }
  return true;
}

function intOrUndefined(v: string | undefined): number | undefined {
  if (v === undefined || !/^-?[0-9]+$/.test(v)) return undefined;
  return Number(v);
}

const NAME_RE = /^[A-Z0-9_]+$/;

/** Encodes pairs into one framed message. `PROTOCOL=IPP` must be the first pair (§2). */
export function encodeIpp(pairs: IppPairs): Buffer {
  const first = pairs[0];
  if (!first || first[0] !== 'PROTOCOL' || first[1] !== 'IPP') {
    throw new BridgeError('internal', 'an IPP message must start with PROTOCOL=IPP');
  }
  let body = '';
  for (const [name, value] of pairs) {
    if (!NAME_RE.test(name)) throw new BridgeError('internal', `IPP property name "${name}" is not upper-case ASCII`);
    if (/[\r\n]/.test(value)) throw new BridgeError('internal', `IPP property ${name} must not contain CR or LF`);
    if (!/^[\x20-\x7e]*$/.test(value))
      throw new BridgeError('internal', `IPP property ${name} must be printable ASCII`);
    body += `${name}=${value}\r\n`;
  }
  const bodyBytes = Buffer.from(body, 'ascii');
  const total = bodyBytes.length + IPP_HEADER_BYTES;
  if (total > IPP_MAX_TOTAL) throw new BridgeError('internal', `IPP message of ${total} bytes exceeds 65535`);
  const out = Buffer.allocUnsafe(total);
  out.writeUInt16BE(total, 0);
  bodyBytes.copy(out, IPP_HEADER_BYTES);
  return out;
}

/** Why a received message was rejected. The connection is not at fault; the message is dropped and logged. */
export class IppDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IppDecodeError';
  }
}

/**
 * Decodes one message body (without the 2 header bytes): split on CR LF, drop a trailing empty element,
 * split each line at the first "=", keep unknown properties, require PROTOCOL=IPP first (§2 "Reader").
 */
export function decodeIppBody(body: Buffer): IppMessage {
  const text = body.toString('latin1');
  const lines = text.split('\r\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const pairs: Array<[string, string]> = [];
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (eq <= 0) throw new IppDecodeError(`IPP line without NAME=VALUE: ${JSON.stringify(line.slice(0, 40))}`);
    pairs.push([line.slice(0, eq), line.slice(eq + 1)]);
  }
  const first = pairs[0];
  if (!first || first[0] !== 'PROTOCOL' || first[1] !== 'IPP') {
    throw new IppDecodeError('IPP message does not start with PROTOCOL=IPP');
  }
  return new IppMessage(pairs);
}

/**
 * Incremental reader for a byte stream (TCP may deliver partial or several messages per read; serial too).
 * Push bytes in; complete messages and decode errors come out. A header below 2 cannot be resynchronised
 * reliably, so the buffer is dropped (the caller decides whether to close the link).
 */
export class IppReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): Array<IppMessage | IppDecodeError> {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    const out: Array<IppMessage | IppDecodeError> = [];
    while (this.buf.length >= IPP_HEADER_BYTES) {
      const total = this.buf.readUInt16BE(0);
      if (total < IPP_HEADER_BYTES) {
        out.push(new IppDecodeError(`IPP length header ${total} is below 2`));
        this.buf = Buffer.alloc(0);
        break;
      }
      if (this.buf.length < total) break;
      const body = this.buf.subarray(IPP_HEADER_BYTES, total);
      this.buf = this.buf.subarray(total);
      try {
        out.push(decodeIppBody(Buffer.from(body)));
      } catch (e) {
        out.push(e instanceof IppDecodeError ? e : new IppDecodeError(String(e)));
      }
    }
    return out;
  }

  /** Bytes of an unfinished message (serial: discard after 2 s of silence, §1). */
  get pending(): number {
    return this.buf.length;
  }

  reset(): void {
    this.buf = Buffer.alloc(0);
  }
}

/**
 * Amounts on the wire (§9): decimal string, "." separator, exactly two decimals, no thousands separator.
 * For zero-exponent currencies the SDK also writes two decimals ("5.00" for 5 JPY); whether terminals
 * expect that is unconfirmed, so the number of decimals is a parameter (terminal config `amountDecimals`).
 */
export function formatIppAmount(m: Money, decimals = 2): string {
  return toDecimal(m, { separator: '.', decimals });
}

/** Parses an IPP amount leniently ("12.34", "12.3", "12") into Money of the given currency. */
export function parseIppAmount(text: string, currencyCode: string): Money {
  const c = currency(currencyCode);
  const m = /^([0-9]+)(?:\.([0-9]*))?$/.exec(text.trim());
  if (!m) throw new BridgeError('invalid_amount', `IPP amount "${text}" is not a decimal amount`);
  const frac = m[2] ?? '';
  // Extra decimals beyond the currency's exponent must be zeros ("5.00" for JPY).
  const cut = frac.slice(c.exponent);
  if (!/^0*$/.test(cut))
    throw new BridgeError('invalid_amount', `IPP amount "${text}" has more decimals than ${c.code} allows`);
  return fromDecimal(`${m[1]}${frac.length ? '.' + frac.slice(0, c.exponent) : ''}`, c.code, { separators: ['.'] });
}

/** ISO 4217 numeric code as sent in CURRENCY (3 digits). */
export function ippCurrency(code: string): string {
  return currency(code).numeric;
}

/** The alpha code for a CURRENCY value, or undefined when unknown. */
export function currencyFromIpp(numeric: string | undefined): string | undefined {
  if (!numeric || !/^[0-9]{1,3}$/.test(numeric)) return undefined;
  try {
    return currencyByNumeric(numeric).code;
  } catch {
    return undefined;
  }
}

export { checkMinor, money };
