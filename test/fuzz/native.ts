/**
 * Native register protocol (docs/register-protocol.md): the NDJSON line framer, the request parser with the money
 * rules, and a whole session. Every bad line must come back as an `error` object with a stable code — never an
 * exception, never `internal`, never a closed connection.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BridgeError, type ErrorCode } from '../../src/domain/errors';
import { LineFramer, type LineEvent } from '../../src/register/native/line-framer';
import { OPS, parseRequest, toPaymentRequest } from '../../src/register/native/messages';
import { nativeProtocol } from '../../src/register/native/session';
import { contextFor, InstantBridgeApi, MemoryStream, settle } from './doubles';
import { cuts, edits, lineBytes, mutate, segments, target, type FuzzTarget } from './target';

const PARSE_CODES: ReadonlySet<ErrorCode> = new Set(['bad_json', 'bad_request', 'unknown_op', 'invalid_ref']);
const MONEY_CODES: ReadonlySet<ErrorCode> = new Set(['invalid_amount', 'unknown_currency', 'bad_request']);

/** What the framer must produce, written the obvious way: split at LF, drop one CR before it, size-check each line. */
function framerModel(bytes: Buffer, maxBytes: number): LineEvent[] {
  const out: LineEvent[] = [];
  let start = 0;
  for (let nl = bytes.indexOf(0x0a); nl !== -1; nl = bytes.indexOf(0x0a, start)) {
    const piece = bytes.subarray(start, nl);
    start = nl + 1;
    if (piece.length > maxBytes) out.push({ tooLong: piece.length });
    else {
      const text = piece.toString('utf8');
      out.push({ line: text.endsWith('\r') ? text.slice(0, -1) : text });
    }
  }
  return out;
}

const framer = target({
  name: 'native: NDJSON line framer (any bytes, any segmentation)',
  arbitrary: fc.record({
    bytes: fc.oneof(
      lineBytes,
      // long lines around the limit
      fc
        .tuple(fc.nat({ max: 200 }), fc.nat({ max: 200 }), lineBytes)
        .map(([a, b, tail]) => Buffer.concat([Buffer.alloc(a, 0x61), Buffer.from('\n'), Buffer.alloc(b, 0x62), tail])),
      fc.uint8Array({ maxLength: 400 }),
    ),
    cuts,
    maxBytes: fc.integer({ min: 1, max: 120 }),
  }),
  check: ({ bytes, cuts: points, maxBytes }) => {
    const f = new LineFramer(maxBytes);
    const events: LineEvent[] = [];
    for (const piece of segments(bytes, points)) events.push(...f.push(Buffer.from(piece)));
    assert.deepEqual(events, framerModel(Buffer.from(bytes), maxBytes));
  },
});

const VALID_LINES = [
  '{"op":"sale","id":"1","ref":"INV-1001","amount":1234,"currency":"EUR"}',
  '{"op":"sale","id":2,"ref":"INV-1002","amount":500,"currency":"JPY","tip":50,"terminal":"lane1"}',
  '{"op":"refund","id":"3","ref":"RF-77","amount":500,"currency":"EUR"}',
  '{"op":"preauth","id":"4","ref":"PA-1","amount":9000,"currency":"EUR"}',
  '{"op":"completion","id":"5","ref":"PA-1","amount":8000,"currency":"EUR"}',
  '{"op":"reversal","id":"6","ref":"INV-1002"}',
  '{"op":"preauth_cancel","id":"7","ref":"PA-1"}',
  '{"op":"cancel","id":"8","ref":"INV-1003"}',
  '{"op":"status","id":"9","ref":"INV-1001"}',
  '{"op":"ack","id":"10","ref":"INV-1001"}',
  '{"op":"hello","id":"11","client":"ACME POS 5.1","register":"till-2"}',
  '{"op":"last","id":"12"}',
  '{"op":"terminal","id":"13"}',
  '{"op":"ping","id":"14"}',
];

/** Values that exercise the money and ref rules: floats, negatives, huge numbers, strings, unknown currencies. */
const fieldValue = fc.oneof(
  fc.integer({ min: -10, max: 1_000_000_010 }),
  fc.double({ noNaN: false }),
  fc.constantFrom(0, 1, 999_999_999, 1_000_000_000, 12.34, -1, Number.MAX_SAFE_INTEGER, 1e21),
  fc.constantFrom(
    'EUR',
    'JPY',
    'BHD',
    'XXX',
    'eur',
    '',
    'EURO',
    '978',
    '12.34',
    'INV-1',
    ' x ',
    '\u00e9',
    'a'.repeat(70),
  ),
  fc.string({ maxLength: 20 }),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
);

const structured = fc
  .record(
    {
      op: fc.oneof(fc.constantFrom(...OPS), fc.string({ maxLength: 12 }), fc.integer()),
      id: fc.oneof(fc.string({ maxLength: 140 }), fc.integer(), fc.double(), fc.constant(null)),
      ref: fieldValue,
      amount: fieldValue,
      currency: fieldValue,
      tip: fieldValue,
      terminal: fieldValue,
      register: fieldValue,
      token: fieldValue,
      receipts: fc.oneof(fc.constantFrom('none', 'text', 'pdf'), fieldValue),
    },
    { requiredKeys: [] },
  )
  .map((o) => JSON.stringify(o));

/** Any text a register might send as one line (no LF inside: the framer splits there). */
export const requestLine = fc.oneof(
  { weight: 3, arbitrary: structured },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...VALID_LINES), edits)
      .map(([l, e]) => mutate(Buffer.from(l), e).toString('utf8')),
  },
  { weight: 1, arbitrary: fc.constantFrom(...VALID_LINES) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
);

const parser = target({
  name: 'native: request parser and money rules',
  arbitrary: requestLine,
  check: (line) => {
    const r = parseRequest(line.replace(/\n/g, ' '));
    if ('error' in r) {
      assert.ok(r.error instanceof BridgeError, 'a parse failure is a BridgeError');
      assert.ok(PARSE_CODES.has(r.error.code), `unexpected code ${r.error.code}`);
      assert.ok(r.id === null || typeof r.id === 'string');
      return;
    }
    const req = r.request;
    assert.ok(OPS.includes(req.op));
    assert.equal(typeof req.id, 'string');
    if (['sale', 'refund', 'preauth', 'completion', 'reversal', 'preauth_cancel'].includes(req.op)) {
      try {
        const p = toPaymentRequest(req);
        if (p.amount) {
          assert.ok(
            Number.isSafeInteger(p.amount.minor) && p.amount.minor >= 0 && p.amount.minor <= 999_999_999,
            'minor units are an integer in range',
          );
          assert.match(p.amount.currency, /^[A-Z]{3}$/);
        }
        if (p.tip !== undefined) assert.ok(Number.isSafeInteger(p.tip) && p.tip >= 0);
      } catch (e) {
        assert.ok(e instanceof BridgeError, `toPaymentRequest threw ${String(e)}`);
        assert.ok(MONEY_CODES.has(e.code), `unexpected code ${e.code}`);
      }
    }
  },
});

/**
 * An error the session sends must carry a stable snake_case code; `internal` would mean an exception escaped where a
 * protocol error was due (the protocol grows, so any other code of the vocabulary is accepted).
 */
function checkSessionCode(code: unknown, message: unknown): void {
  assert.equal(typeof code, 'string');
  assert.match(code as string, /^[a-z][a-z_]*$/);
  assert.notEqual(code, 'internal', `an exception escaped: ${String(message)}`);
}

const session = target({
  name: 'native: session answers every line once, in the protocol',
  async: true,
  arbitrary: fc.record({
    lines: fc.array(fc.oneof(requestLine, fc.constantFrom('', '   ', 'x'.repeat(300))), { minLength: 1, maxLength: 6 }),
    crlf: fc.boolean(),
    cuts,
  }),
  check: async ({ lines, crlf, cuts: points }) => {
    const maxLineBytes = 256;
    const stream = new MemoryStream();
    nativeProtocol({ maxLineBytes }).serve(stream, contextFor(new InstantBridgeApi()));
    const wire = Buffer.from(lines.map((l) => l.replace(/[\r\n]/g, ' ') + (crlf ? '\r\n' : '\n')).join(''), 'utf8');
    const expected = framerModel(wire, maxLineBytes).filter((e) => 'tooLong' in e || e.line.trim() !== '').length;
    for (const piece of segments(wire, points)) stream.feed(piece);
    const answers = (): Array<Record<string, unknown>> =>
      stream
        .text()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (let i = 0; i < 50 && answers().filter((m) => m.type !== 'progress').length < expected; i++) await settle(1);
    const all = answers();
    const finals = all.filter((m) => m.type !== 'progress');
    assert.equal(finals.length, expected, `one answer per line: ${JSON.stringify(all).slice(0, 400)}`);
    for (const m of finals) {
      if (m.type !== 'error') continue;
      checkSessionCode(m.code, m.message);
      assert.equal(typeof m.message, 'string');
    }
    assert.equal(stream.destroyed, false, 'a bad line never costs the connection');
    assert.equal(stream.ended, false);
  },
});

export const nativeTargets: FuzzTarget[] = [framer, parser, session];
