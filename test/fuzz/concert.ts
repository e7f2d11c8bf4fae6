/**
 * Concert E / E+ (concert.md): the request and answer codec round-trips, the frame check takes any bytes, and a
 * session fed random, truncated or mutated frames never throws, answers only with the link's own bytes, and serves
 * the next good exchange once the link's timers have run out.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import pino from 'pino';
import { checkFrame, frameMessage, onLine } from '../../src/register/concert/framing';
import {
  ConcertFormatError,
  decodeAnswer,
  decodeRequest,
  encodeAnswer,
  encodeRequest,
  type ConcertAnswer,
  type ConcertRequest,
} from '../../src/register/concert/messages';
import { parseConcertOptions } from '../../src/register/concert/options';
import { concertProtocol } from '../../src/register/concert/session';
import type { RegisterContext } from '../../src/register/protocol';
import { InstantBridgeApi, ManualTimers, MemoryStream, settle } from './doubles';
import { cuts, edits, mutate, segments, target, type FuzzTarget } from './target';

const ENQ = 0x05;
const ACK = 0x06;
const EOT = 0x04;
const STX = 0x02;

const printable = (n: number): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength: n,
    maxLength: n,
  });

const requestArb: fc.Arbitrary<ConcertRequest> = fc
  .record({
    register: printable(2),
    amount: fc.oneof(fc.stringMatching(/^[0-9]{8}$/), printable(8)),
    answerFlag: fc.oneof(fc.constantFrom('0', '1', '2'), printable(1)),
    paymentMode: fc.oneof(fc.constantFrom('1', 'C', '0', 'U'), printable(1)),
    transactionType: fc.oneof(fc.constantFrom('0', '1', '2', '4'), printable(1)),
    currency: fc.oneof(fc.constantFrom('978', '840', '999'), printable(3)),
    privateData: printable(10),
    plus: fc.option(
      fc.record({
        timing: fc.oneof(fc.constantFrom('A010', 'A011'), printable(4)),
        authorisation: fc.oneof(fc.constantFrom('B010', 'B011'), printable(4)),
      }),
      { nil: undefined },
    ),
  })
  .map(({ plus, ...r }) => ({ ...r, ...(plus ?? {}) }));

const answerArb: fc.Arbitrary<ConcertAnswer> = fc
  .record({
    register: printable(2),
    status: printable(1),
    amount: printable(8),
    paymentMode: printable(1),
    report: fc.option(printable(55), { nil: undefined }),
    currency: printable(3),
    privateData: printable(10),
  })
  .map(({ report, ...a }) => ({ ...a, ...(report !== undefined ? { report } : {}) }));

const codec = target({
  name: 'concert: request and answer codec (decode(encode(x)) = x; any text gives a value or a format error)',
  arbitrary: fc.record({
    request: requestArb,
    answer: answerArb,
    text: fc.string({ unit: 'binary-ascii', maxLength: 90 }),
  }),
  check: ({ request, answer, text }) => {
    assert.deepEqual(decodeRequest(encodeRequest(request)), request);
    assert.deepEqual(decodeAnswer(encodeAnswer(answer)), answer);
    for (const decode of [decodeRequest, decodeAnswer]) {
      try {
        decode(text);
      } catch (e) {
        assert.ok(e instanceof ConcertFormatError, `${decode.name} threw ${String(e)}`);
      }
    }
  },
});

const frames = target({
  name: 'concert: frame check (any bytes between STX and the LRC, both line settings)',
  arbitrary: fc.record({
    request: requestArb,
    mode: fc.constantFrom('7E1' as const, '8N1' as const),
    noise: fc.uint8Array({ minLength: 3, maxLength: 80 }),
    e: edits,
  }),
  check: ({ request, mode, noise, e }) => {
    const good = onLine(frameMessage(encodeRequest(request)), mode);
    const c = checkFrame(good, undefined);
    assert.ok(
      c.ok &&
        c.message.toString('latin1') === encodeRequest(request) &&
        c.mode === (good.some((b) => b & 0x80) ? '7E1' : '8N1'),
    );
    for (const raw of [noise, mutate(good, e)]) {
      if (raw.length < 3) continue;
      const r = checkFrame(raw, undefined);
      if (r.ok) assert.ok(r.message.every((b) => b >= 0x20 && b <= 0x7e));
      else assert.ok(['parity', 'lrc', 'not-printable'].includes(r.fault));
    }
  },
});

const GOOD = `0100001250010978${' '.repeat(10)}A010B010`;
const SEEDS = [
  GOOD,
  `0100001250110978${' '.repeat(10)}`,
  `0100001250010978${' '.repeat(10)}A011B010`,
  `01000012501C0978${' '.repeat(10)}A010B010`,
].map((m) => frameMessage(m));
/** A whole request session as a register sends it, in either line setting. */
const SESSIONS = SEEDS.flatMap((f) => [Buffer.concat([Buffer.from([ENQ]), f, Buffer.from([EOT])])]);

const session = target({
  name: 'concert: session on random, truncated and mutated frames (never throws; the next good exchange is served)',
  async: true,
  arbitrary: fc.record({
    noise: fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      fc.tuple(fc.constantFrom(...SESSIONS), edits).map(([s, e]) => mutate(s, e)),
      fc.tuple(fc.constantFrom(...SESSIONS), fc.nat()).map(([s, n]) => s.subarray(0, n % s.length)),
      fc.array(fc.constantFrom(ENQ, ACK, EOT, STX, 0x15, 0x03, 0x30), { maxLength: 12 }).map((a) => Uint8Array.from(a)),
    ),
    cuts,
    mode: fc.constantFrom('7E1' as const, '8N1' as const),
  }),
  check: async ({ noise, cuts: points, mode }) => {
    const errors: string[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void errors.push(line) });
    const api = new InstantBridgeApi();
    const stream = new MemoryStream();
    const timers = new ManualTimers();
    const ctx: RegisterContext = {
      api,
      identity: { listener: 'fuzz', register: 'fuzz' },
      peer: 'memory',
      log,
    };
    concertProtocol(parseConcertOptions({ turnaroundMs: 0 }), { timers }).serve(stream, ctx);
    for (const p of segments(noise, points)) stream.feed(p);
    // Let every timer of the link run out: an answer session nobody ACKs ends with EOT, a half frame is NAKed.
    for (let i = 0; i < 10; i++) {
      await settle(1);
      timers.advance(10_000);
    }
    await settle(1);
    const line = (b: number[]): Buffer => onLine(Buffer.from(b), mode);
    const before = Buffer.concat(stream.written).length;
    const fresh = (): Buffer => Buffer.concat(stream.written).subarray(before);
    stream.feed(line([ENQ]));
    stream.feed(onLine(frameMessage(GOOD), mode));
    stream.feed(line([EOT]));
    await settle(3);
    assert.deepEqual(
      [...fresh().subarray(0, 2)],
      [ACK, ACK],
      `after any noise, a good request is taken: ${fresh().toString('hex')}`,
    );
    for (let i = 0; i < 5 && fresh().length < 3; i++) await settle(2);
    assert.equal(fresh()[2], ENQ, 'the answer session opens');
    stream.feed(line([ACK]));
    await settle(3);
    const answer = Buffer.from(
      fresh()
        .subarray(3)
        .map((b) => b & 0x7f),
    );
    assert.equal(answer.length, 28, `a short answer: ${answer.toString('hex')}`);
    assert.equal(answer.subarray(1, -2).toString('latin1'), `010000012501978${' '.repeat(10)}`);
    stream.feed(line([ACK]));
    await settle(3);
    assert.equal(fresh().at(-1)! & 0x7f, EOT);
    assert.deepEqual(errors, [], 'nothing failed inside the session');
    assert.equal(stream.destroyed, false);
  },
});

export const concertTargets: FuzzTarget[] = [codec, frames, session];
