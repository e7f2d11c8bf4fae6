/**
 * BER-TLV inside BMP 06 — read beside zvt.md §3 ("TLV container").
 *
 * Tag: 1 byte; if its low 5 bits are all 1 (e.g. 1F) the tag continues with the next byte, and again after every
 * byte that has bit 8 set (1F 1F, 1F 04 are two-byte tags). Bit 20 of the first byte marks a constructed element
 * holding nested elements (25, 26).
 * Length: 00–7F one byte; 81 xx; 82 hi lo (BIG-endian, unlike the APDU length).
 * Zero-length elements and an empty container (06 00) are legal; unknown tags are ignored by the caller.
 *
 * Decoding is tolerant: the container's own length bounds it, so a damaged element only ends the element list
 * (reported in `TlvParse.error`) and never the APDU. Hand-written: a dozen lines, and the general BER packages
 * assume ASN.1 universal types that ZVT does not use.
 */
import { ZvtFormatError } from './errors';

export interface TlvElement {
  /** The tag bytes as one number: 0x26, 0x1f16. */
  readonly tag: number;
  readonly constructed: boolean;
  readonly value: Buffer;
  /** Nested elements of a constructed tag. */
  readonly children?: readonly TlvElement[];
}

export interface TlvParse {
  readonly elements: TlvElement[];
  /** Set when the list ended early because an element was damaged. */
  readonly error?: string;
}

/** Reads a BER length at `offset`: returns [length, bytes used], or throws ZvtFormatError. */
export function readBerLength(buf: Uint8Array, offset: number): [number, number] {
  const first = buf[offset];
  if (first === undefined) throw new ZvtFormatError('TLV length missing');
  if (first <= 0x7f) return [first, 1];
  if (first === 0x81) {
    const b = buf[offset + 1];
    if (b === undefined) throw new ZvtFormatError('TLV length 81 without its byte');
    return [b, 2];
  }
  if (first === 0x82) {
    const hi = buf[offset + 1];
    const lo = buf[offset + 2];
    if (hi === undefined || lo === undefined) throw new ZvtFormatError('TLV length 82 without its two bytes');
    return [(hi << 8) | lo, 3];
  }
  throw new ZvtFormatError(`TLV length form ${first.toString(16)} is not 00–7F, 81 or 82`);
}

export function encodeBerLength(n: number): Buffer {
  if (n <= 0x7f) return Buffer.from([n]);
  if (n <= 0xff) return Buffer.from([0x81, n]);
  if (n <= 0xffff) return Buffer.from([0x82, n >> 8, n & 0xff]);
  throw new RangeError(`TLV length ${n} exceeds 65535`);
}

function readTag(buf: Uint8Array, offset: number): [number, number] {
  const first = buf[offset];
  if (first === undefined) throw new ZvtFormatError('TLV tag missing');
  let tag = first;
  let used = 1;
  if ((first & 0x1f) === 0x1f) {
    for (;;) {
      const next = buf[offset + used];
      if (next === undefined) throw new ZvtFormatError('TLV tag truncated');
      tag = tag * 0x100 + next;
      used++;
      if ((next & 0x80) === 0) break;
      if (used > 4) throw new ZvtFormatError('TLV tag longer than 4 bytes');
    }
  }
  return [tag, used];
}

function firstTagByte(tag: number): number {
  let t = tag;
  while (t > 0xff) t = Math.floor(t / 0x100);
  return t;
}

/** Decodes a list of TLV elements (the content of BMP 06 after its length). Never throws. */
export function parseTlv(buf: Uint8Array, depth = 0): TlvParse {
  const elements: TlvElement[] = [];
  let offset = 0;
  try {
    while (offset < buf.length) {
      const [tag, tagLen] = readTag(buf, offset);
      const [len, lenLen] = readBerLength(buf, offset + tagLen);
      const start = offset + tagLen + lenLen;
      const end = start + len;
      if (end > buf.length)
        throw new ZvtFormatError(`TLV element ${tag.toString(16)} announces ${len} bytes, ${buf.length - start} left`);
      const value = Buffer.from(buf.subarray(start, end));
      const constructed = (firstTagByte(tag) & 0x20) !== 0;
      if (constructed && depth < 8) {
        const inner = parseTlv(value, depth + 1);
        elements.push({ tag, constructed, value, children: inner.elements });
      } else {
        elements.push({ tag, constructed, value });
      }
      offset = end;
    }
  } catch (e) {
    return { elements, error: (e as Error).message };
  }
  return { elements };
}

/** First element with `tag` at this level, or undefined. */
export function findTlv(elements: readonly TlvElement[], tag: number): TlvElement | undefined {
  return elements.find((e) => e.tag === tag);
}

function tagBytes(tag: number): Buffer {
  const out: number[] = [];
  let t = tag;
  do {
    out.unshift(t & 0xff);
    t = Math.floor(t / 0x100);
  } while (t > 0);
  return Buffer.from(out);
}

/** An element to encode: a primitive value, or children for a constructed tag. */
export type TlvInput = { tag: number; value: Uint8Array } | { tag: number; children: readonly TlvInput[] };

/** Encodes elements into the content of a TLV container (without the BMP 06 tag and its length). */
export function encodeTlv(elements: readonly TlvInput[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of elements) {
    const value = 'children' in e ? encodeTlv(e.children) : Buffer.from(e.value);
    parts.push(tagBytes(e.tag), encodeBerLength(value.length), value);
  }
  return Buffer.concat(parts);
}
