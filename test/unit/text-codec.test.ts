import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../src/domain/errors';
import type { PaymentResult } from '../../src/domain/payment';
import {
  cancelLine,
  errorLine,
  formatAmount,
  parseAmount,
  parseLine,
  pendingLine,
  progressLine,
  resultLine,
} from '../../src/register/text/codec';
import { TextLineFramer } from '../../src/register/text/framer';
import { parseTextOptions } from '../../src/register/text/options';
import type { PaymentView } from '../../src/bridge/api';
import { registerTexts } from '../../src/register/texts';

const defaults = parseTextOptions({});
const en = registerTexts(undefined);
const EUR = (minor: number) => ({ minor, currency: 'EUR' });

describe('text protocol: parsing request lines', () => {
  it('SALE, REFUND, STATUS, CANCEL in the default layout', () => {
    expect(parseLine('SALE;INV-1;12.34;EUR', defaults)).toEqual({
      request: { op: 'sale', ref: 'INV-1', amount: EUR(1234) },
    });
    expect(parseLine('refund;R-9;0.50;EUR', defaults)).toEqual({
      request: { op: 'refund', ref: 'R-9', amount: EUR(50) },
    });
    expect(parseLine('STATUS;INV-1', defaults)).toEqual({ request: { op: 'status', ref: 'INV-1' } });
    expect(parseLine('CANCEL;INV-1', defaults)).toEqual({ request: { op: 'cancel', ref: 'INV-1' } });
  });

  it('the default currency when the line has none; spaces around fields and a trailing separator are fine', () => {
    expect(parseLine('SALE;A;7', defaults)).toEqual({ request: { op: 'sale', ref: 'A', amount: EUR(700) } });
    expect(parseLine(' SALE ; A ; 7.5 ; ;', defaults)).toEqual({ request: { op: 'sale', ref: 'A', amount: EUR(750) } });
    expect(parseLine('SALE;A;7;bgn', defaults)).toEqual({
      request: { op: 'sale', ref: 'A', amount: { minor: 700, currency: 'BGN' } },
    });
    expect(parseLine('SALE;A;500;JPY', defaults)).toEqual({
      request: { op: 'sale', ref: 'A', amount: { minor: 500, currency: 'JPY' } },
    });
  });

  it.each([
    ['', 'unknown_op', ''],
    ['PAY;A;1.00', 'unknown_op', 'A'],
    ['SALE', 'invalid_ref', ''],
    ['SALE;A', 'invalid_amount', 'A'],
    ['SALE;A;12,34', 'invalid_amount', 'A'],
    ['SALE;A;-5', 'invalid_amount', 'A'],
    ['SALE;A;1e3', 'invalid_amount', 'A'],
    ['SALE;A;12.345', 'invalid_amount', 'A'],
    ['SALE;A;10000000000', 'invalid_amount', 'A'],
    ['SALE;A;1.00;EURO', 'unknown_currency', 'A'],
    ['SALE;A;1.00;XYZ', 'unknown_currency', 'A'],
    ['SALE;A;1.00;EUR;extra', 'bad_request', 'A'],
    ['STATUS;A;1.00', 'bad_request', 'A'],
    ['STATUS', 'invalid_ref', ''],
  ])('%j → ERR %s', (line, code, ref) => {
    const r = parseLine(line, defaults);
    expect(r).toMatchObject({ ref });
    expect('error' in r && r.error.code).toBe(code);
  });

  it('a configured layout: "|" separator, decimal comma with thousands ".", other field order and words', () => {
    const o = parseTextOptions({
      separator: '|',
      decimal: ',',
      thousands: '.',
      fields: ['ref', 'command', 'currency', 'amount'],
      commands: { sale: 'VERKAUF' },
    });
    expect(parseLine('B7|VERKAUF|EUR|1.234,56', o)).toEqual({
      request: { op: 'sale', ref: 'B7', amount: EUR(123456) },
    });
    expect(parseLine('B7|verkauf||12,3', o)).toEqual({ request: { op: 'sale', ref: 'B7', amount: EUR(1230) } });
    expect(parseLine('B7|STATUS', o)).toEqual({ request: { op: 'status', ref: 'B7' } });
    expect(parseLine('B7|VERKAUF|EUR|12.34', o)).toMatchObject({ error: { code: 'invalid_amount' } });
    expect(parseLine('B7|VERKAUF|EUR|1.23,45', o)).toMatchObject({ error: { code: 'invalid_amount' } });
    expect(parseLine('B7|SALE|EUR|1,00', o)).toMatchObject({ error: { code: 'unknown_op' } });
  });

  it('a separator of several characters: a ref holding one of its characters is refused, so answers stay unambiguous', () => {
    const o = parseTextOptions({ separator: '::', fields: ['command', 'amount', 'currency', 'ref'] });
    expect(parseLine('SALE::12.34::EUR::A1', o)).toEqual({ request: { op: 'sale', ref: 'A1', amount: EUR(1234) } });
    expect(parseLine('SALE::12.34::EUR::A1:', o)).toMatchObject({
      error: { code: 'invalid_ref', message: expect.stringContaining('":"') },
    });
    expect(parseLine('STATUS:::A1', parseTextOptions({ separator: '::' }))).toMatchObject({
      error: { code: 'invalid_ref' },
    });
  });

  it('amounts in minor units', () => {
    const o = parseTextOptions({ amountFormat: 'minor' });
    expect(parseLine('SALE;A;1234', o)).toEqual({ request: { op: 'sale', ref: 'A', amount: EUR(1234) } });
    expect(parseLine('SALE;A;12.34', o)).toMatchObject({ error: { code: 'invalid_amount' } });
  });

  it('decimal text converts exactly (no float rounding), both ways', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999_999 }), fc.constantFrom<'.' | ','>('.', ','), (minor, decimal) => {
        const o = { amountFormat: 'decimal' as const, decimal, thousands: '' as const };
        const text = formatAmount(EUR(minor), o);
        expect(parseAmount(text, 'EUR', o)).toEqual(EUR(minor));
      }),
      { numRuns: 500 },
    );
    expect(parseAmount('0.29', 'EUR', defaults)).toEqual(EUR(29));
    expect(parseAmount('1.15', 'EUR', defaults)).toEqual(EUR(115));
  });

  it('never throws, whatever the line', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.array(fc.constantFrom('SALE', 'REFUND', 'STATUS', 'CANCEL', ';', '.', ',', '1', 'EUR', ' '), {
          maxLength: 12,
        }),
        (junk, parts) => {
          for (const line of [junk, parts.join(''), parts.join(';')]) {
            const r = parseLine(line, defaults);
            if ('error' in r) expect(r.error).toBeInstanceOf(BridgeError);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('text protocol: answer lines', () => {
  const result = (over: Partial<PaymentResult>): PaymentResult => ({
    ref: 'INV-1',
    kind: 'sale',
    outcome: 'approved',
    amount: EUR(1234),
    terminal: 'lane1',
    message: 'Approved',
    ...over,
  });

  it('results in the default format', () => {
    expect(resultLine(defaults, result({ authCode: '123456' }), en)).toBe('OK;INV-1;APPROVED;123456\r\n');
    expect(
      resultLine(defaults, result({ outcome: 'declined', hostCode: '51', message: 'Insufficient funds' }), en),
    ).toBe('OK;INV-1;DECLINED;51\r\n');
    expect(resultLine(defaults, result({ outcome: 'cancelled' }), en)).toBe('OK;INV-1;CANCELLED;\r\n');
    expect(resultLine(defaults, result({ outcome: 'failed', terminalStatus: '15' }), en)).toBe(
      'OK;INV-1;FAILED;15\r\n',
    );
    expect(resultLine(defaults, result({ outcome: 'in_doubt' }), en)).toBe('OK;INV-1;IN_DOUBT;\r\n');
  });

  it('errors, progress, pending status and cancel answers', () => {
    expect(errorLine(defaults, 'A', new BridgeError('invalid_amount', 'amount "x;y" is wrong\r\nreally'), en)).toBe(
      'ERR;A;invalid_amount;The amount is not valid\r\n',
    );
    expect(
      errorLine(defaults, 'A', new BridgeError('line_too_long', 'long', { bytes: 2000 }), registerTexts('de-DE')),
    ).toBe('ERR;A;line_too_long;Die Zeile ist zu lang (2000 Byte)\r\n');
    expect(progressLine(defaults, 'A', 'present_card')).toBe('PROGRESS;A;PRESENT_CARD\r\n');
    expect(pendingLine(defaults, { ref: 'A', stage: 'pin_entry' } as PaymentView)).toBe('OK;A;PENDING;PIN_ENTRY\r\n');
    expect(cancelLine(defaults, 'A', { tookEffect: true, pending: false, message: '' })).toBe('OK;A;CANCEL;DONE\r\n');
    expect(cancelLine(defaults, 'A', { tookEffect: false, pending: true, message: '' })).toBe(
      'OK;A;CANCEL;PENDING\r\n',
    );
    expect(cancelLine(defaults, 'A', { tookEffect: false, pending: false, message: '', outcome: 'approved' })).toBe(
      'OK;A;CANCEL;TOO_LATE\r\n',
    );
  });

  it('a configured answer format: field order, words, separator, line end, message field', () => {
    const o = parseTextOptions({
      separator: '|',
      lineEnding: 'LF',
      answerFields: ['ref', 'status', 'detail', 'result'],
      words: { ok: 'ACK', approved: 'GENEHMIGT' },
      message: true,
    });
    expect(resultLine(o, result({ authCode: 'X1', message: 'Approved | thanks' }), en)).toBe(
      'INV-1|ACK|X1|GENEHMIGT|Approved\n',
    );
    // The message field in the listener's language; a separator inside it becomes a space.
    const colon = parseTextOptions({ separator: ':', message: true });
    expect(resultLine(colon, result({ outcome: 'declined', hostCode: '51' }), registerTexts('de-DE'))).toBe(
      'OK:INV-1:DECLINED:51:Abgelehnt Deckung nicht ausreichend\r\n',
    );
    expect(progressLine(o, 'A', 'sent')).toBe('A|PROGRESS|SENT\n');
  });

  it('only printable ASCII leaves the bridge', () => {
    expect(resultLine(defaults, result({ authCode: 'Ä1\u0007' }), en)).toBe('OK;INV-1;APPROVED;?1?\r\n');
    // Words in other scripts are transliterated, never "?": German umlauts, Bulgarian Cyrillic, Greek.
    const withMessage = parseTextOptions({ message: true });
    const declined = result({ outcome: 'declined', hostCode: '51' });
    expect(resultLine(withMessage, result({ kind: 'refund' }), registerTexts('de-DE'))).toBe(
      'OK;INV-1;APPROVED;;Gutschrift erfolgt\r\n',
    );
    expect(resultLine(withMessage, declined, registerTexts('bg-BG'))).toBe(
      'OK;INV-1;DECLINED;51;Othvarlena: Nedostatachna nalichnost\r\n',
    );
    expect(resultLine(withMessage, declined, registerTexts('el-GR'))).not.toContain('?');
    expect(resultLine(withMessage, result({ outcome: 'failed' }), registerTexts('fr-FR'))).toBe(
      "OK;INV-1;FAILED;;Operation non aboutie rien n'a ete debite\r\n",
    );
  });
});

describe('text protocol: options and lines', () => {
  it('refuses contradictory or unknown options, naming them', () => {
    expect(() => parseTextOptions({ decimal: ',', thousands: ',' })).toThrow(/thousands/);
    expect(() => parseTextOptions({ separator: ',', decimal: ',' })).toThrow(/separator/);
    expect(() => parseTextOptions({ separator: '1' })).toThrow(/separator/);
    expect(() => parseTextOptions({ fields: ['command', 'ref', 'amount'] })).toThrow(/fields/);
    expect(() => parseTextOptions({ fields: ['command', 'ref', 'ref', 'amount'] })).toThrow(/fields/);
    expect(() => parseTextOptions({ currency: 'EURO' })).toThrow(/currency/);
    expect(() => parseTextOptions({ seperator: ';' })).toThrow(/seperator|Unrecognized/i);
  });

  it('lines end at CR, LF or CR LF; empty lines are skipped; an over-long line is reported once', () => {
    const f = new TextLineFramer(10);
    expect(f.push(Buffer.from('A\rB\nC\r\n\r\nD'))).toEqual([{ line: 'A' }, { line: 'B' }, { line: 'C' }]);
    expect(f.push(Buffer.from('E\n'))).toEqual([{ line: 'DE' }]);
    expect(f.push(Buffer.from('0123456789012'))).toEqual([]);
    expect(f.push(Buffer.from('345\nOK\n'))).toEqual([{ tooLong: 16 }, { line: 'OK' }]);
  });
});
