/**
 * The simple text protocol (docs/legacy-registers.md): the line framer (CR, LF or CR LF), request lines in every
 * configurable layout and amount format, and a whole session. Every bad line must be answered with an ERR line
 * carrying a stable code; amounts convert exactly both ways.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BridgeError } from '../../src/domain/errors';
import { formatAmount, parseLine } from '../../src/register/text/codec';
import { TextLineFramer, type TextLineEvent } from '../../src/register/text/framer';
import { parseTextOptions, type TextOptions } from '../../src/register/text/options';
import { textProtocol } from '../../src/register/text/session';
import { currencyCodes } from './currencies';
import { contextFor, InstantBridgeApi, MemoryStream, settle } from './doubles';
import { cuts, edits, lineBytes, mutate, segments, target, type FuzzTarget } from './target';

function framerModel(bytes: Uint8Array, max: number): TextLineEvent[] {
  const out: TextLineEvent[] = [];
  const text = Buffer.from(bytes).toString('latin1');
  const pieces = text.split(/[\r\n]/);
  pieces.pop(); // the unfinished tail stays in the framer
  for (const p of pieces) {
    if (p.length > max) out.push({ tooLong: p.length });
    else if (p !== '') out.push({ line: p });
  }
  return out;
}

const framer = target({
  name: 'text: line framer (CR, LF, CR LF; any segmentation)',
  arbitrary: fc.record({
    bytes: fc.oneof(lineBytes, fc.uint8Array({ maxLength: 300 })),
    cuts,
    max: fc.integer({ min: 1, max: 100 }),
  }),
  check: ({ bytes, cuts: points, max }) => {
    const f = new TextLineFramer(max);
    const got: TextLineEvent[] = [];
    for (const p of segments(bytes, points)) got.push(...f.push(p));
    assert.deepEqual(got, framerModel(bytes, max));
  },
});

/** Listener option sets a site might configure (validated by the product's own schema). */
const OPTION_INPUTS: unknown[] = [
  {},
  { separator: ',', decimal: '.', currency: 'USD' },
  { separator: ';', decimal: ',', thousands: '.', currency: 'EUR' },
  { separator: '|', amountFormat: 'minor', currency: 'JPY' },
  { separator: '\t', decimal: '.', thousands: "'", currency: 'BHD', fields: ['ref', 'command', 'currency', 'amount'] },
  {
    separator: '::',
    commands: { sale: 'PAY', refund: 'RET', status: 'ASK', cancel: 'STOP' },
    progress: true,
    message: true,
  },
];
const OPTIONS: TextOptions[] = OPTION_INPUTS.map((o) => parseTextOptions(o));

const line = (o: TextOptions): fc.Arbitrary<string> =>
  fc
    .oneof(
      fc
        .record({
          command: fc.oneof(
            fc.constantFrom(...Object.values(o.commands)),
            fc.constantFrom('sale', 'SALE', 'Refund', 'X', ''),
            fc.string({ maxLength: 6 }),
          ),
          ref: fc.oneof(
            fc.constantFrom('INV-1', 'R 2', '', ' ', 'a'.repeat(70), '\u00e9t\u00e9'),
            fc.string({ maxLength: 12 }),
          ),
          amount: fc.oneof(
            fc.constantFrom(
              '12.34',
              '12,34',
              '1.234,56',
              "1'234.50",
              '1234',
              '0',
              '-1',
              '1e3',
              '12.345',
              '999999999',
              '10000000000',
              '',
            ),
            fc.stringMatching(/^[0-9.,' ]{0,12}$/),
          ),
          currency: fc.oneof(fc.constantFrom('', ...currencyCodes, 'eur', 'XXX'), fc.string({ maxLength: 4 })),
          extra: fc.option(fc.string({ maxLength: 6 }), { nil: undefined }),
        })
        .map((r) => {
          const byField: Record<string, string> = {
            command: r.command,
            ref: r.ref,
            amount: r.amount,
            currency: r.currency,
          };
          const parts = o.fields.map((f) => byField[f]!);
          if (r.extra !== undefined) parts.push(r.extra);
          return parts.join(o.separator);
        }),
      fc
        .tuple(
          fc.constantFrom(`SALE${o.separator}INV-9${o.separator}12.34${o.separator}EUR`, `STATUS${o.separator}INV-9`),
          edits,
        )
        .map(([l, e]) => mutate(Buffer.from(l, 'latin1'), e).toString('latin1')),
      fc.string({ unit: 'binary-ascii', maxLength: 40 }),
    )
    .map((l) => l.replace(/[\r\n]/g, ' '));

/** One line arbitrary per option set, built once (building one per case costs more than running the case). */
const LINES = OPTIONS.map((o) => line(o));

const requests = target({
  name: 'text: request lines (every layout and amount format) and exact amounts',
  arbitrary: fc.oneof(
    ...LINES.map((text, i) =>
      fc.record({
        i: fc.constant(i),
        text,
        minor: fc.integer({ min: 0, max: 999_999_999 }),
        currency: fc.constantFrom(...currencyCodes),
      }),
    ),
  ),
  check: ({ i, text, minor, currency }) => {
    const o = OPTIONS[i]!;
    const r = parseLine(text, o);
    if ('error' in r) {
      assert.ok(r.error instanceof BridgeError);
      assert.notEqual(r.error.code, 'internal');
      assert.match(r.ref, /^[\x20-\x7e]*$/, 'the echoed ref is printable');
    } else if ('amount' in r.request) {
      assert.ok(
        Number.isSafeInteger(r.request.amount.minor) &&
          r.request.amount.minor >= 0 &&
          r.request.amount.minor <= 999_999_999,
      );
    }
    // Round trip: what the bridge writes for an amount reads back as the same amount.
    let text2: string | undefined;
    try {
      text2 = formatAmount({ minor, currency }, o);
    } catch (e) {
      assert.ok(e instanceof BridgeError && e.code === 'invalid_amount');
    }
    if (text2 !== undefined) {
      const back = parseLine(layoutLine(o, text2, currency), o);
      assert.ok(
        'request' in back && 'amount' in back.request,
        `"${text2}" reads back: ${'error' in back ? back.error.message : ''}`,
      );
      assert.deepEqual(back.request.amount, { minor, currency });
    }
  },
});

function layoutLine(o: TextOptions, amount: string, currency: string): string {
  const byField: Record<string, string> = { command: o.commands.sale, ref: 'R1', amount, currency };
  return o.fields.map((f) => byField[f]!).join(o.separator);
}

/**
 * An answer split into its fields. The echoed ref is whatever the register sent between two separators, so with a
 * separator of several characters it can begin or end with part of one ("INV-9:" with "::" gives "ERR::INV-9:::…"):
 * the fixed fields are read from the ends of the line, and the ref is what lies between them.
 */
function answerFields(answer: string, o: TextOptions): string[] {
  const parts = answer.split(o.separator);
  const refAt = o.answerFields.indexOf('ref');
  if (o.separator.length === 1 || refAt === -1) return parts;
  const head = parts.slice(0, refAt);
  const tailCount = o.answerFields.length - refAt - 1;
  // The ref ends at the first separator followed by a word (the result: an outcome word or an error code).
  const rest = answer.slice(head.join(o.separator).length + o.separator.length);
  for (let i = 0; i <= rest.length; i++) {
    if (!rest.startsWith(o.separator, i)) continue;
    const after = rest.slice(i + o.separator.length).split(o.separator);
    const next = after[0] ?? '';
    if (/^[A-Za-z_]+$/.test(next))
      return [
        ...head,
        rest.slice(0, i),
        ...after.slice(0, tailCount - 1),
        after.slice(tailCount - 1).join(o.separator),
      ];
  }
  return parts;
}

const session = target({
  name: 'text: session answers every line once (OK or ERR with a code)',
  async: true,
  arbitrary: fc.oneof(
    ...LINES.map((l, i) =>
      fc.record({
        i: fc.constant(i),
        lines: fc.array(fc.oneof(l, fc.constant('')), { minLength: 1, maxLength: 5 }),
        eol: fc.constantFrom('\r\n', '\n', '\r'),
        cuts,
      }),
    ),
  ),
  check: async ({ i, lines, eol, cuts: points }) => {
    const o = OPTIONS[i]!;
    const stream = new MemoryStream();
    textProtocol(OPTION_INPUTS[i]).serve(stream, contextFor(new InstantBridgeApi()));
    const wire = Buffer.from(lines.map((l) => l + eol).join(''), 'latin1');
    const expected = framerModel(wire, o.maxLineBytes).filter((e) => 'tooLong' in e || e.line.trim() !== '').length;
    for (const p of segments(wire, points)) stream.feed(p);
    const answers = (): string[] =>
      stream
        .text()
        .split(o.eol)
        .filter((l) => l !== '' && !l.startsWith(`${o.words.progress}${o.separator}`));
    for (let k = 0; k < 50 && answers().length < expected; k++) await settle(1);
    const got = answers();
    assert.equal(got.length, expected, `one answer per line: ${JSON.stringify(got)}`);
    for (const a of got) {
      assert.match(a, /^[\x20-\x7e\t]*$/, 'answers are printable ASCII');
      const fields = answerFields(a, o);
      const status = fields[o.answerFields.indexOf('status')];
      assert.ok(status === o.words.ok || status === o.words.error, `status word: ${a}`);
      if (status === o.words.error) {
        const code = fields[o.answerFields.indexOf('result')];
        assert.match(code ?? '', /^[a-z][a-z_]*$/, a);
        assert.notEqual(code, 'internal', a);
      }
    }
    assert.equal(stream.destroyed, false);
  },
});

export const textTargets: FuzzTarget[] = [framer, requests, session];
