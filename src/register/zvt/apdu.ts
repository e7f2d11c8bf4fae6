/**
 * ZVT APDU codec — read beside zvt.md §2 (APDU structure) and §1.1 (TCP carries raw APDUs).
 *
 *   +-------+-------+---------------------------+-----------------------+
 *   | CLASS | INSTR | length                    | data block            |
 *   +-------+-------+---------------------------+-----------------------+
 *   commands: CLASS INSTR, e.g. 06 01; replies: CCRC APRC, e.g. 80 00 / 84 83.
 *   length: 00–FE in one byte, or FF lo hi — the 16-bit length LITTLE-endian (e.g. FF E3 03 = 995).
 *
 * Hand-written: three header bytes and a length rule that no library implements.
 */
import { toHex } from './bcd';
import { ZvtFormatError } from './errors';

/** One APDU: control field (2 bytes) and data block. */
export interface Apdu {
  /** CLASS of a command (06, 04, 05 …) or CCRC of a reply (80, 84). */
  readonly cls: number;
  /** INSTR of a command, or APRC (the result code) of a reply. */
  readonly instr: number;
  readonly data: Buffer;
}

/** The largest data block one byte of length can announce; FF is the escape to three bytes (§2). */
export const SHORT_LENGTH_MAX = 0xfe;
export const EXTENDED_LENGTH_MARK = 0xff;
export const LONG_LENGTH_MAX = 0xffff;

/** Builds the wire bytes of one APDU, choosing the short or the extended (FF lo hi) length form. */
export function encodeApdu(cls: number, instr: number, data: Uint8Array = Buffer.alloc(0)): Buffer {
  const n = data.length;
  if (n > LONG_LENGTH_MAX) throw new RangeError(`APDU data block of ${n} bytes exceeds ${LONG_LENGTH_MAX}`);
  const header =
    n <= SHORT_LENGTH_MAX
      ? Buffer.from([cls, instr, n])
      : Buffer.from([cls, instr, EXTENDED_LENGTH_MARK, n & 0xff, n >> 8]);
  return Buffer.concat([header, data]);
}

export function apdu(cls: number, instr: number, data: Uint8Array = Buffer.alloc(0)): Apdu {
  return { cls, instr, data: Buffer.from(data) };
}

export function apduBytes(a: Apdu): Buffer {
  return encodeApdu(a.cls, a.instr, a.data);
}

/** How many bytes the header of an APDU starting at `offset` occupies and how long its data is, or undefined when
 *  more bytes are needed to tell (§2 parse rule: 2 bytes control + 1 length byte; if it is FF read 2 more). */
export function peekApduLength(buf: Uint8Array, offset = 0): { header: number; length: number } | undefined {
  if (buf.length - offset < 3) return undefined;
  const first = buf[offset + 2] as number;
  if (first !== EXTENDED_LENGTH_MARK) return { header: 3, length: first };
  if (buf.length - offset < 5) return undefined;
  const lo = buf[offset + 3] as number;
  const hi = buf[offset + 4] as number;
  return { header: 5, length: lo | (hi << 8) };
}

/** Parses exactly one APDU from `bytes` (a serial frame body). Throws ZvtFormatError when the length field does not
 *  match the number of bytes. */
export function parseApdu(bytes: Uint8Array): Apdu {
  const head = peekApduLength(bytes);
  if (!head) throw new ZvtFormatError(`APDU of ${bytes.length} bytes is shorter than its header (${toHex(bytes)})`);
  const expected = head.header + head.length;
  if (bytes.length !== expected) {
    throw new ZvtFormatError(`APDU announces ${head.length} data bytes but carries ${bytes.length - head.header}`);
  }
  const b = Buffer.from(bytes);
  return { cls: b[0] as number, instr: b[1] as number, data: b.subarray(head.header) };
}

/**
 * Streaming reader for TCP (§1.1): reassembles APDUs split across segments and splits segments carrying several.
 * The length field is the only framing TCP has, so a partial APDU stays buffered until its bytes arrive; the session
 * discards it (`discard()`) when the register stays silent mid-APDU for too long.
 */
export class ApduReader {
  private buf: Buffer = Buffer.alloc(0);

  /** Adds received bytes; returns every APDU now complete, in order. */
  push(chunk: Uint8Array): Apdu[] {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    const out: Apdu[] = [];
    let offset = 0;
    for (;;) {
      const head = peekApduLength(this.buf, offset);
      if (!head) break;
      const end = offset + head.header + head.length;
      if (end > this.buf.length) break;
      out.push({
        cls: this.buf[offset] as number,
        instr: this.buf[offset + 1] as number,
        data: Buffer.from(this.buf.subarray(offset + head.header, end)),
      });
      offset = end;
    }
    this.buf = offset === 0 ? this.buf : Buffer.from(this.buf.subarray(offset));
    return out;
  }

  /** Bytes of an incomplete APDU waiting for more data. */
  get pending(): number {
    return this.buf.length;
  }

  /** Drops an incomplete APDU; returns how many bytes were dropped. */
  discard(): number {
    const n = this.buf.length;
    this.buf = Buffer.alloc(0);
    return n;
  }
}

/** Replies are 80 xx / 84 xx (§2); everything else the register sends is a command. */
export function isReply(a: Apdu): boolean {
  return a.cls === 0x80 || a.cls === 0x84;
}

/** §2: 80 00 and 84 00 are positive; 84 xx is negative with result code xx. (Any 80 xx is taken as positive.) */
export function isPositiveReply(a: Apdu): boolean {
  return a.cls === 0x80 || (a.cls === 0x84 && a.instr === 0x00);
}

/** "06 01" for logs and errors. */
export function commandName(a: Pick<Apdu, 'cls' | 'instr'>): string {
  return toHex(Uint8Array.of(a.cls, a.instr));
}
