import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hexDump, receiptFromRecord, RECEIPT_WIDTHS, type ReceiptSettings } from '../../src/receipts/index';
import { record } from './receipt-fixtures';

/**
 * Golden files: the exact receipts at 32, 40 and 48 columns and the exact ESC/POS bytes. A change of layout shows up
 * as a diff of these files; regenerate them with UPDATE_GOLDEN=1 only after reading that diff.
 */
const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'receipts');

function golden(name: string, actual: string): void {
  const file = join(DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  expect(existsSync(file), `golden file ${name} is missing (UPDATE_GOLDEN=1 writes it)`).toBe(true);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

const settings: ReceiptSettings = { timeZone: 'UTC', footer: ['Thank you for your visit'] };

const saleWithTip = record({ tip: 150, result: { signatureRequired: true } });
const declinedRefund = record({
  id: 'p-2',
  ref: 'RF-77',
  bridgeRef: 'RF-77',
  kind: 'refund',
  outcome: 'declined',
  settlement: null,
  receiptNo: 18,
  amount: { minor: 500, currency: 'EUR' },
  message: 'Declined — insufficient funds (host code 51)',
  result: { authCode: undefined, hostCode: '51', declineReason: 'INSUFFICIENT FUNDS' },
});
const original = record({
  id: 'p-3',
  ref: 'INV-1002',
  bridgeRef: 'INV-1002',
  amount: { minor: 1998, currency: 'EUR' },
  tip: 200,
  receiptNo: 19,
  reversedBy: 'p-4',
});
const reversal = record({
  id: 'p-4',
  ref: 'INV-1002',
  bridgeRef: 'INV-1002~1a2b3c4d',
  opClass: 'reversal',
  kind: 'reversal',
  originalId: 'p-3',
  settlement: null,
  amount: { minor: 1998, currency: 'EUR' },
  receiptNo: 20,
  raw: {},
  result: {
    panMasked: undefined,
    aid: undefined,
    applicationLabel: undefined,
    cardScheme: undefined,
    merchantName: undefined,
    entryMode: undefined,
    authCode: 'R00001',
    stan: '000125',
    rrn: '250115000125',
  },
});

describe('receipt golden files', () => {
  for (const width of RECEIPT_WIDTHS) {
    it(`approved sale with tip and signature, ${width} columns, both copies`, () => {
      const r = receiptFromRecord(saleWithTip, undefined, settings, { width });
      for (const line of [...r.merchant, ...r.customer]) expect(Array.from(line).length).toBeLessThanOrEqual(width);
      golden(`sale-approved-${width}.merchant.txt`, r.merchant.join('\n') + '\n');
      golden(`sale-approved-${width}.customer.txt`, r.customer.join('\n') + '\n');
    });
  }

  it('declined refund at 32 columns: no signature line, "No amount was charged"', () => {
    const r = receiptFromRecord(declinedRefund, undefined, settings, { width: 32 });
    expect(r.merchant.join('\n')).not.toContain('signature');
    golden('refund-declined-32.customer.txt', r.customer.join('\n') + '\n');
  });

  it('reversal at 40 columns takes card and merchant data from the payment it voids; a reprint is marked', () => {
    const r = receiptFromRecord(reversal, original, settings, { width: 40, duplicate: true });
    expect(r.customer.join('\n')).toContain('************1234');
    expect(r.customer.join('\n')).toMatch(/TOTAL +EUR 21\.98/);
    expect(r.customer.join('\n')).not.toContain('Entry mode');
    golden('reversal-40.duplicate.customer.txt', r.customer.join('\n') + '\n');
  });

  it('ESC/POS bytes at 40 columns (ASCII) and at 48 columns with code page 1252', () => {
    const ascii = receiptFromRecord(saleWithTip, undefined, settings, { width: 40, escpos: true });
    golden('sale-approved-40.merchant.escpos.hex', hexDump(ascii.escpos!.merchant));
    const latin = receiptFromRecord(
      record({ raw: { MERCHANT_AL1: 'Straße 5', MERCHANT_AL2: 'Köln' }, result: { merchantName: 'Café Müller' } }),
      undefined,
      settings,
      { width: 48, escpos: { codePage: 'cp1252' } },
    );
    golden('sale-cp1252-48.customer.escpos.hex', hexDump(latin.escpos!.customer));
  });

  it('ESC/POS framing: init, code page, bold and double height around the total only, alignment, cut', () => {
    const bytes = Buffer.from(
      receiptFromRecord(saleWithTip, undefined, settings, { width: 32, escpos: { codePage: 'cp1252' } }).escpos!
        .customer,
    );
    expect([...bytes.subarray(0, 5)]).toEqual([0x1b, 0x40, 0x1b, 0x74, 16]);
    expect([...bytes.subarray(bytes.length - 7)]).toEqual([0x1b, 0x64, 3, 0x1d, 0x56, 0x42, 0x00]);
    const tallOn = bytes.indexOf(Buffer.from([0x1d, 0x21, 0x01]));
    const tallOff = bytes.indexOf(Buffer.from([0x1d, 0x21, 0x00]));
    expect(tallOn).toBeGreaterThan(0);
    const tallText = bytes.subarray(tallOn + 3, tallOff).toString('latin1');
    expect(tallText.split('\n')[0]).toMatch(/^TOTAL +EUR 13\.84$/);
    expect(tallText.split('\n')).toHaveLength(2);
    expect(bytes.indexOf(Buffer.from([0x1d, 0x21, 0x01]), tallOn + 1)).toBe(-1);
    expect(bytes.includes(Buffer.from([0x1b, 0x61, 0x01]))).toBe(true);
    const plain = receiptFromRecord(saleWithTip, undefined, settings, {
      width: 32,
      escpos: { cut: false, feedLines: 0 },
    }).escpos!.customer;
    expect(Buffer.from(plain).includes(Buffer.from([0x1d, 0x56]))).toBe(false);
  });
});
