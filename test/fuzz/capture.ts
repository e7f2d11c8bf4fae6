/**
 * Capture of legacy output (docs/legacy-registers.md): the ESC/POS printer stream, the customer pole display, and the
 * total found in what they show. Any byte stream must parse without throwing and the same whatever the chunking;
 * a "total" that is no exact amount must end as BridgeError invalid_amount / unknown_currency (nothing is charged).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BridgeError } from '../../src/domain/errors';
import { CustomerDisplay } from '../../src/register/capture/display';
import { EscPosParser, statusReply, type EscPosEvent } from '../../src/register/capture/escpos';
import { compileTotalPattern, findTotal, normalizeAmount, type TotalRule } from '../../src/register/capture/total';
import { cuts, edits, mutate, segments, target, type FuzzTarget } from './target';

const ESC = 0x1b;
const GS = 0x1d;
const DLE = 0x10;
const FS = 0x1c;

/** Receipts as registers print them: text, line feeds, styles, code tables, images, bar codes, cuts, status queries. */
const RECEIPT = Buffer.concat([
  Buffer.from([ESC, 0x40, ESC, 0x74, 0x10, ESC, 0x61, 0x01]),
  Buffer.from('CORNER SHOP\nMain St 1\n', 'latin1'),
  Buffer.from([ESC, 0x45, 0x01]),
  Buffer.from('TOTAL EUR 12,34\n', 'latin1'),
  Buffer.from([ESC, 0x45, 0x00, GS, 0x76, 0x30, 0x00, 0x01, 0x00, 0x02, 0x00, 0x0a, 0x1b, 0x1d, 0x0a]),
  Buffer.from([GS, 0x6b, 0x04]),
  Buffer.from('12345\0', 'latin1'),
  Buffer.from([
    GS,
    0x28,
    0x6b,
    0x03,
    0x00,
    0x31,
    0x43,
    0x03,
    DLE,
    0x04,
    0x01,
    GS,
    0x72,
    0x01,
    GS,
    0x56,
    0x42,
    0x00,
    FS,
    0x70,
    0x01,
    0x00,
  ]),
]);

const printerBytes = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.tuple(fc.constant(RECEIPT), edits).map(([r, e]) => mutate(r, e)),
  fc
    .array(
      fc.oneof(fc.constantFrom(ESC, GS, FS, DLE, 0x0a, 0x00, 0x28, 0x76, 0x6b), fc.integer({ min: 0, max: 255 })),
      { maxLength: 200 },
    )
    .map((a) => Uint8Array.from(a)),
);

/** Adjacent text events joined: how text is split into events depends on the chunking, nothing else may. */
function coalesce(events: EscPosEvent[]): unknown[] {
  const out: unknown[] = [];
  for (const e of events) {
    const last = out[out.length - 1] as EscPosEvent | undefined;
    if (e.type === 'text' && last && last.type === 'text')
      out[out.length - 1] = { type: 'text', text: last.text + e.text };
    else out.push(e);
  }
  return out;
}

const printer = target({
  name: 'capture: ESC/POS printer stream (any bytes, any segmentation)',
  arbitrary: fc.record({ bytes: printerBytes, cuts }),
  check: ({ bytes, cuts: points }) => {
    const whole = new EscPosParser().push(bytes);
    const p = new EscPosParser();
    const pieces: EscPosEvent[] = [];
    for (const s of segments(bytes, points)) pieces.push(...p.push(s));
    assert.deepEqual(coalesce(pieces), coalesce(whole));
    for (const e of whole) {
      if (e.type === 'text') assert.ok(!e.text.includes('\n'), 'line ends are events, not text');
      if (e.type === 'query') {
        const reply = statusReply(e.command, e.n);
        assert.ok(reply === undefined || reply instanceof Uint8Array);
      }
    }
  },
});

const display = target({
  name: 'capture: customer pole display (any bytes, any segmentation)',
  arbitrary: fc.record({
    bytes: fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc
        .array(
          fc.oneof(
            fc.constantFrom(0x0c, 0x0b, 0x0d, 0x0a, 0x08, 0x09, 0x18, 0x1b, 0x1f, 0x40, 0x51, 0x41, 0x44, 0x3d, 0x26),
            fc.integer({ min: 0x20, max: 0x7e }),
          ),
          { maxLength: 200 },
        )
        .map((a) => Uint8Array.from(a)),
    ),
    cuts,
    columns: fc.constantFrom(20, 16, 40),
    rows: fc.constantFrom(2, 1, 4),
  }),
  check: ({ bytes, cuts: points, columns, rows }) => {
    const whole = new CustomerDisplay({ columns, rows });
    whole.push(bytes);
    const pieces = new CustomerDisplay({ columns, rows });
    for (const s of segments(bytes, points)) pieces.push(s);
    assert.equal(pieces.text(), whole.text(), 'what the display shows does not depend on the chunking');
    const shown = whole.text().split('\n');
    assert.ok(shown.length <= rows, `at most ${rows} rows`);
  },
});

const RULE: TotalRule = {
  pattern: compileTotalPattern(),
  decimal: 'auto',
  currency: 'EUR',
  pick: 'last',
  acrossLines: false,
};

const totals = target({
  name: 'capture: total extraction and amount normalisation',
  arbitrary: fc.record({
    text: fc.oneof(
      fc
        .tuple(
          fc.constantFrom(
            'TOTAL',
            'Total',
            'SUMME',
            'Summe',
            'ZU ZAHLEN',
            'GESAMT',
            'ОБЩО',
            'SUBTOTAL',
            'TOTALE',
            'Betrag',
          ),
          fc.constantFrom('', ' ', ':', ' EUR ', ' € ', ' USD ', ' JPY ', ' XXX ', '='),
          fc.oneof(
            fc.stringMatching(/^[0-9]{1,7}([.,'][0-9]{1,4}){0,3}$/),
            fc.constantFrom('12,34', '1.234,56', '1,234.56', "1'234.50", '0,00', '12.345', '9999999999,99'),
          ),
          fc.constantFrom('', ' EUR', ' €', ' BHD', '\n'),
        )
        .map((p) => p.join('')),
      fc.string({ maxLength: 60 }),
    ),
    raw: fc.oneof(fc.stringMatching(/^[0-9.,' ]{0,14}$/), fc.string({ maxLength: 10 })),
    exponent: fc.constantFrom(0, 2, 3),
  }),
  check: ({ text, raw, exponent }) => {
    try {
      const found = findTotal(text, RULE);
      if (found) {
        assert.ok(
          Number.isSafeInteger(found.amount.minor) && found.amount.minor >= 0 && found.amount.minor <= 999_999_999,
        );
        assert.match(found.amount.currency, /^[A-Z]{3}$/);
      }
    } catch (e) {
      assert.ok(
        e instanceof BridgeError && (e.code === 'invalid_amount' || e.code === 'unknown_currency'),
        `findTotal threw ${String(e)}`,
      );
    }
    for (const decimal of ['auto', ',', '.'] as const) {
      try {
        assert.match(normalizeAmount(raw, decimal, exponent), /^[0-9]+(\.[0-9]*)?$/);
      } catch (e) {
        assert.ok(e instanceof BridgeError && e.code === 'invalid_amount', `normalizeAmount threw ${String(e)}`);
      }
    }
  },
});

export const captureTargets: FuzzTarget[] = [printer, display, totals];
