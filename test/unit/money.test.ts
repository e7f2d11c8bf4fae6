import { describe, expect, it } from 'vitest';
import { fromDecimal, money, toDecimal, MAX_MINOR } from '../../src/domain/money';
import { currency, currencyByNumeric, MYPOS_CURRENCIES } from '../../src/domain/currency';
import fc from 'fast-check';

describe('money', () => {
  it('accepts integer minor units of known currencies only', () => {
    expect(money(1234, 'EUR')).toEqual({ minor: 1234, currency: 'EUR' });
    expect(() => money(12.34, 'EUR')).toThrow(/integer/);
    expect(() => money(-1, 'EUR')).toThrow(/negative/);
    expect(() => money(MAX_MINOR + 1, 'EUR')).toThrow(/at most/);
    expect(() => money('1234', 'EUR')).toThrow(/integer/);
    expect(() => money(1, 'XYZ')).toThrow(/unknown currency/);
    expect(() => money(1, 'eur')).toThrow(/ISO 4217/);
    expect(() => money(Number.NaN, 'EUR')).toThrow();
  });

  it('knows every currency myPOS terminals use, with exponent and numeric code', () => {
    for (const c of MYPOS_CURRENCIES) expect(currency(c).numeric).toMatch(/^[0-9]{3}$/);
    expect(currency('JPY').exponent).toBe(0);
    expect(currency('ISK').exponent).toBe(0);
    expect(currency('BHD').exponent).toBe(3);
    expect(currencyByNumeric('978').code).toBe('EUR');
    expect(currencyByNumeric(191).code).toBe('HRK');
  });

  it('converts to and from decimal strings exactly', () => {
    expect(toDecimal(money(1234, 'EUR'))).toBe('12.34');
    expect(toDecimal(money(5, 'EUR'))).toBe('0.05');
    expect(toDecimal(money(0, 'EUR'))).toBe('0.00');
    expect(toDecimal(money(5, 'JPY'))).toBe('5');
    expect(toDecimal(money(1234, 'BHD'))).toBe('1.234');
    expect(toDecimal(money(1234, 'EUR'), { separator: ',' })).toBe('12,34');
    expect(fromDecimal('12.34', 'EUR').minor).toBe(1234);
    expect(fromDecimal('12,3', 'EUR').minor).toBe(1230);
    expect(fromDecimal('7', 'EUR').minor).toBe(700);
    expect(fromDecimal('12.340', 'EUR').minor).toBe(1234);
    expect(() => fromDecimal('12.345', 'EUR')).toThrow(/decimals/);
    expect(() => fromDecimal('1.000,00', 'EUR')).toThrow();
    expect(() => fromDecimal('-1', 'EUR')).toThrow();
    expect(() => fromDecimal('1e3', 'EUR')).toThrow();
    expect(() => fromDecimal('10000000.00', 'EUR')).toThrow(/larger/);
  });

  it('round-trips every amount of every myPOS currency', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_MINOR }), fc.constantFrom(...MYPOS_CURRENCIES), (minor, code) => {
        const m = money(minor, code);
        expect(fromDecimal(toDecimal(m), code)).toEqual(m);
        expect(fromDecimal(toDecimal(m, { separator: ',' }), code)).toEqual(m);
      }),
      { numRuns: 2000 },
    );
  });
});
