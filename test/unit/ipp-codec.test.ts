import { describe, expect, it } from 'vitest';
import {
  decodeIppBody,
  encodeIpp,
  formatIppAmount,
  IppReader,
  parseIppAmount,
  IppDecodeError,
  IppMessage,
} from '../../src/terminal/ipp/codec';
import { money } from '../../src/domain/money';

// mypos-ipp.md §13: PURCHASE of EUR 12.34 for INV-1001.
const PURCHASE_PAIRS: Array<[string, string]> = [
  ['PROTOCOL', 'IPP'],
  ['VERSION', '200'],
  ['METHOD', 'PURCHASE'],
  ['SID', '7f3c2a10-0001'],
  ['AMOUNT', '12.34'],
  ['CURRENCY', '978'],
  ['REFERENCE_NUMBER_TYPE', '2'],
  ['REFERENCE_NUMBER', 'INV-1001'],
];

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

describe('IPP framing (spec §2, §13)', () => {
  it('encodes the worked PURCHASE byte for byte: header counts itself (145 = 00 91)', () => {
    const bytes = encodeIpp(PURCHASE_PAIRS);
    expect(bytes.length).toBe(145);
    expect(bytes.subarray(0, 2)).toEqual(hex('00 91'));
    expect(bytes.subarray(0, 18)).toEqual(hex('00 91 50 52 4F 54 4F 43 4F 4C 3D 49 50 50 0D 0A 56 45'));
    expect(bytes.subarray(2, 16)).toEqual(hex('50 52 4F 54 4F 43 4F 4C 3D 49 50 50 0D 0A'));
    expect(bytes.subarray(-27)).toEqual(
      hex('52 45 46 45 52 45 4E 43 45 5F 4E 55 4D 42 45 52 3D 49 4E 56 2D 31 30 30 31 0D 0A'),
    );
    expect(bytes.subarray(2).toString('ascii')).toBe(PURCHASE_PAIRS.map(([n, v]) => `${n}=${v}\r\n`).join(''));
  });

  it('the first answer of the example is 81 body bytes + 2 = 00 53', () => {
    const bytes = encodeIpp([
      ['PROTOCOL', 'IPP'],
      ['METHOD', 'PURCHASE'],
      ['SID', '7f3c2a10-0001'],
      ['STAGE', '1'],
      ['STATUS', '0'],
      ['TIMEOUT', '60'],
    ]);
    expect(bytes.subarray(0, 2)).toEqual(hex('00 53'));
  });

  it('refuses to encode a message that does not start with PROTOCOL=IPP, or values with CR/LF', () => {
    expect(() => encodeIpp([['METHOD', 'PING']])).toThrow(/PROTOCOL=IPP/);
    expect(() =>
      encodeIpp([
        ['PROTOCOL', 'IPP'],
        ['X', 'a\r\nB=c'],
      ]),
    ).toThrow(/CR or LF/);
  });

  it('decodes order-insensitively, splits at the first "=", keeps unknown properties', () => {
    const m = decodeIppBody(Buffer.from('PROTOCOL=IPP\r\nSTATUS=0\r\nMETHOD=PING\r\nX_NEW=a=b\r\nSTAGE=5\r\n'));
    expect(m.method).toBe('PING');
    expect(m.stage).toBe(5);
    expect(m.status).toBe(0);
    expect(m.get('X_NEW')).toBe('a=b');
  });

  it('rejects a message whose first pair is not PROTOCOL=IPP', () => {
    expect(() => decodeIppBody(Buffer.from('METHOD=PING\r\nPROTOCOL=IPP\r\n'))).toThrow(IppDecodeError);
  });

  it('reassembles partial and coalesced messages from a stream', () => {
    const a = encodeIpp(PURCHASE_PAIRS);
    const b = encodeIpp([
      ['PROTOCOL', 'IPP'],
      ['METHOD', 'PING'],
      ['SID', 'x'],
    ]);
    const all = Buffer.concat([a, b]);
    const r = new IppReader();
    const out: Array<IppMessage | IppDecodeError> = [];
    for (let i = 0; i < all.length; i += 7) out.push(...r.push(all.subarray(i, i + 7)));
    expect(out).toHaveLength(2);
    expect((out[0] as IppMessage).get('REFERENCE_NUMBER')).toBe('INV-1001');
    expect((out[1] as IppMessage).method).toBe('PING');
    expect(r.pending).toBe(0);
  });

  it('reports a header below 2 as a decode error instead of looping', () => {
    const r = new IppReader();
    const out = r.push(hex('00 01 41 41'));
    expect(out[0]).toBeInstanceOf(IppDecodeError);
  });
});

describe("an answer's properties (spec §9: keep every received property)", () => {
  const pairs: Array<[string, string]> = [
    ['PROTOCOL', 'IPP'],
    ['STAGE', '5'],
    ['STATUS', '0'],
    ['STAGE', '9'], // a repeated name: the first occurrence counts
    ['toString', 'x'], // names every object has are not taken
    ['__proto__', 'y'],
    ['7', 'seven'],
    ['AUTH_CODE', 'A1B2C3'],
  ];

  it('adds them to what earlier answers said exactly as Object.assign of the record does', () => {
    const m = new IppMessage(pairs);
    const earlier = () => ({ STATUS: '1', TIMEOUT: '60', METHOD: 'PURCHASE' }) as Record<string, string>;
    const assigned = earlier();
    m.assignTo(assigned);
    const expected = Object.assign(earlier(), m.toRecord());
    expect(JSON.stringify(assigned)).toBe(JSON.stringify(expected));
    expect(Object.keys(assigned)).toEqual(['7', 'STATUS', 'TIMEOUT', 'METHOD', 'PROTOCOL', 'STAGE', 'AUTH_CODE']);
    expect(assigned.STAGE).toBe('5');
    expect(Object.getPrototypeOf(assigned)).toBe(Object.prototype);
  });
});

describe('IPP amounts (spec §9)', () => {
  it('formats from minor units with exactly two decimals', () => {
    expect(formatIppAmount(money(1234, 'EUR'))).toBe('12.34');
    expect(formatIppAmount(money(50, 'EUR'))).toBe('0.50');
    expect(formatIppAmount(money(10000, 'EUR'))).toBe('100.00');
    expect(formatIppAmount(money(5, 'JPY'))).toBe('5.00');
    expect(formatIppAmount(money(5, 'JPY'), 0)).toBe('5');
  });
  it('parses back exactly', () => {
    expect(parseIppAmount('12.34', 'EUR')).toEqual(money(1234, 'EUR'));
    expect(parseIppAmount('12', 'EUR')).toEqual(money(1200, 'EUR'));
    expect(parseIppAmount('5.00', 'JPY')).toEqual(money(5, 'JPY'));
    expect(() => parseIppAmount('5.50', 'JPY')).toThrow();
    expect(() => parseIppAmount('1,00', 'EUR')).toThrow();
  });
});
