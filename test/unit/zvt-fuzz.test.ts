/**
 * Property-based tests: random and mutated input never throws out of the codec, gets a protocol-native answer
 * (84 xx / NAK), and the session keeps serving afterwards.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApduReader, encodeApdu, parseApdu, type Apdu } from '../../src/register/zvt/apdu';
import { toHex } from '../../src/register/zvt/bcd';
import { parseBmps } from '../../src/register/zvt/bmp';
import {
  decodeAuthorization,
  decodeEndOfDay,
  decodeRefund,
  decodeRegistration,
  decodeReversal,
  decodeStatusEnquiry,
} from '../../src/register/zvt/commands';
import { isMalformedCommand, ZvtFormatError } from '../../src/register/zvt/errors';
import { FrameReceiver, frameApdu } from '../../src/register/zvt/serial-framing';
import { zvtSerialProtocol, zvtTcpProtocol } from '../../src/register/zvt/session';
import { parseTlv } from '../../src/register/zvt/tlv';
import { APPROVED_MC, FakeBridgeApi, ManualTimers, contextFor, hex, memoryPair, type TestEcr } from './zvt-helpers';

const RUNS = { numRuns: 2000 };

/** Valid commands of the spec's dialogues, the seeds for mutation. */
const SEEDS = [
  '06 00 04 00 00 00 BA',
  '06 00 08 00 00 00 BA 09 78 03 00',
  '06 01 0C 04 00 00 00 00 12 34 49 09 78 06 00',
  '06 01 07 04 00 00 00 00 10 00',
  '06 01 09 04 00 00 00 00 10 00 19 40',
  '05 01 03 00 00 00',
  '06 30 06 00 00 00 87 00 17',
  '06 31 0A 00 00 00 04 00 00 00 00 05 00',
  '06 50 03 00 00 00',
].map(hex);

/** A seed with its data block mutated: bytes replaced, cut or appended; the length field stays consistent. */
const mutatedApdu = fc
  .record({
    seed: fc.constantFrom(...SEEDS),
    edits: fc.array(
      fc.tuple(fc.nat(), fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x00, 0x01, 0x12, 0x99))),
      { maxLength: 3 },
    ),
    cut: fc.oneof(fc.constant(0), fc.nat({ max: 12 })),
    extra: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ maxLength: 6 })),
  })
  .map(({ seed, edits, cut, extra }) => {
    const data = Buffer.from(seed.subarray(3));
    for (const [at, value] of edits) if (data.length > 0) data[at % data.length] = value;
    const body = Buffer.concat([data.subarray(0, Math.max(0, data.length - cut)), extra]);
    return encodeApdu(seed[0]!, seed[1]!, body);
  });

/** A random command: any control field except the reply classes 80/84, any data block. */
const randomCommand = fc
  .record({
    cls: fc.integer({ min: 0, max: 255 }).filter((c) => c !== 0x80 && c !== 0x84),
    instr: fc.integer({ min: 0, max: 255 }),
    data: fc.uint8Array({ maxLength: 40 }),
  })
  .map(({ cls, instr, data }) => encodeApdu(cls, instr, data));

describe('APDU parser and reader', () => {
  it('parseApdu: any bytes give an APDU or a ZvtFormatError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          const a = parseApdu(bytes);
          expect(encodeApdu(a.cls, a.instr, a.data).length).toBeLessThanOrEqual(bytes.length);
        } catch (e) {
          expect(e).toBeInstanceOf(ZvtFormatError);
        }
      }),
      RUNS,
    );
  });

  it('the streaming reader finds the same APDUs however the bytes are segmented', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.array(fc.nat({ max: 400 }), { maxLength: 12 }),
        (bytes, cuts) => {
          const whole = new ApduReader();
          const expected = whole.push(bytes);
          const pieces = new ApduReader();
          const got: Apdu[] = [];
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          let from = 0;
          for (const p of [...points, bytes.length]) {
            got.push(...pieces.push(bytes.subarray(from, p)));
            from = p;
          }
          expect(got).toEqual(expected);
          expect(pieces.pending).toBe(whole.pending);
        },
      ),
      RUNS,
    );
  });

  it('valid APDUs, concatenated and cut anywhere, come back exactly (short and extended length)', () => {
    const apduArb = fc.record({
      cls: fc.integer({ min: 0, max: 255 }),
      instr: fc.integer({ min: 0, max: 255 }),
      data: fc.uint8Array({ maxLength: 600 }),
    });
    fc.assert(
      fc.property(
        fc.array(apduArb, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (apdus, cuts) => {
          const stream = Buffer.concat(apdus.map((a) => encodeApdu(a.cls, a.instr, a.data)));
          const r = new ApduReader();
          const got: Apdu[] = [];
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          let from = 0;
          for (const p of [...points, stream.length]) {
            got.push(...r.push(stream.subarray(from, p)));
            from = p;
          }
          expect(got.map((a) => [a.cls, a.instr, toHex(a.data)])).toEqual(
            apdus.map((a) => [a.cls, a.instr, toHex(a.data)]),
          );
          expect(r.pending).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('command decoders, BMP and TLV parsers: random or mutated data never throws anything but a format error', () => {
    const decoders = [
      decodeRegistration,
      decodeAuthorization,
      decodeRefund,
      decodeReversal,
      decodeEndOfDay,
      decodeStatusEnquiry,
      (d: Buffer) => parseBmps(d),
    ];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 80 }),
          mutatedApdu.map((a) => a.subarray(3)),
        ),
        (bytes) => {
          const data = Buffer.from(bytes);
          expect(parseTlv(data).elements.length).toBeGreaterThanOrEqual(0); // never throws
          for (const decode of decoders) {
            try {
              decode(data);
            } catch (e) {
              if (!isMalformedCommand(e)) throw e;
            }
          }
        },
      ),
      RUNS,
    );
  });
});

describe('serial deframer', () => {
  const frames = SEEDS.map((s) => frameApdu(s));

  it('mutated frames: no exception, only ACK/NAK, and the next good frame is received', () => {
    const mutation = fc.record({
      frame: fc.constantFrom(...frames),
      kind: fc.constantFrom('replace', 'insert', 'delete', 'truncate'),
      at: fc.nat(),
      value: fc.integer({ min: 0, max: 255 }),
      noise: fc.uint8Array({ maxLength: 8 }),
    });
    fc.assert(
      fc.property(mutation, fc.constantFrom(...SEEDS), ({ frame, kind, at, value, noise }, good) => {
        const bytes = [...frame];
        const i = at % bytes.length;
        if (kind === 'replace') bytes[i] = value;
        else if (kind === 'insert') bytes.splice(i, 0, value);
        else if (kind === 'delete') bytes.splice(i, 1);
        else bytes.length = i;
        const timers = new ManualTimers();
        const replies: number[] = [];
        const delivered: string[] = [];
        const rx = new FrameReceiver(
          {
            frame: (b) => delivered.push(toHex(b)),
            rejected: () => undefined,
            ack: () => undefined,
            nak: () => undefined,
          },
          (b) => replies.push(b),
          timers,
          200,
        );
        rx.push(Buffer.from(noise.filter((b) => b !== 0x10)));
        rx.push(Buffer.from(bytes));
        timers.advance(200); // T1: an unfinished frame is NAKed and forgotten
        const before = replies.length;
        rx.push(frameApdu(good));
        expect(replies.every((r) => r === 0x06 || r === 0x15)).toBe(true);
        expect(replies.slice(before)).toEqual([0x06]);
        expect(delivered.at(-1)).toBe(toHex(good));
        // a mutant that was delivered must be a complete frame with a matching CRC inside what was sent
        for (const d of delivered.slice(0, -1)) expect(Buffer.from(bytes).includes(frameApdu(hex(d)))).toBe(true);
      }),
      RUNS,
    );
  });

  it('every single-byte change inside a frame is detected (NAK, nothing delivered)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...frames), fc.nat(), fc.integer({ min: 1, max: 255 }), (frame, at, flip) => {
        // change a body or CRC byte (not the DLE structure) to another value that is not DLE
        const i = 2 + (at % (frame.length - 4));
        const bytes = Buffer.from(frame);
        if (bytes[i] === 0x10 || bytes[i - 1] === 0x10) return;
        const v = bytes[i]! ^ flip;
        if (v === 0x10) return;
        bytes[i] = v;
        const timers = new ManualTimers();
        const replies: number[] = [];
        const delivered: Buffer[] = [];
        const rx = new FrameReceiver(
          { frame: (b) => delivered.push(b), rejected: () => undefined, ack: () => undefined, nak: () => undefined },
          (b) => replies.push(b),
          timers,
          200,
        );
        rx.push(bytes);
        timers.advance(200);
        expect(delivered).toEqual([]);
        expect(replies).toEqual([0x15]);
      }),
      RUNS,
    );
  });
});

/** Serves one command the way a register would: acknowledge everything the terminal sends until it hands master
 *  rights back (06 0F / 06 1E), or until its first answer says the command was refused (84 xx). */
async function serveOne(ecr: TestEcr, command: Buffer): Promise<'refused' | 'done'> {
  await ecr.send(command);
  const first = await ecr.next();
  if (first.cls === 0x84) return 'refused';
  expect(toHex(encodeApdu(first.cls, first.instr, first.data))).toBe('80 00 00');
  const control = (command[0]! << 8) | command[1]!;
  if (control === 0x0602 || control === 0x06b0) return 'done'; // no completion follows
  for (;;) {
    const m = await ecr.next();
    expect([0x04, 0x06]).toContain(m.cls);
    await ecr.ack();
    if (m.cls === 0x06 && (m.instr === 0x0f || m.instr === 0x1e)) return 'done';
  }
}

async function statusEnquiryWorks(ecr: TestEcr): Promise<void> {
  await ecr.send('05 01 03 00 00 00');
  const ack = await ecr.next();
  expect(toHex(encodeApdu(ack.cls, ack.instr, ack.data))).toBe('80 00 00');
  const completion = await ecr.next();
  expect([completion.cls, completion.instr]).toEqual([0x06, 0x0f]);
  await ecr.ack();
}

describe('session under random and mutated commands', () => {
  const outcomes = ['approved', 'declined', 'cancelled', 'failed', 'in_doubt'] as const;

  it('TCP: every command is answered (80 00 00 or 84 xx), the dialogue completes, the session keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(mutatedApdu, randomCommand), { minLength: 1, maxLength: 3 }),
        fc.constantFrom(...outcomes),
        async (commands, outcome) => {
          const api = new FakeBridgeApi();
          api.autoFinish = () => ({ ...APPROVED_MC, outcome, hostCode: '05' });
          const { stream, ecr } = memoryPair('tcp');
          zvtTcpProtocol({ timers: new ManualTimers() }).serve(stream, contextFor(api));
          for (const c of commands) await serveOne(ecr, c);
          await statusEnquiryWorks(ecr);
          expect(stream.closed).toBe(false);
        },
      ),
      { numRuns: 400, timeout: 2000 },
    );
  });

  it('TCP: random bytes in random segments never close the connection; a clean command is then served', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 60 }), async (garbage) => {
        const api = new FakeBridgeApi();
        api.autoFinish = () => ({ outcome: 'declined', hostCode: '05' });
        const timers = new ManualTimers();
        const { stream, ecr } = memoryPair('tcp');
        zvtTcpProtocol({ timers, options: { receipts: 'off' } }).serve(stream, contextFor(api));
        await ecr.send(Buffer.from(garbage));
        // let whatever the garbage started finish: acknowledge everything, then flush a partial APDU (5 s)
        for (let i = 0; i < 20; i++) {
          await new Promise((r) => setImmediate(r));
          for (const m of ecr.received.drain()) if (m.cls === 0x04 || m.cls === 0x06) await ecr.ack();
          timers.advance(5_000);
        }
        for (const m of ecr.received.drain()) expect([0x80, 0x84, 0x04, 0x06]).toContain(m.cls);
        expect(stream.closed).toBe(false);
        await statusEnquiryWorks(ecr);
      }),
      { numRuns: 300 },
    );
  });

  it('serial: mutated frames get NAK (or ACK and 84 xx), the line keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedApdu, fc.nat(), fc.integer({ min: 1, max: 255 }), async (apdu, at, flip) => {
        const api = new FakeBridgeApi();
        api.autoFinish = () => ({ outcome: 'cancelled' });
        const timers = new ManualTimers();
        const { stream, ecr } = memoryPair('serial', timers);
        zvtSerialProtocol({ timers, options: { receipts: 'off' } }).serve(stream, contextFor(api));
        // a damaged copy first: the terminal must NAK it
        const bad = frameApdu(apdu);
        const i = 2 + (at % (bad.length - 4));
        if (bad[i] !== 0x10 && bad[i - 1] !== 0x10 && (bad[i]! ^ flip) !== 0x10) {
          bad[i] = bad[i]! ^ flip;
          const before = ecr.raw.length;
          stream.feed(bad);
          while (ecr.raw.length === before) await new Promise((r) => setImmediate(r));
          expect(ecr.raw.subarray(before)).toEqual(hex('15'));
          timers.advance(200);
        }
        await serveOne(ecr, apdu);
        await statusEnquiryWorks(ecr);
      }),
      { numRuns: 300 },
    );
  });
});
