/**
 * The short cuts a sale's path takes through the card-data rules, receipt text and time zones: each skips work only
 * for values the full rule would leave as they are. These cases are the shapes the short cuts look at — card numbers
 * and track data hidden among them must still be caught.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { scrubCardData, textRules } from '../../src/domain/card-data';
import { localParts, systemTimeZone } from '../../src/domain/time-zone';
import { safeText } from '../../src/receipts/safe-text';
import { transactionTime } from '../../src/receipts/build';

const CARD = '4111111111111111'; // Luhn-valid test Visa
const SID = '0b7d3c1e-1f2a-4c3d-8e9f-a0b1c2d3e4f5';

describe('log text rule: the one-pass check before the patterns', () => {
  it('leaves text whose digits come in short runs exactly as it is', () => {
    for (const text of [
      SID,
      '2026-12-08T01:30:11.482Z',
      'receipt 17 of lane 3, 12.34 EUR at 10:30:12',
      '4111 1111 111', // 11 digits
      '41111111111 1', // a run broken by letters would be needed for more: 12 digits split by a space run
      'Bear er 123',
    ]) {
      expect(textRules.log(text)).toBe(text);
    }
  });

  it('still masks a card number split by single spaces or dashes, wherever it stands among short runs', () => {
    expect(textRules.log(`sid ${SID} card 4111 1111 1111 1111`)).toBe(`sid ${SID} card ****1111`);
    expect(textRules.log('4111-1111 1111-1111')).toBe('****1111');
    expect(textRules.log('a1 b2 c3, then 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1')).toBe('a1 b2 c3, then ****1111');
    expect(textRules.log(`at 10:30:12, card ${CARD}.`)).toBe('at 10:30:12, card ****1111.');
  });

  it('still replaces track data with its shortest digit run (12 digits)', () => {
    expect(textRules.log(';411111111111=2512?')).toBe('[track data redacted]');
    expect(textRules.log('x 411111111111D2512 y')).toBe('x [track data redacted] y');
    expect(textRules.log('%B411111111111^DOE/JOHN^2512?')).toBe('[track data redacted]');
  });

  it('still finds a bearer token in any letter case', () => {
    expect(textRules.log('authorization: bearer abc.def')).toBe('authorization: bearer [redacted]');
    expect(textRules.log('BEARER xyz')).toBe('BEARER [redacted]');
    expect(textRules.log('Bearer\ttok-1')).toBe('Bearer\t[redacted]');
  });
});

describe('scrubCardData: plain data without card data is not copied', () => {
  it('returns a clean plain object or array as it is, at any depth', () => {
    const clean = {
      paymentId: SID,
      ref: '20261207171301',
      merchant: { name: 'DEMO', address: ['1 DEMO STREET', 'SOFIA'] },
      amount: { minor: 1234, currency: 'EUR' },
      rrn: '261208000123',
      flags: [true, null, 3],
    };
    const json = JSON.stringify(clean);
    expect(scrubCardData(clean)).toBe(clean);
    expect(JSON.stringify(scrubCardData(clean))).toBe(json);
    const list = [clean, 'text'];
    expect(scrubCardData(list)).toBe(list);
  });

  it('copies what holds card data, keeps key order, and leaves its input untouched', () => {
    const input = {
      a: 'one',
      ref: CARD,
      nested: { b: 'two', message: `card ${CARD}`, c: 'three' },
      list: ['x', `;${CARD}=2512101?`, 'y'],
      panMasked: CARD,
      tail: 'end',
    };
    const before = JSON.stringify(input);
    for (let i = 0; i < 2; i++) {
      // Twice: the second time every name's rule comes from what the first found.
      const out = scrubCardData(input);
      expect(out).not.toBe(input);
      expect(out.list).not.toBe(input.list);
      expect(JSON.stringify(out)).toBe(
        JSON.stringify({
          a: 'one',
          ref: CARD,
          nested: { b: 'two', message: 'card ****1111', c: 'three' },
          list: ['x', '[track data redacted]', 'y'],
          panMasked: '****1111',
          tail: 'end',
        }),
      );
    }
    expect(JSON.stringify(input)).toBe(before);
  });

  it('drops card-data properties that come after clean ones, and keeps the ones before', () => {
    const input = { a: 1, b: 'two', PAN: CARD, c: { TRACK2: `${CARD}=2512`, d: 'four' }, expiryDate: '2512' };
    for (let i = 0; i < 2; i++) {
      expect(JSON.stringify(scrubCardData(input))).toBe(JSON.stringify({ a: 1, b: 'two', c: { d: 'four' } }));
    }
  });

  it('still turns other objects into plain copies of their properties', () => {
    class Box {
      message = `card ${CARD}`;
    }
    expect(scrubCardData({ at: new Date(0), box: new Box() })).toEqual({ at: {}, box: { message: 'card ****1111' } });
  });
});

describe('receipt text: printable ASCII without a long digit run passes as it is', () => {
  it('keeps plain text and still masks a card number among plain text', () => {
    expect(safeText('REGISTER BRIDGE DEMO')).toBe('REGISTER BRIDGE DEMO');
    expect(safeText('RRN 261208000123')).toBe('RRN 261208000123');
    expect(safeText(`ref X${CARD}Y`)).toBe('ref X****1111Y');
    expect(safeText('card 4111 1111 1111 1111 ok')).toBe('card ****1111 ok');
    expect(safeText('4111111111111')).toBe('4111111111111'); // 13 digits, not Luhn-valid
    expect(safeText('4222222222222')).toBe('****2222'); // 13 digits, Luhn-valid
  });

  it('still cleans what plain text must not hold', () => {
    expect(safeText(' lead')).toBe('lead');
    expect(safeText('trail ')).toBe('trail');
    expect(safeText('two  spaces')).toBe('two spaces');
    expect(safeText('tab\there')).toBe('tab here');
    expect(safeText('e\u0301')).toBe('\u00e9');
    expect(safeText('x'.repeat(81))).toBe('x'.repeat(80));
    expect(safeText('abcd', 3)).toBe('abc');
    expect(safeText('')).toBeUndefined();
    expect(safeText(' ')).toBeUndefined();
  });
});

describe('time zones', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives each instant its own local parts, also within one second and across a daylight-saving change', () => {
    const zone = 'Europe/Sofia';
    // 2025-03-30 00:59:59 UTC is 02:59:59 EET; a second later it is 04:00:00 EEST.
    expect(localParts(new Date('2025-03-30T00:59:59.001Z'), zone)).toMatchObject({ hour: 2, minute: 59, second: 59 });
    expect(localParts(new Date('2025-03-30T00:59:59.999Z'), zone)).toMatchObject({ hour: 2, minute: 59, second: 59 });
    expect(localParts(new Date('2025-03-30T01:00:00.000Z'), zone)).toMatchObject({ hour: 4, minute: 0, second: 0 });
    expect(localParts(new Date('2025-03-30T01:00:00.000Z'), 'UTC')).toMatchObject({ hour: 1, minute: 0, second: 0 });
    expect(localParts(new Date('1969-12-31T23:59:59.500Z'), 'UTC')).toMatchObject({ year: 1969, second: 59 });
    expect(() => localParts(new Date('garbage'), zone)).toThrow(RangeError);
  });

  it('reads the system zone again after a minute', () => {
    const tz = process.env.TZ;
    vi.useFakeTimers({ now: new Date('2026-12-08T01:00:00Z'), toFake: ['Date'] });
    try {
      process.env.TZ = 'Asia/Tokyo';
      vi.setSystemTime(Date.now() + 61_000);
      expect(systemTimeZone()).toBe('Asia/Tokyo');
      process.env.TZ = 'America/New_York';
      expect(systemTimeZone()).toBe('Asia/Tokyo');
      vi.setSystemTime(Date.now() + 61_000);
      expect(systemTimeZone()).toBe('America/New_York');
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
      vi.setSystemTime(Date.now() + 61_000);
      systemTimeZone();
    }
  });

  it("takes the terminal's date and time without the journal's, but an unknown zone or creation time still fails", () => {
    const created = '2025-01-15T08:30:12.000Z';
    expect(transactionTime('2025-01-15', '10:30:12', created, 'Europe/Sofia')).toEqual({
      date: '2025-01-15',
      time: '10:30:12',
    });
    expect(transactionTime(undefined, undefined, created, 'Europe/Sofia')).toEqual({
      date: '2025-01-15',
      time: '10:30:12',
    });
    expect(() => transactionTime('2025-01-15', '10:30:12', created, 'Nowhere/Zone')).toThrow(RangeError);
    expect(() => transactionTime('2025-01-15', '10:30:12', 'garbage', 'UTC')).toThrow(RangeError);
  });
});
