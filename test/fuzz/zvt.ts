/**
 * ZVT (zvt.md): the APDU parser and the TCP reader (§2, §1.1), the command decoders with their BMPs and TLV (§3–§5),
 * and the serial DLE/STX framing with CRC and ACK/NAK (§1.2). A malformed APDU must end as ZvtFormatError (the
 * session answers 84 9A 00; RangeError from a value codec takes the same path), a damaged frame as NAK.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ApduReader, encodeApdu, parseApdu, type Apdu } from '../../src/register/zvt/apdu';
import { BMP_BY_TAG, parseBmps } from '../../src/register/zvt/bmp';
import {
  decodeAuthorization,
  decodeEndOfDay,
  decodeRefund,
  decodeRegistration,
  decodeReversal,
  decodeStatusEnquiry,
} from '../../src/register/zvt/commands';
import { isMalformedCommand, ZvtFormatError } from '../../src/register/zvt/errors';
import { ACK, FrameReceiver, frameApdu, NAK, SerialLink } from '../../src/register/zvt/serial-framing';
import { parseTlv } from '../../src/register/zvt/tlv';
import { ManualTimers } from './doubles';
import { cuts, edits, mutate, segments, target, type FuzzTarget } from './target';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Commands from the dialogues of zvt.md, the seeds for mutation. */
const SEEDS = [
  '06 00 04 00 00 00 BA',
  '06 00 08 00 00 00 BA 09 78 03 00',
  '06 00 0A 00 00 00 8E 09 78 06 03 12 01 30',
  '06 01 0C 04 00 00 00 00 12 34 49 09 78 06 00',
  '06 01 07 04 00 00 00 00 10 00',
  '06 01 09 04 00 00 00 00 10 00 19 40',
  '05 01 03 00 00 00',
  '06 30 06 00 00 00 87 00 17',
  '06 31 0A 00 00 00 04 00 00 00 00 05 00',
  '06 50 03 00 00 00',
  '06 B0 00',
  '80 00 00',
  '84 9A 00',
].map(hex);

const apduBytes = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.tuple(fc.constantFrom(...SEEDS), edits).map(([s, e]) => mutate(s, e)),
  fc
    .record({ cls: fc.nat({ max: 255 }), instr: fc.nat({ max: 255 }), data: fc.uint8Array({ maxLength: 400 }) })
    .map((a) => encodeApdu(a.cls, a.instr, a.data)),
);

const parser = target({
  name: 'zvt: APDU parser (serial frame body)',
  arbitrary: apduBytes,
  check: (bytes) => {
    let a: Apdu;
    try {
      a = parseApdu(bytes);
    } catch (e) {
      assert.ok(e instanceof ZvtFormatError, `parseApdu threw ${String(e)}`);
      return;
    }
    const header = bytes[2] === 0xff ? 5 : 3;
    assert.equal(a.cls, bytes[0]);
    assert.equal(a.instr, bytes[1]);
    assert.equal(header + a.data.length, bytes.length, 'the length field describes exactly the bytes given');
    assert.deepEqual(Buffer.from(a.data), Buffer.from(bytes.subarray(header)));
  },
});

const reader = target({
  name: 'zvt: TCP APDU reader (any bytes, any segmentation)',
  arbitrary: fc.record({
    stream: fc.oneof(
      fc.uint8Array({ maxLength: 500 }),
      fc.array(apduBytes, { maxLength: 4 }).map((parts) => Buffer.concat(parts)),
    ),
    cuts,
  }),
  check: ({ stream, cuts: points }) => {
    const whole = new ApduReader();
    const expected = whole.push(stream);
    const pieces = new ApduReader();
    const got: Apdu[] = [];
    for (const p of segments(stream, points)) got.push(...pieces.push(p));
    assert.deepEqual(got, expected);
    assert.equal(pieces.pending, whole.pending);
    assert.ok(whole.pending <= 5 + 0xffff, 'a partial APDU never exceeds the largest APDU');
  },
});

const DECODERS: Array<(d: Buffer) => unknown> = [
  decodeRegistration,
  decodeAuthorization,
  decodeRefund,
  decodeReversal,
  decodeEndOfDay,
  decodeStatusEnquiry,
];

const decoders = target({
  name: 'zvt: command decoders, BMPs and TLV',
  arbitrary: fc.oneof(
    fc.uint8Array({ maxLength: 120 }),
    fc.tuple(fc.constantFrom(...SEEDS), edits).map(([s, e]) => mutate(s.subarray(3), e)),
    // a known BMP tag followed by random bytes
    fc
      .tuple(fc.constantFrom(...BMP_BY_TAG.keys()), fc.uint8Array({ maxLength: 40 }))
      .map(([tag, rest]) => Buffer.concat([Buffer.from([0, 0, 0, tag]), rest])),
  ),
  check: (bytes) => {
    const data = Buffer.from(bytes);
    const tlv = parseTlv(data); // documented never to throw
    assert.ok(Array.isArray(tlv.elements));
    for (const decode of DECODERS) {
      try {
        decode(data);
      } catch (e) {
        assert.ok(isMalformedCommand(e), `${decode.name} threw ${String(e)}`);
      }
    }
    try {
      const list = parseBmps(data);
      for (const f of list.fields) {
        const def = BMP_BY_TAG.get(f.tag);
        if (!def) continue;
        try {
          list.get(def);
        } catch (e) {
          assert.ok(isMalformedCommand(e), `BMP ${f.tag.toString(16)} value threw ${String(e)}`);
        }
      }
    } catch (e) {
      assert.ok(isMalformedCommand(e), `parseBmps threw ${String(e)}`);
    }
  },
});

const FRAMES = SEEDS.map((s) => frameApdu(s));

const deframer = target({
  name: 'zvt: serial deframer (DLE/STX, CRC, ACK/NAK)',
  arbitrary: fc.record({
    noise: fc.oneof(
      fc.uint8Array({ maxLength: 60 }),
      fc.tuple(fc.constantFrom(...FRAMES), edits).map(([f, e]) => mutate(f, e)),
    ),
    cuts,
    good: fc.constantFrom(...SEEDS),
  }),
  check: ({ noise, cuts: points, good }) => {
    const timers = new ManualTimers();
    const replies: number[] = [];
    const delivered: Buffer[] = [];
    const rx = new FrameReceiver(
      { frame: (b) => delivered.push(b), rejected: () => undefined, ack: () => undefined, nak: () => undefined },
      (b) => replies.push(b),
      timers,
      200,
    );
    for (const p of segments(noise, points)) rx.push(p);
    assert.ok(
      replies.every((r) => r === ACK || r === NAK),
      'the receiver answers only ACK or NAK',
    );
    assert.equal(replies.filter((r) => r === ACK).length, delivered.length, 'ACK exactly for each delivered frame');
    // A delivered frame carried a CRC that matches its body: it re-frames to bytes present in what was sent.
    for (const d of delivered)
      assert.ok(Buffer.from(noise).includes(frameApdu(d)), 'only frames with a matching CRC are delivered');
    timers.advance(200); // T1: an unfinished frame is NAKed and forgotten
    const before = replies.length;
    const count = delivered.length;
    rx.push(frameApdu(good));
    assert.deepEqual(replies.slice(before), [ACK], 'after any noise, a good frame is ACKed');
    assert.equal(delivered.length, count + 1);
    assert.deepEqual(delivered.at(-1), Buffer.from(good));
  },
});

const link = target({
  name: 'zvt: serial link (good CRC, any body → APDU or the 84 9A path)',
  arbitrary: apduBytes,
  check: (body) => {
    const timers = new ManualTimers();
    const written: Buffer[] = [];
    const seen: string[] = [];
    const l = new SerialLink(
      (b) => written.push(b),
      { apdu: () => seen.push('apdu'), malformed: () => seen.push('malformed'), rejected: () => seen.push('rejected') },
      { timers },
    );
    l.push(frameApdu(body));
    assert.deepEqual(Buffer.concat(written), Buffer.from([ACK]), 'a frame with a good CRC is ACKed at once');
    assert.equal(seen.length, 1);
    let wellFormed = true;
    try {
      parseApdu(body);
    } catch {
      wellFormed = false;
    }
    assert.equal(seen[0], wellFormed ? 'apdu' : 'malformed');
    l.close();
  },
});

export const zvtTargets: FuzzTarget[] = [parser, reader, decoders, deframer, link];
