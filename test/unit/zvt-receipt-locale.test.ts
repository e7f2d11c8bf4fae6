import { describe, expect, it } from 'vitest';
import { receiptLines } from '../../src/register/zvt/receipt';
import type { PaymentResult } from '../../src/domain/payment';

/** The short ZVT receipt (printers narrower than 32 columns, or no journaled receipt) in the listener's language. */
const result: PaymentResult = {
  ref: 'Z-1',
  kind: 'sale',
  outcome: 'approved',
  amount: { minor: 123456, currency: 'EUR' },
  terminal: 'lane1',
  message: 'Approved',
  merchantName: 'Bäckerei Müller',
  panMasked: '************1234',
  aid: 'A0000000041010',
  authCode: 'A1B2C3',
  rrn: '250115000123',
};
const facts = {
  result,
  at: { year: 2025, month: 1, day: 15, hour: 10, minute: 30, second: 12 },
  terminalId: '80123457',
  receiptNo: 17,
  cardName: 'girocard',
};

describe('ZVT short receipt', () => {
  it("German: the catalogue's words, EUR 1.234,56, in ASCII, no line wider than the printer, no value cut", () => {
    for (const width of [24, 28, 40]) {
      const lines = receiptLines(facts, width, 'de-DE');
      const text = lines.join('\n');
      expect(
        lines.every((l) => l.length <= width && /^[\x20-\x7e]*$/.test(l)),
        `${width}`,
      ).toBe(true);
      expect(text).toContain('KARTENZAHLUNG');
      expect(text).toContain('EUR 1.234,56');
      expect(text).toContain('ZAHLUNG ERFOLGT');
      expect(text).toContain('Baeckerei Mueller');
      expect(text).toContain('************1234');
      expect(text).toContain('15.01.2025');
      expect(text).not.toMatch(/CARD PAYMENT|AMOUNT|APPROVED/);
    }
  });

  it('Bulgarian in ASCII: Bulgarian romanisation; English without a locale as before', () => {
    const bg = receiptLines({ ...facts, result: { ...result, outcome: 'declined' } }, 40, 'bg-BG').join('\n');
    expect(bg).toContain('PLASHTANE S KARTA');
    expect(bg).toContain('NEODOBRENA');
    expect(bg).not.toContain('?');
    const en = receiptLines(facts, 40).join('\n');
    expect(en).toContain('CARD PAYMENT');
    expect(en).toMatch(/AMOUNT +EUR 1234\.56/);
    expect(en).toMatch(/Date +15\.01\.25/);
  });
});
