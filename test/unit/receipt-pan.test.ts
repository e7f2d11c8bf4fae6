import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  containsCardNumber,
  maskCardNumbers,
  printedPan,
  receiptFromRecord,
  RECEIPT_WIDTHS,
  safeText,
} from '../../src/receipts/index';
import { luhnValid } from '../../src/log/redact';
import type { PaymentResult } from '../../src/domain/payment';
import { record } from './receipt-fixtures';

/** A Luhn-valid card number of 13–19 digits whose first digit is not 0 (ISO/IEC 7812 issuer numbers). */
const pan = fc
  .tuple(fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 11, maxLength: 17 }))
  .map(([first, rest]) => {
    const body = [first, ...rest].join('');
    for (let check = 0; check <= 9; check++) if (luhnValid(body + check)) return body + check;
    throw new Error('unreachable');
  });

/** The number as it might be written: plain, in groups of four with spaces or dashes, or glued to letters. */
const written = fc
  .tuple(pan, fc.constantFrom('', ' ', '-', '.'), fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }))
  .map(([p, sep, before, after]) => ({
    pan: p,
    text: before + (sep ? p.match(/.{1,4}/g)!.join(sep) : p) + after,
  }));

const STRING_FIELDS = [
  'authCode',
  'rrn',
  'stan',
  'cardScheme',
  'panMasked',
  'terminalId',
  'merchantId',
  'merchantName',
  'aid',
  'applicationLabel',
  'entryMode',
  'hostCode',
  'preauthCode',
  'txDate',
  'txTime',
  'declineReason',
  'message',
] as const;
const RAW_FIELDS = ['MERCHANT_NAME', 'MERCHANT_AL1', 'MERCHANT_AL2', 'CVM'] as const;

/** Every digit run of the output with separators removed: a card number must not be found in any. */
function digitRuns(text: string): string[] {
  return (text.match(/[0-9](?:[\s\-._/]{0,2}[0-9])*/g) ?? []).map((r) => r.replace(/[^0-9]/g, ''));
}

describe('no receipt ever holds an unmasked PAN', () => {
  it('whatever the ResultFields and raw terminal properties hold (text and ESC/POS, every width, both copies)', () => {
    const anyValue = fc.oneof(
      fc.string({ maxLength: 40 }),
      written.map((w) => w.text),
      fc.integer(),
      fc.constant(undefined),
      fc.constant(null),
    );
    fc.assert(
      fc.property(
        fc.array(written, { minLength: 1, maxLength: 4 }),
        fc.dictionary(fc.constantFrom(...STRING_FIELDS), anyValue),
        fc.dictionary(
          fc.constantFrom(...RAW_FIELDS),
          fc.oneof(
            fc.string({ maxLength: 30 }),
            written.map((w) => w.text),
          ),
        ),
        fc.constantFrom(...RECEIPT_WIDTHS),
        fc.constantFrom('approved', 'declined', 'cancelled', 'failed'),
        fc.boolean(),
        (pans, fields, raw, width, outcome, signature) => {
          // Each PAN lands in some field, on top of whatever else the generator put there.
          const result: Record<string, unknown> = { ...fields, signatureRequired: signature };
          const rawProps: Record<string, string> = { ...raw } as Record<string, string>;
          pans.forEach((p, i) => {
            if (i % 2 === 0) result[STRING_FIELDS[(i * 7 + p.pan.length) % STRING_FIELDS.length]!] = p.text;
            else rawProps[RAW_FIELDS[(i + p.pan.length) % RAW_FIELDS.length]!] = p.text;
          });
          const r = record({
            outcome: outcome as 'approved',
            message: String(result.message ?? 'x'),
            raw: rawProps,
            result: result as Partial<PaymentResult>,
          });
          const rendering = receiptFromRecord(
            r,
            undefined,
            { timeZone: 'UTC', merchant: { name: pans[0]!.text } },
            { width, escpos: { codePage: 'cp1252' } },
          );
          const outputs = [
            rendering.merchant.join('\n'),
            rendering.customer.join('\n'),
            Buffer.from(rendering.escpos!.merchant).toString('latin1'),
            Buffer.from(rendering.escpos!.customer).toString('latin1'),
          ];
          for (const out of outputs) {
            const runs = digitRuns(out);
            for (const p of pans) expect(runs.some((run) => run.includes(p.pan))).toBe(false);
            for (const run of runs) expect(containsCardNumber(run)).toBe(false);
          }
          for (const line of [...rendering.merchant, ...rendering.customer])
            expect(Array.from(line).length).toBeLessThanOrEqual(width);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('masking keeps the last four digits and leaves AIDs, RRNs and merchant ids readable', () => {
    expect(maskCardNumbers('card 4111 1111 1111 1111 ok')).toBe('card ****1111 ok');
    expect(maskCardNumbers('X4111111111111111Y')).toBe('X****1111Y');
    expect(maskCardNumbers('A0000000041010')).toBe('A0000000041010');
    expect(maskCardNumbers('RRN 250115000123 MID 6000000001')).toBe('RRN 250115000123 MID 6000000001');
    expect(printedPan('541333******1234')).toBe('************1234');
    expect(printedPan('4111111111111111')).toBe('************1111');
    expect(printedPan('****6693')).toBe('****6693');
    expect(printedPan('card 4111-1111-1111-1111 x')).toBe('****1111');
    expect(printedPan('12')).toBeUndefined();
    expect(safeText('a\u0000b\r\nc\u001b[2J')).toBe('a b c [2J');
    expect(safeText(42)).toBeUndefined();
  });
});
