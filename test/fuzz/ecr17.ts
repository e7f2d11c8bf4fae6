/**
 * ECR17 (ecr17.md): the frame reader (§2 stream parsing), the LRC learner (§2 detection), the message codec both
 * ways (§5: decode(encode(x)) = x, a damaged message ends as Ecr17FormatError and so as NAK) and a whole session:
 * random and truncated frames never throw out of it, and a good frame after them is still ACKed and served.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameReader, frame, type Inbound } from '../../src/register/ecr17/framing';
import { LrcLearner } from '../../src/register/ecr17/link';
import { LRC_MODES, lrc } from '../../src/register/ecr17/lrc';
import {
  Ecr17FormatError,
  decodeAnswer,
  decodeRequest,
  encodeAnswer,
  encodeRequest,
  type Ecr17Answer,
  type Ecr17Request,
  type ResultMsg,
} from '../../src/register/ecr17/messages';
import { ecr17Protocol } from '../../src/register/ecr17/session';
import { contextFor, InstantBridgeApi, ManualTimers, MemoryStream, settle } from './doubles';
import { cuts, edits, mutate, segments, target, type FuzzTarget } from './target';

const sp = (n: number): string => ' '.repeat(n);

/** Requests of ecr17.md §11, the seeds for mutation. */
const SEEDS = [
  '123456780P00000001000000001250' + sp(128) + '00000000',
  '000000000P00000001000000000650' + sp(128) + '00000000',
  '123456780X00000001100000001250' + sp(120) + 'GRAZIE! 00000000',
  '123456780S0000000100004200',
  '123456780s',
  '123456780T0000000100000000',
  '123456780C0000000100000000',
  '123456780G000000010000',
  '123456780E1',
  '123456780R10' + '0'.repeat(10),
  '123456780U00000162DF8D01' + '0' + '0001' + '00000' + 'ABC\x1b',
  '123456780p0000000100',
];
const SEED_FRAMES = SEEDS.flatMap((s) => LRC_MODES.map((m) => frame(s, m)));

const digits = (n: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));
const printable = (max: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));
/** Text fields read back without their fill: no trailing (left-aligned) or leading (right-aligned) spaces. */
const leftText = (max: number): fc.Arbitrary<string> => printable(max).map((s) => s.replace(/ +$/, ''));
const rightText = (max: number): fc.Arbitrary<string> => printable(max).map((s) => s.replace(/^ +/, ''));

const tid = digits(8);
const request: fc.Arbitrary<Ecr17Request> = fc.oneof(
  fc.record({
    code: fc.constantFrom('P' as const, 'X' as const),
    terminalId: tid,
    registerId: leftText(8),
    additionalData: fc.boolean(),
    cardPresent: fc.boolean(),
    cardFilter: fc.integer({ min: 0, max: 3 }),
    amount: fc.integer({ min: 0, max: 99_999_999 }),
    text: rightText(128),
  }),
  fc.record({
    code: fc.constant('S' as const),
    terminalId: tid,
    registerId: leftText(8),
    stan: digits(6),
    additionalData: fc.boolean(),
  }),
  fc.record({ code: fc.constant('s' as const), terminalId: tid }),
  fc.record({
    code: fc.constant('G' as const),
    terminalId: tid,
    registerId: leftText(8),
    additionalData: fc.boolean(),
  }),
  fc.record({
    code: fc.constantFrom('T' as const, 'C' as const),
    terminalId: tid,
    registerId: leftText(8),
    additionalData: fc.boolean(),
  }),
  fc.record({ code: fc.constant('E' as const), terminalId: tid, ecrPrints: fc.boolean() }),
  fc.record({ code: fc.constant('R' as const), terminalId: tid, toEcr: fc.boolean(), ticketType: leftText(1) }),
);

const result: fc.Arbitrary<ResultMsg> = fc
  .record({
    format: fc.constantFrom('payment' as const, 'reversal' as const, 'extended' as const),
    terminalId: tid,
    approved: fc.boolean(),
    refusedCode: fc.constantFrom('01', '05', '09'),
    pan: fc.stringMatching(/^[0-9*]{19}$/),
    entryMode: fc.constantFrom('ICC', 'MAG', 'MAN', 'CLM', 'CLI'),
    approvalCode: fc.stringMatching(/^[0-9A-Z]{6}$/),
    hostDateTime: digits(7),
    reason: leftText(24),
    cardType: fc.integer({ min: 1, max: 3 }),
    acquirerId: leftText(11),
    stan: digits(6),
    onlineNo: digits(6),
    actionCode: digits(3),
    hostAmount: fc.integer({ min: 0, max: 99_999_999 }),
  })
  .map((r) => {
    const base = {
      code: 'E' as const,
      format: r.format,
      terminalId: r.terminalId,
      cardType: r.cardType,
      acquirerId: r.acquirerId,
      stan: r.stan,
      onlineNo: r.onlineNo,
    };
    const head: ResultMsg = r.approved
      ? {
          ...base,
          result: '00',
          pan: r.pan,
          entryMode: r.entryMode,
          approvalCode: r.approvalCode,
          hostDateTime: r.hostDateTime,
        }
      : { ...base, result: r.refusedCode, reason: r.reason };
    if (r.format === 'reversal') return { ...head, actionCode: r.actionCode };
    if (r.format === 'extended') return { ...head, actionCode: r.actionCode, hostAmount: r.hostAmount };
    return head;
  });

const total = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const answer: fc.Arbitrary<Ecr17Answer> = fc.oneof(
  result,
  fc.record({
    code: fc.constant('s' as const),
    terminalId: tid,
    dateTime: digits(10),
    status: fc.integer({ min: 0, max: 6 }),
    releases: fc.array(fc.stringMatching(/^[\x20-\x7e]{8}$/), { maxLength: 3 }),
  }),
  fc.record({ code: fc.constant('T' as const), terminalId: tid, result: digits(2), total }),
  fc.record({
    code: fc.constant('C' as const),
    terminalId: tid,
    result: fc.constant('00'),
    terminalTotal: total,
    hostTotal: total,
  }),
  fc.record({
    code: fc.constant('C' as const),
    terminalId: tid,
    result: fc.constantFrom('01', '02'),
    reason: leftText(19),
    actionCode: digits(3),
  }),
  fc.record({ code: fc.constant('S' as const), terminalId: tid, text: fc.stringMatching(/^[\x20-\x7f\x1b]{1,200}$/) }),
);

const requestRoundTrip = target({
  name: 'ecr17: requests decode(encode(x)) = x',
  arbitrary: request,
  check: (req) => {
    const text = encodeRequest(req);
    assert.deepEqual(decodeRequest(text), { ...req });
    // and through a frame in each mode
    for (const m of LRC_MODES) {
      const got = new FrameReader().push(frame(text, m));
      assert.equal(got.length, 1);
      const f = got[0]!;
      assert.ok(f.type === 'message' && f.check === lrc(f.message, m) && f.message.toString('latin1') === text);
    }
  },
});

const answerRoundTrip = target({
  name: 'ecr17: answers decode(encode(x)) = x',
  arbitrary: answer,
  check: (a) => {
    const text = encodeAnswer(a);
    const back = decodeAnswer(text);
    if (a.code === 'E' && a.result === '00') assert.deepEqual(back, { ...a, pan: a.pan!.padStart(19, '0') });
    else assert.deepEqual(back, { ...a });
  },
});

const decoder = target({
  name: 'ecr17: request decoder (random and mutated messages)',
  arbitrary: fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.tuple(fc.constantFrom(...SEEDS), edits).map(([s, e]) => mutate(Buffer.from(s, 'latin1'), e)),
  ),
  check: (bytes) => {
    try {
      const req = decodeRequest(bytes);
      assert.ok(typeof req.code === 'string');
    } catch (e) {
      assert.ok(e instanceof Ecr17FormatError, `decodeRequest threw ${String(e)}`);
    }
    try {
      decodeAnswer(bytes);
    } catch (e) {
      assert.ok(e instanceof Ecr17FormatError, `decodeAnswer threw ${String(e)}`);
    }
  },
});

const noise = fc.oneof(
  fc.uint8Array({ maxLength: 400 }),
  fc.tuple(fc.constantFrom(...SEED_FRAMES), edits).map(([f, e]) => mutate(f, e)),
  fc
    .array(fc.constantFrom(...SEED_FRAMES), { maxLength: 3 })
    .chain((fs) => fc.nat({ max: 400 }).map((n) => Buffer.concat(fs).subarray(0, n))),
);

const reader = target({
  name: 'ecr17: frame reader (any bytes, any segmentation)',
  arbitrary: fc.record({ stream: noise, cuts }),
  check: ({ stream, cuts: points }) => {
    const whole = new FrameReader();
    const expected = whole.push(stream);
    const pieces = new FrameReader();
    const got: Inbound[] = [];
    for (const p of segments(stream, points)) got.push(...pieces.push(p));
    assert.deepEqual(got, expected);
    for (const f of got) if (f.type === 'message') assert.ok(f.message.length <= 1024 && !f.message.includes(0x03));
    // after dropping whatever is unfinished, a good frame is read
    pieces.discard();
    const after = pieces.push(frame(SEEDS[4]!, 'std'));
    assert.equal(after.at(-1)?.type, 'message');
  },
});

const learner = target({
  name: 'ecr17: LRC learner (any frames, any LRC bytes)',
  arbitrary: fc.record({
    configured: fc.constantFrom('auto' as const, ...LRC_MODES),
    frames: fc.array(
      fc.tuple(fc.constantFrom(...SEEDS), fc.oneof(fc.constantFrom(...LRC_MODES), fc.integer({ min: 0, max: 255 }))),
      { maxLength: 12 },
    ),
  }),
  check: ({ configured, frames }) => {
    const l = new LrcLearner(configured);
    for (const [text, how] of frames) {
      const msg = Buffer.from(text, 'latin1');
      const check = typeof how === 'number' ? how : lrc(msg, how);
      const r = l.check(msg, check);
      assert.ok(LRC_MODES.includes(r.mode));
      if (r.ok) assert.equal(lrc(msg, r.mode), check, 'a frame is accepted only in the mode its LRC names');
      if (configured !== 'auto') assert.equal(r.mode, configured);
    }
  },
});

const STATUS_FRAME = frame('123456780s', 'std');

const session = target({
  name: 'ecr17: session (random and truncated frames, then a good one)',
  async: true,
  arbitrary: fc.record({ noise, cuts }),
  check: async ({ noise: bytes, cuts: points }) => {
    const timers = new ManualTimers();
    const stream = new MemoryStream();
    const api = new InstantBridgeApi();
    ecr17Protocol({ timers, options: { lrcMode: 'std', closeAfterPayment: false } }).serve(stream, contextFor(api));
    for (const p of segments(bytes, points)) stream.feed(p);
    // let whatever the noise started finish: U waits, ACK waits and resends, unfinished frames
    for (let i = 0; i < 12; i++) {
      await settle();
      timers.advance(5_000);
    }
    await settle();
    const mark = Buffer.concat(stream.written).length;
    stream.feed(STATUS_FRAME);
    await settle();
    const out = new FrameReader().push(Buffer.concat(stream.written).subarray(mark));
    assert.equal(out[0]?.type, 'ack', 'a good frame after any noise is ACKed');
    const answered = out.some((f) => f.type === 'message' && f.message.toString('latin1').startsWith('123456780s'));
    assert.ok(answered, 'and answered');
  },
});

export const ecr17Targets: FuzzTarget[] = [reader, learner, requestRoundTrip, answerRoundTrip, decoder, session];
