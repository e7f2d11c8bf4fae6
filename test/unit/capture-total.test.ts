import { describe, expect, it } from 'vitest';
import { compileTotalPattern, findTotal, normalizeAmount, type TotalRule } from '../../src/register/capture/total';
import { parsePoleOptions, parsePrinterOptions } from '../../src/register/capture/options';

const rule = (over: Partial<TotalRule> = {}): TotalRule => ({
  pattern: compileTotalPattern(),
  decimal: 'auto',
  currency: 'EUR',
  pick: 'first',
  acrossLines: true,
  ...over,
});
const total = (text: string, over: Partial<TotalRule> = {}) => findTotal(text, rule(over))?.amount;

describe('finding the total with the default pattern', () => {
  it.each([
    ['TOTAL 12,34', 1234, 'EUR'],
    ['SUMME EUR 1.234,56', 123456, 'EUR'],
    ['Total: 12.34', 1234, 'EUR'],
    ['SUMME 12.34 EUR', 1234, 'EUR'],
    ['summe            7,5', 750, 'EUR'],
    ['ZU ZAHLEN € 7,50', 750, 'EUR'],
    ['GESAMT ......... 99,00', 9900, 'EUR'],
    ["Total CHF 1'234.50", 123450, 'CHF'],
    ['TOTAL USD 1,234.56', 123456, 'USD'],
    ['TOTAL 15', 1500, 'EUR'],
    ['TOTAL\n           EUR 12,34', 1234, 'EUR'],
    ['ZWISCHENSUMME 10,00\nSUMME 12,34', 1234, 'EUR'],
    ['TOTAL 1.234', 123400, 'EUR'],
  ])('%j → %i %s', (text, minor, currency) => {
    expect(total(text)).toEqual({ minor, currency });
  });

  it.each([
    'SUBTOTAL 3.00',
    'ZWISCHENSUMME 3,00',
    'TOTAL -12,34',
    'TOTALS 5',
    'Total items: 3 pcs'.replace('3', 'three'),
    'Danke',
    '',
  ])('%j has no total', (text) => {
    expect(total(text)).toBeUndefined();
  });

  it('a currency word that is no ISO code is not taken for one', () => {
    expect(total('TOTAL 12,34 und')).toEqual({ minor: 1234, currency: 'EUR' });
  });

  it('first or last match by option; per line or across lines', () => {
    const text = 'TOTAL 1,00\nTOTAL 2,00';
    expect(total(text)).toEqual({ minor: 100, currency: 'EUR' });
    expect(total(text, { pick: 'last' })).toEqual({ minor: 200, currency: 'EUR' });
    expect(total('TOTAL\n12,34', { acrossLines: false })).toBeUndefined();
  });

  it('the default currency applies when the text names none', () => {
    expect(total('TOTAL 12,34', { currency: 'BGN' })).toEqual({ minor: 1234, currency: 'BGN' });
  });

  it('an amount with more decimals than the currency has is refused, not rounded', () => {
    expect(() => total('TOTAL 12,345', { decimal: ',' })).toThrow(/decimals/);
    // With "auto", one separator before exactly three digits groups thousands.
    expect(total('TOTAL 12,345')).toEqual({ minor: 1234500, currency: 'EUR' });
  });

  it('a custom pattern with its own currency group', () => {
    const pattern = compileTotalPattern(
      String.raw`A PAYER\s+(?<amount>[0-9 ]+,[0-9]{2})\s*(?<currencyCode>[A-Z]{3})?`,
      'i',
    );
    expect(findTotal('A PAYER   1 234,50 EUR', rule({ pattern, decimal: ',' }))?.amount).toEqual({
      minor: 123450,
      currency: 'EUR',
    });
  });

  it('a pattern without an "amount" group or with a syntax error is a config error', () => {
    expect(() => compileTotalPattern('TOTAL (\\d+)')).toThrow(/named group "amount"/);
    expect(() => compileTotalPattern('TOTAL (?<amount>')).toThrow(/not a valid regular expression/);
  });
});

describe('the register format of amounts → exact decimal text', () => {
  it.each([
    ['12,34', 'auto', '12.34'],
    ['12.34', 'auto', '12.34'],
    ['1.234,56', 'auto', '1234.56'],
    ['1,234.56', 'auto', '1234.56'],
    ["1'234.56", 'auto', '1234.56'],
    ['1 234,56', 'auto', '1234.56'],
    ['1.234', 'auto', '1234'],
    ['1.234.567', 'auto', '1234567'],
    ['12,3', 'auto', '12.3'],
    ['12,34', ',', '12.34'],
    ['1.234,5', ',', '1234.5'],
    ['1,234', '.', '1234'],
    ['7', '.', '7'],
  ] as const)('%s (%s) → %s', (raw, decimal, out) => {
    expect(normalizeAmount(raw, decimal, 2)).toBe(out);
  });

  it('three decimals stay decimals for a three-decimal currency', () => {
    expect(normalizeAmount('1.234', 'auto', 3)).toBe('1.234');
  });

  it.each([
    ['12.34', ','],
    ['1.23.45', 'auto'],
    ['1,2345.00', 'auto'],
    ['12,34,56.7', '.'],
    ['abc', 'auto'],
    ['.', 'auto'],
  ] as const)('%s (%s) is refused rather than guessed', (raw, decimal) => {
    expect(() => normalizeAmount(raw, decimal, 2)).toThrow(/not an amount/);
  });
});

describe('capture options', () => {
  it('defaults', () => {
    const pole = parsePoleOptions({});
    expect(pole).toMatchObject({
      mode: 'pole-display',
      trigger: 'stable',
      stableMs: 1500,
      keywords: ['KARTE', 'CARD'],
      duplicateWindowMs: 60_000,
      refPrefix: 'POLE',
      currency: 'EUR',
      columns: 20,
      rows: 2,
    });
    const printer = parsePrinterOptions({});
    expect(printer).toMatchObject({
      mode: 'printer',
      refPrefix: 'PRN',
      receiptEnd: { cut: true, init: false, endOfJob: true, idleMs: 0 },
      answerStatus: true,
      acrossLines: false,
    });
  });

  it('refuses what cannot work, naming the option', () => {
    expect(() => parsePoleOptions({ trigger: 'sometimes' })).toThrow(/pole-display options\.trigger/);
    expect(() => parsePoleOptions({ slip: true })).toThrow(/slipPrinter/);
    expect(() => parsePrinterOptions({ slip: true })).toThrow(/forward/);
    expect(() => parsePrinterOptions({ pattern: 'TOTAL (\\d+)' })).toThrow(/amount/);
    expect(() => parsePrinterOptions({ forward: { type: 'hid', vendorId: 1, productId: 2 } })).toThrow(/HID/);
    expect(() => parsePrinterOptions({ currency: 'XXY' })).toThrow(/currency/);
    expect(() => parsePrinterOptions({ recieptEnd: {} })).toThrow(/recieptEnd|Unrecognized/i);
    expect(() => parsePrinterOptions({ ignore: '(' })).toThrow(/ignore/);
  });

  it('key words match as whole words, without regard to case', () => {
    const { keywordPattern } = parsePoleOptions({ keywords: ['KARTE', 'EC-CASH'] });
    expect(keywordPattern.test('ZAHLART: Karte')).toBe(true);
    expect(keywordPattern.test('EC-CASH')).toBe(true);
    expect(keywordPattern.test('KARTENZAHLUNG')).toBe(false);
  });
});
