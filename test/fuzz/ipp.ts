/**
 * myPOS IPP (mypos-ipp.md §2 framing, §3 properties, §9 formats): the client's IppReader and body decoding, the
 * simulated terminal's splitter, amounts, and the result fields a terminal's answer becomes. A bad frame must end as
 * IppDecodeError (dropped and logged, the link lives on), a bad amount as BridgeError invalid_amount, and no card
 * data beyond a masked PAN may survive into what the bridge keeps.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { scrubCardData } from '../../src/log/redact';
import { BridgeError } from '../../src/domain/errors';
import { currencyCodes } from './currencies';
import {
  decodeIppBody,
  encodeIpp,
  formatIppAmount,
  IppDecodeError,
  IppMessage,
  IppReader,
  parseIppAmount,
} from '../../src/terminal/ipp/codec';
import { finalVerdict, resultFields, sanitiseRaw } from '../../src/terminal/ipp/results';
import { IppFrameSplitter } from '../../src/terminal/simulator/ipp-frames';
import { cuts, edits, mutate, segments, target, type FuzzTarget } from './target';

const NAMES = [
  'METHOD',
  'SID',
  'STAGE',
  'STATUS',
  'TIMEOUT',
  'AMOUNT',
  'CURRENCY',
  'APPROVAL',
  'AUTH_CODE',
  'RRN',
  'STAN',
  'PAN_MASKED',
  'TERMINAL_ID',
  'TX_STATUS',
  'SID_ORIGINAL',
  'REFERENCE_NUMBER',
];
const name = fc.oneof(fc.constantFrom(...NAMES), fc.stringMatching(/^[A-Z0-9_]{1,12}$/));
const value = fc.oneof(
  fc.constantFrom('0', '1', '2', '5', '12.34', '978', '541333******1234', 'PURCHASE', ''),
  fc.stringMatching(/^[\x20-\x7e]{0,30}$/),
);
const pairs = fc
  .array(fc.tuple(name, value), { maxLength: 12 })
  .map((p): Array<[string, string]> => [['PROTOCOL', 'IPP'], ...p]);

/** One framed IPP message: valid, or its body mutated (length header kept consistent), or random bytes. */
const frame = fc.oneof(
  pairs.map((p) => encodeIpp(p)),
  fc.tuple(pairs, edits).map(([p, e]) => {
    const body = mutate(encodeIpp(p).subarray(2), e);
    const out = Buffer.alloc(body.length + 2);
    out.writeUInt16BE(Math.min(0xffff, body.length + 2), 0);
    body.copy(out, 2);
    return out;
  }),
  fc.uint8Array({ maxLength: 64 }),
);

function describe(items: Array<IppMessage | IppDecodeError>): unknown[] {
  return items.map((m) => (m instanceof IppMessage ? m.pairs : `error: ${m.message}`));
}

const reader = target({
  name: 'ipp: IppReader (length header, any bytes, any segmentation)',
  arbitrary: fc.record({ frames: fc.array(frame, { maxLength: 4 }), cuts }),
  check: ({ frames, cuts: points }) => {
    const stream = Buffer.concat(frames);
    const whole = new IppReader();
    const expected = whole.push(stream);
    const pieces = new IppReader();
    const got: Array<IppMessage | IppDecodeError> = [];
    for (const p of segments(stream, points)) got.push(...pieces.push(p));
    for (const m of got) {
      assert.ok(m instanceof IppMessage || m instanceof IppDecodeError, 'a message or an IppDecodeError, nothing else');
      if (m instanceof IppMessage) assert.deepEqual(m.pairs[0], ['PROTOCOL', 'IPP']);
    }
    // Segmentation never changes what is read — up to a length header below 2, after which the reader drops what it
    // holds (§2: no way to find the next boundary), and what it held depends on how the bytes arrived.
    const a = describe(got);
    const b = describe(expected);
    const lost = (d: unknown[]): number => d.findIndex((x) => typeof x === 'string' && x.includes('below 2'));
    const cut = Math.max(lost(a), lost(b));
    if (cut < 0) {
      assert.deepEqual(a, b);
      assert.equal(pieces.pending, whole.pending);
    } else {
      assert.deepEqual(a.slice(0, cut + 1), b.slice(0, cut + 1));
    }
    assert.ok(whole.pending < 0xffff && pieces.pending < 0xffff);
  },
});

const roundTrip = target({
  name: 'ipp: encode → decode round trip; any body decodes or is refused',
  arbitrary: fc.record({
    pairs,
    body: fc.oneof(
      fc.uint8Array({ maxLength: 120 }),
      fc.tuple(pairs, edits).map(([p, e]) => mutate(encodeIpp(p).subarray(2), e)),
    ),
  }),
  check: ({ pairs: p, body }) => {
    const r = new IppReader().push(encodeIpp(p));
    assert.equal(r.length, 1);
    assert.ok(r[0] instanceof IppMessage);
    assert.deepEqual((r[0] as IppMessage).pairs, p);
    try {
      const m = decodeIppBody(Buffer.from(body));
      assert.deepEqual(m.pairs[0], ['PROTOCOL', 'IPP']);
      for (const [n] of m.pairs) assert.ok(n.length > 0 && !n.includes('\r\n'));
    } catch (e) {
      assert.ok(e instanceof IppDecodeError, `decodeIppBody threw ${String(e)}`);
    }
  },
});

const splitter = target({
  name: 'ipp: terminal-side splitter (simulator: SYNTAX ERROR with echo)',
  arbitrary: fc.record({ frames: fc.array(frame, { maxLength: 4 }), cuts }),
  check: ({ frames, cuts: points }) => {
    const s = new IppFrameSplitter();
    for (const p of segments(Buffer.concat(frames), points)) {
      for (const f of s.push(p)) {
        if (f.ok) assert.deepEqual(f.message.pairs[0], ['PROTOCOL', 'IPP']);
        else {
          assert.equal(typeof f.error, 'string');
          for (const echo of [f.method, f.sid])
            if (echo !== undefined) assert.match(echo, /^[\x20-\x7e]{1,127}$/, 'only printable values are echoed');
        }
      }
    }
    assert.ok(s.pending < 0xffff);
  },
});

const amounts = target({
  name: 'ipp: amounts (exact decimal ↔ minor units)',
  arbitrary: fc.record({
    minor: fc.integer({ min: 0, max: 999_999_999 }),
    currency: fc.constantFrom(...currencyCodes),
    text: fc.oneof(
      fc.stringMatching(/^[0-9]{0,12}(\.[0-9]{0,5})?$/),
      fc.string({ maxLength: 16 }),
      fc.constantFrom('12.34', '12.3', '12', '5.00', '5.01', '0.001', ' 1.00 ', '-1.00', '1e3', '1,00', ''),
    ),
    decimals: fc.integer({ min: 0, max: 3 }),
  }),
  check: ({ minor, currency, text, decimals }) => {
    try {
      const m = parseIppAmount(text, currency);
      assert.ok(Number.isSafeInteger(m.minor) && m.minor >= 0 && m.minor <= 999_999_999);
      assert.equal(m.currency, currency);
    } catch (e) {
      assert.ok(
        e instanceof BridgeError && (e.code === 'invalid_amount' || e.code === 'unknown_currency'),
        `parseIppAmount threw ${String(e)}`,
      );
    }
    let wire: string | undefined;
    try {
      wire = formatIppAmount({ minor, currency }, decimals);
    } catch (e) {
      // Fewer decimals than the currency's exponent cannot express every amount: refused, never rounded.
      assert.ok(e instanceof BridgeError && e.code === 'invalid_amount', `formatIppAmount threw ${String(e)}`);
    }
    if (wire !== undefined)
      assert.deepEqual(parseIppAmount(wire, currency), { minor, currency }, `${wire} reads back as ${minor}`);
  },
});

/** Test card numbers (Luhn-valid, as real PANs are; other digit runs are references and stay). */
const TEST_PANS = ['4111111111111111', '5555555555554444', '4000 0000 0000 0002', '378282246310005'];
const CARD_NAMES = [
  'PAN',
  'EXPIRE_DATE',
  'EXP_DATE',
  'EMBOSS_NAME',
  'CARDHOLDER_NAME',
  'TRACK2',
  'TRACK1_DATA',
  'CVV',
  'PIN_BLOCK',
  'PASSWORD',
];

const results = target({
  name: 'ipp: answers → result fields and journal raw, never card data',
  arbitrary: fc.record({
    props: fc.dictionary(
      fc.oneof(
        fc.constantFrom(...NAMES, ...CARD_NAMES, 'CUSTOM_NOTE', 'DECLINED_REASON1', 'AID', 'APPL_PREF_NAME'),
        fc.stringMatching(/^[A-Z0-9_]{1,12}$/),
      ),
      fc.oneof(
        value,
        fc.constantFrom(...TEST_PANS),
        fc.constantFrom(...TEST_PANS).map((p) => `card ${p} used`),
        fc.string({ maxLength: 20 }),
      ),
      { maxKeys: 14 },
    ),
    status: fc.option(fc.integer({ min: -1, max: 120 }), { nil: undefined }),
    currency: fc.option(fc.constantFrom('EUR', 'JPY', 'BHD'), { nil: undefined }),
  }),
  check: ({ props, status, currency }) => {
    const v = finalVerdict(status, props);
    assert.ok(['approved', 'declined', 'cancelled', 'failed', 'in_doubt'].includes(v.outcome));
    const f = resultFields(props, currency);
    if (f.panMasked !== undefined)
      assert.doesNotMatch(f.panMasked.replace(/[ -]/g, ''), /[0-9]{11,}/, 'a masked PAN shows at most 10 digits');
    const raw = sanitiseRaw(props);
    for (const [k, val] of Object.entries(raw)) {
      assert.ok(!CARD_NAMES.includes(k), `${k} must not be kept`);
      if (k === 'PAN_MASKED') assert.doesNotMatch(val.replace(/[ -]/g, ''), /[0-9]{11,}/);
    }
    // What the journal stores: sanitiseRaw keeps the values of known fields (SN, RRN, …) verbatim, and the journal
    // scrubs every value again before it is written, so a card number is gone whatever field it arrived in.
    const stored = JSON.stringify(scrubCardData(raw));
    for (const pan of TEST_PANS) assert.ok(!stored.includes(pan), `the journal would keep a card number: ${stored}`);
  },
});

export const ippTargets: FuzzTarget[] = [reader, roundTrip, splitter, amounts, results];
