/**
 * ZVT bitmaps (BMPs) as one declarative table — read beside zvt.md §3 ("BMP") and §7, PA00P015 ch. 13.
 *
 * A BMP is a 1-byte tag followed by a value whose length is fixed by the tag, or variable:
 *   LLVAR   Fx Fy     then xy bytes   (F0 F3 = 3 bytes follow)
 *   LLLVAR  Fx Fy Fz  then xyz bytes  (F0 F0 F7 = 7 bytes)
 *   TLV     BMP 06, a BER length, then BER-TLV elements (./tlv.ts)
 * The table below says, per tag, how long the value is and how it is decoded and encoded; the parser and the
 * encoders contain no per-tag branches. Unknown BMPs in register commands are ignored (§5 details) — possible only
 * while their length is derivable, i.e. while the tag is in this table; at an unknown tag the rest is skipped.
 */
import { decodeBcd, decodeBcdNumber, decodePanNibbles, encodeBcd, encodeBcdNumber, encodePanNibbles, hex } from './bcd';
import { ZvtFormatError } from './errors';
import { encodeBerLength, encodeTlv, parseTlv, readBerLength, type TlvElement, type TlvInput } from './tlv';

export type BmpLength =
  | { readonly kind: 'fixed'; readonly bytes: number }
  | { readonly kind: 'llvar' }
  | { readonly kind: 'lllvar' }
  | { readonly kind: 'tlv' };

/** Turns a BMP's value bytes into a value and back. `size` is the fixed length, when the BMP has one. */
export interface BmpCodec<T> {
  decode(raw: Buffer, name: string): T;
  encode(value: T, name: string, size: number | undefined): Buffer;
}

export interface BmpDef<T> {
  readonly tag: number;
  readonly name: string;
  readonly length: BmpLength;
  readonly codec: BmpCodec<T>;
}

const fixed = (bytes: number): BmpLength => ({ kind: 'fixed', bytes });
const LLVAR: BmpLength = { kind: 'llvar' };
const LLLVAR: BmpLength = { kind: 'lllvar' };
const TLV: BmpLength = { kind: 'tlv' };

// ---- value codecs -------------------------------------------------------------------------------------------------

/** Unsigned binary, big-endian, as many bytes as the BMP is long (1-byte flags and codes). */
const uint: BmpCodec<number> = {
  decode: (raw) => raw.reduce((n, b) => n * 256 + b, 0),
  encode: (value, name, size = 1) => {
    if (!Number.isInteger(value) || value < 0 || value >= 256 ** size)
      throw new RangeError(`${name}: ${value} does not fit in ${size} byte(s)`);
    const out = Buffer.alloc(size);
    let v = value;
    for (let i = size - 1; i >= 0; i--) {
      out[i] = v % 256;
      v = Math.floor(v / 256);
    }
    return out;
  },
};

/** Packed BCD read as a number (amount, trace, receipt number …). */
const bcdNumber: BmpCodec<number> = {
  decode: (raw, name) => decodeBcdNumber(raw, name),
  encode: (value, _name, size) => encodeBcdNumber(value, size ?? Math.ceil(String(value).length / 2)),
};

/** Packed BCD kept as its digit string (time HHMMSS, date MMDD, TID, currency with its leading zero). */
const bcdDigits: BmpCodec<string> = {
  decode: (raw, name) => decodeBcd(raw, name),
  encode: (value, _name, size) => encodeBcd(value, size ?? Math.ceil(value.length / 2)),
};

/** Text in the ZVT 8-bit set; we only ever send printable ASCII. Fixed-length fields are padded with 00 (§7 3B)
 *  and trailing 00 bytes are dropped when reading (8B is null-terminated). */
const text: BmpCodec<string> = {
  decode: (raw) => raw.toString('latin1').replace(/\0+$/, ''),
  encode: (value, _name, size) => {
    const ascii = Buffer.from(value.replace(/[^\x20-\x7e]/g, '?'), 'latin1');
    if (size === undefined) return ascii;
    const out = Buffer.alloc(size);
    ascii.copy(out, 0, 0, Math.min(size, ascii.length));
    return out;
  },
};

/** Card data we never interpret (tracks, chip data): kept as opaque bytes, never logged. */
const opaque: BmpCodec<Buffer> = {
  decode: (raw) => raw,
  encode: (value, name, size) => {
    if (size !== undefined && value.length !== size) throw new RangeError(`${name}: needs ${size} bytes`);
    return Buffer.from(value);
  },
};

/** BMP 22: BCD digits with E for masked digits and F padding. */
const pan: BmpCodec<string> = {
  decode: (raw) => decodePanNibbles(raw),
  encode: (value) => encodePanNibbles(value),
};

/** BMP 06: BER-TLV elements; decoding is tolerant (see tlv.ts). */
const tlv: BmpCodec<TlvElement[]> = {
  decode: (raw) => parseTlv(raw).elements,
  encode: (value) => encodeTlv(value as unknown as TlvInput[]),
};

function def<T>(tag: number, name: string, length: BmpLength, codec: BmpCodec<T>): BmpDef<T> {
  return { tag, name, length, codec };
}

// ---- the table (PA00P015 ch. 13, in tag order) -------------------------------------------------------------------

export const BMP = {
  timeout: def(0x01, 'timeout', fixed(1), uint),
  maxStatusInfos: def(0x02, 'max. status infos', fixed(1), uint),
  serviceByte: def(0x03, 'service byte', fixed(1), uint),
  amount: def(0x04, 'amount', fixed(6), bcdNumber),
  pumpNumber: def(0x05, 'pump number', fixed(1), uint),
  tlv: def(0x06, 'TLV container', TLV, tlv),
  trace: def(0x0b, 'trace number', fixed(3), bcdNumber),
  time: def(0x0c, 'time', fixed(3), bcdDigits),
  date: def(0x0d, 'date', fixed(2), bcdDigits),
  expiry: def(0x0e, 'expiry date', fixed(2), bcdDigits),
  cardSequence: def(0x17, 'card sequence number', fixed(2), bcdDigits),
  /** Payment type in 06 01 / 04 0F, status byte in the Registration completion. */
  paymentType: def(0x19, 'payment type / status byte', fixed(1), uint),
  pan: def(0x22, 'PAN / EF_ID', LLVAR, pan),
  track2: def(0x23, 'track 2', LLVAR, opaque),
  track3: def(0x24, 'track 3', LLLVAR, opaque),
  resultCode: def(0x27, 'result code', fixed(1), uint),
  terminalId: def(0x29, 'terminal id', fixed(4), bcdDigits),
  vuNumber: def(0x2a, 'VU number', fixed(15), text),
  track1: def(0x2d, 'track 1', LLVAR, opaque),
  syncChipData: def(0x2e, 'synchronous chip data', LLLVAR, opaque),
  originalTrace: def(0x37, 'original trace number', fixed(3), bcdNumber),
  cvv: def(0x3a, 'CVV/CVC', fixed(2), opaque),
  authAttribute: def(0x3b, 'authorisation attribute', fixed(8), text),
  additionalText: def(0x3c, 'additional text', LLLVAR, text),
  password: def(0x3d, 'password', fixed(3), bcdDigits),
  currency: def(0x49, 'currency code', fixed(2), bcdDigits),
  individualTotals: def(0x60, 'individual totals', LLLVAR, opaque),
  imageId: def(0x70, 'display image id', fixed(4), uint),
  imageSize: def(0x71, 'display image size', fixed(4), uint),
  imageMime: def(0x72, 'display image MIME type', fixed(1), uint),
  imageEncoding: def(0x73, 'display image encoding', fixed(1), uint),
  imageChunks: def(0x74, 'display image chunk count', fixed(1), uint),
  imageChunkIndex: def(0x75, 'display image chunk index', fixed(1), uint),
  receiptNo: def(0x87, 'receipt number', fixed(2), bcdNumber),
  turnoverNo: def(0x88, 'turnover record number', fixed(3), bcdNumber),
  cardType: def(0x8a, 'card type', fixed(1), uint),
  cardName: def(0x8b, 'card name', LLVAR, text),
  cardTypeId: def(0x8c, 'network-operator card type', fixed(1), uint),
  ecCashData: def(0x92, 'additional data ec-cash', LLLVAR, opaque),
  geldkarteData: def(0x9a, 'GeldKarte records', LLLVAR, opaque),
  hostResultCode: def(0xa0, 'host result code', fixed(1), uint),
  chipData: def(0xa7, 'chip data EF_ID', LLVAR, opaque),
  longDate: def(0xaa, 'date YYMMDD', fixed(3), bcdDigits),
  efInfo: def(0xaf, 'EF_Info', LLLVAR, opaque),
  aidParameter: def(0xba, 'AID parameter', fixed(5), opaque),
  algorithmKey: def(0xd0, 'algorithm key', fixed(1), uint),
  pinData: def(0xd1, 'card offset / PIN data', LLVAR, opaque),
  direction: def(0xd2, 'direction', fixed(1), uint),
  keyPosition: def(0xd3, 'key position', fixed(1), uint),
  minInputLength: def(0xe0, 'min. input length', fixed(1), uint),
  text2Line1: def(0xe1, 'text2 line 1', LLVAR, text),
  text2Line2: def(0xe2, 'text2 line 2', LLVAR, text),
  text2Line3: def(0xe3, 'text2 line 3', LLVAR, text),
  text2Line4: def(0xe4, 'text2 line 4', LLVAR, text),
  text2Line5: def(0xe5, 'text2 line 5', LLVAR, text),
  text2Line6: def(0xe6, 'text2 line 6', LLVAR, text),
  text2Line7: def(0xe7, 'text2 line 7', LLVAR, text),
  text2Line8: def(0xe8, 'text2 line 8', LLVAR, text),
  maxInputLength: def(0xe9, 'max. input length', fixed(1), uint),
  echoInput: def(0xea, 'echo input', fixed(1), uint),
  mac: def(0xeb, 'MAC over text 1 and 2', fixed(8), opaque),
  displayDuration: def(0xf0, 'display duration', fixed(1), uint),
  text1Line1: def(0xf1, 'text1 line 1', LLVAR, text),
  text1Line2: def(0xf2, 'text1 line 2', LLVAR, text),
  text1Line3: def(0xf3, 'text1 line 3', LLVAR, text),
  text1Line4: def(0xf4, 'text1 line 4', LLVAR, text),
  text1Line5: def(0xf5, 'text1 line 5', LLVAR, text),
  text1Line6: def(0xf6, 'text1 line 6', LLVAR, text),
  text1Line7: def(0xf7, 'text1 line 7', LLVAR, text),
  text1Line8: def(0xf8, 'text1 line 8', LLVAR, text),
  beeps: def(0xf9, 'number of beeps', fixed(1), uint),
  cardReaderStatus: def(0xfa, 'card reader activation / status', fixed(1), uint),
  okRequired: def(0xfb, 'confirmation with OK required', fixed(1), uint),
  dialogControl: def(0xfc, 'dialog control', fixed(1), uint),
  displayDevice: def(0xfd, 'display device', fixed(1), uint),
} as const;

export const BMP_BY_TAG: ReadonlyMap<number, BmpDef<unknown>> = new Map(
  Object.values(BMP).map((d) => [d.tag, d as BmpDef<unknown>]),
);

// ---- LLVAR / LLLVAR length prefixes (§3) ------------------------------------------------------------------------

/** Fx Fy (LLVAR) or Fx Fy Fz (LLLVAR) for `n` bytes. */
export function encodeVarLength(n: number, digits: 2 | 3): Buffer {
  const max = digits === 2 ? 99 : 999;
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new RangeError(`variable length ${n} does not fit in ${digits} digits`);
  const s = String(n).padStart(digits, '0');
  return Buffer.from(Array.from(s, (c) => 0xf0 + Number(c)));
}

/** Reads Fx Fy [Fz] at `offset`; throws ZvtFormatError unless every byte is F0–F9. */
export function readVarLength(buf: Uint8Array, offset: number, digits: 2 | 3, name: string): number {
  if (offset + digits > buf.length) throw new ZvtFormatError(`${name}: length bytes missing`);
  let n = 0;
  for (let i = 0; i < digits; i++) {
    const b = buf[offset + i] as number;
    if (b < 0xf0 || b > 0xf9) throw new ZvtFormatError(`${name}: length byte ${hex(b)} is not F0–F9`);
    n = n * 10 + (b - 0xf0);
  }
  return n;
}

/** A value with its LLVAR/LLLVAR prefix but no tag (positional fields such as the software version in 05 01). */
export function encodeVar(value: Uint8Array, digits: 2 | 3): Buffer {
  return Buffer.concat([encodeVarLength(value.length, digits), value]);
}

// ---- parsing a BMP list ---------------------------------------------------------------------------------------

export interface BmpField {
  readonly tag: number;
  readonly def: BmpDef<unknown>;
  /** Value bytes without tag and length prefix. */
  readonly raw: Buffer;
}

/** The BMPs of one data block. Values are decoded on access; a bad value throws ZvtFormatError. */
export class BmpList {
  constructor(
    readonly fields: readonly BmpField[],
    /** Set when parsing stopped at a tag the table does not know; the bytes from there on were ignored. */
    readonly skipped?: { readonly tag: number; readonly offset: number; readonly bytes: number },
  ) {}

  has(d: BmpDef<unknown>): boolean {
    return this.fields.some((f) => f.tag === d.tag);
  }

  raw(d: BmpDef<unknown>): Buffer | undefined {
    return this.fields.find((f) => f.tag === d.tag)?.raw;
  }

  get<T>(d: BmpDef<T>): T | undefined {
    const raw = this.raw(d);
    return raw === undefined ? undefined : d.codec.decode(raw, d.name);
  }
}

/**
 * Parses BMPs from `data[offset..]`. Throws ZvtFormatError when a known BMP is truncated or its length prefix is
 * malformed; stops quietly (recording `skipped`) at a tag whose length cannot be derived.
 */
export function parseBmps(data: Uint8Array, offset = 0): BmpList {
  const fields: BmpField[] = [];
  let pos = offset;
  while (pos < data.length) {
    const tag = data[pos] as number;
    const d = BMP_BY_TAG.get(tag);
    if (!d) return new BmpList(fields, { tag, offset: pos, bytes: data.length - pos });
    pos += 1;
    let len: number;
    switch (d.length.kind) {
      case 'fixed':
        len = d.length.bytes;
        break;
      case 'llvar':
        len = readVarLength(data, pos, 2, d.name);
        pos += 2;
        break;
      case 'lllvar':
        len = readVarLength(data, pos, 3, d.name);
        pos += 3;
        break;
      case 'tlv': {
        const [n, used] = readBerLength(data, pos);
        len = n;
        pos += used;
        break;
      }
    }
    if (pos + len > data.length) {
      throw new ZvtFormatError(`BMP ${hex(tag)} (${d.name}) needs ${len} bytes, ${data.length - pos} left`);
    }
    fields.push({ tag, def: d, raw: Buffer.from(data.subarray(pos, pos + len)) });
    pos += len;
  }
  return new BmpList(fields);
}

// ---- encoding ---------------------------------------------------------------------------------------------------

/** One BMP on the wire: tag, length prefix where the format has one, value. */
export function encodeBmp<T>(d: BmpDef<T>, value: T): Buffer {
  const size = d.length.kind === 'fixed' ? d.length.bytes : undefined;
  const raw = d.codec.encode(value, d.name, size);
  switch (d.length.kind) {
    case 'fixed':
      if (raw.length !== d.length.bytes)
        throw new RangeError(`${d.name}: encoded ${raw.length} bytes, needs ${d.length.bytes}`);
      return Buffer.concat([Buffer.from([d.tag]), raw]);
    case 'llvar':
      return Buffer.concat([Buffer.from([d.tag]), encodeVar(raw, 2)]);
    case 'lllvar':
      return Buffer.concat([Buffer.from([d.tag]), encodeVar(raw, 3)]);
    case 'tlv':
      return Buffer.concat([Buffer.from([d.tag]), encodeBerLength(raw.length), raw]);
  }
}

/** A BMP 06 container from TLV elements. */
export function encodeTlvBmp(elements: readonly TlvInput[]): Buffer {
  const content = encodeTlv(elements);
  return Buffer.concat([Buffer.from([BMP.tlv.tag]), encodeBerLength(content.length), content]);
}
