import { describe, expect, it } from 'vitest';
import { crc16kermit } from 'crc';
import { ApduReader, encodeApdu, parseApdu, peekApduLength } from '../../src/register/zvt/apdu';
import {
  decodeAmount,
  decodeCurrency,
  decodePanNibbles,
  decodePassword,
  encodeAmount,
  encodeCurrency,
  encodeDate,
  encodeLongDate,
  encodePanNibbles,
  encodePassword,
  encodeTime,
  toHex,
} from '../../src/register/zvt/bcd';
import { BMP, encodeBmp, parseBmps } from '../../src/register/zvt/bmp';
import {
  commandsListed,
  decodeAuthorization,
  decodeRegistration,
  decodeReversal,
  printerWidth,
} from '../../src/register/zvt/commands';
import { ZvtFormatError } from '../../src/register/zvt/errors';
import { encodeTlv, parseTlv } from '../../src/register/zvt/tlv';
import { hex, norm } from './zvt-helpers';

describe('packed BCD (zvt.md §3)', () => {
  it('amount: 6 bytes in minor units, 12.34 = 00 00 00 00 12 34', () => {
    expect(toHex(encodeAmount(1234))).toBe('00 00 00 00 12 34');
    expect(decodeAmount(hex('00 00 00 00 12 34'))).toBe(1234);
    expect(decodeAmount(hex('99 99 99 99 99 99'))).toBe(999_999_999_999);
    expect(() => encodeAmount(1_000_000_000_000)).toThrow(RangeError);
    expect(() => decodeAmount(hex('00 00 00 00 1A 34'))).toThrow(ZvtFormatError);
  });

  it('currency: 2 bytes BCD ISO numeric, 09 78 = EUR', () => {
    expect(toHex(encodeCurrency('978'))).toBe('09 78');
    expect(decodeCurrency(hex('09 78'))).toBe('978');
    expect(decodeCurrency(hex('09 75'))).toBe('975');
  });

  it('password: 123456 → 12 34 56', () => {
    expect(toHex(encodePassword('123456'))).toBe('12 34 56');
    expect(decodePassword(hex('00 00 00'))).toBe('000000');
    expect(() => encodePassword('12345')).toThrow();
  });

  it('time HHMMSS, date MMDD, long date YYMMDD', () => {
    const t = { year: 2025, month: 11, day: 25, hour: 14, minute: 30, second: 15 };
    expect(toHex(encodeTime(t))).toBe('14 30 15');
    expect(toHex(encodeDate(t))).toBe('11 25');
    expect(toHex(encodeLongDate(t))).toBe('25 11 25');
  });

  it('PAN: masked digits are nibble E, odd length padded with F (§7)', () => {
    expect(toHex(encodePanNibbles('541333******1234'))).toBe('54 13 33 EE EE EE 12 34');
    expect(toHex(encodePanNibbles('4111******111'))).toBe('41 11 EE EE EE 11 1F');
    expect(decodePanNibbles(hex('54 13 33 EE EE EE 12 34'))).toBe('541333******1234');
    expect(decodePanNibbles(hex('41 11 EE EE EE 11 1F'))).toBe('4111******111');
  });
});

describe('APDU (zvt.md §2)', () => {
  it('short length: one byte 00–FE', () => {
    expect(toHex(encodeApdu(0x80, 0x00))).toBe('80 00 00');
    expect(toHex(encodeApdu(0x06, 0x0f, hex('00')))).toBe('06 0F 01 00');
    expect(encodeApdu(0x06, 0xd3, Buffer.alloc(254))[2]).toBe(0xfe);
  });

  it('extended length: FF lo hi, little-endian — a 995-byte block starts 06 D3 FF E3 03', () => {
    const bytes = encodeApdu(0x06, 0xd3, Buffer.alloc(995, 0x41));
    expect(toHex(bytes.subarray(0, 5))).toBe('06 D3 FF E3 03');
    expect(bytes.length).toBe(1000);
    const a = parseApdu(bytes);
    expect(a.data.length).toBe(995);
    expect(encodeApdu(0x06, 0xd3, Buffer.alloc(255)).subarray(0, 5)).toEqual(hex('06 D3 FF FF 00'));
  });

  it('parse rule: 2 control bytes + 1 length byte, FF → 2 more', () => {
    expect(peekApduLength(hex('06 01'))).toBeUndefined();
    expect(peekApduLength(hex('06 01 07'))).toEqual({ header: 3, length: 7 });
    expect(peekApduLength(hex('06 D3 FF E3'))).toBeUndefined();
    expect(peekApduLength(hex('06 D3 FF E3 03'))).toEqual({ header: 5, length: 995 });
  });

  it('parseApdu refuses a length that does not match', () => {
    expect(() => parseApdu(hex('06 01 07 04 00'))).toThrow(ZvtFormatError);
    expect(() => parseApdu(hex('06'))).toThrow(ZvtFormatError);
    expect(parseApdu(hex('06 01 07 04 00 00 00 00 10 00')).data).toEqual(hex('04 00 00 00 00 10 00'));
  });

  it('streaming reader: byte by byte, and several APDUs in one segment', () => {
    const stream = hex('06 00 04 00 00 00 BA 80 00 00 06 01 07 04 00 00 00 00 10 00');
    const r1 = new ApduReader();
    const got: string[] = [];
    for (const b of stream)
      for (const a of r1.push(Buffer.from([b]))) got.push(toHex(encodeApdu(a.cls, a.instr, a.data)));
    expect(got).toEqual([norm('06 00 04 00 00 00 BA'), norm('80 00 00'), norm('06 01 07 04 00 00 00 00 10 00')]);
    const r2 = new ApduReader();
    expect(r2.push(stream).map((a) => a.instr)).toEqual([0x00, 0x00, 0x01]);
    expect(r2.pending).toBe(0);
    const r3 = new ApduReader();
    expect(r3.push(hex('06 D3 FF E3'))).toEqual([]);
    expect(r3.push(Buffer.concat([hex('03'), Buffer.alloc(994)]))).toEqual([]);
    expect(r3.push(hex('00 80 00 00')).map((a) => a.data.length)).toEqual([995, 0]);
  });
});

describe('BMPs as a table (zvt.md §3, §7)', () => {
  it('fixed, LLVAR and LLLVAR lengths come from the table', () => {
    const data = hex('04 00 00 00 00 12 34 49 09 78 22 F0 F8 54 13 33 EE EE EE 12 34 3C F0 F0 F3 41 42 43 06 00');
    const list = parseBmps(data);
    expect(list.fields.map((f) => f.tag)).toEqual([0x04, 0x49, 0x22, 0x3c, 0x06]);
    expect(list.get(BMP.amount)).toBe(1234);
    expect(list.get(BMP.currency)).toBe('0978');
    expect(list.get(BMP.pan)).toBe('541333******1234');
    expect(list.get(BMP.additionalText)).toBe('ABC');
    expect(list.get(BMP.tlv)).toEqual([]);
  });

  it('encodes: LLVAR F0 F8, LLLVAR F0 F0 F7, fixed ASCII padded with 00', () => {
    expect(toHex(encodeBmp(BMP.pan, '541333******1234'))).toBe('22 F0 F8 54 13 33 EE EE EE 12 34');
    expect(toHex(encodeBmp(BMP.additionalText, '2.14.15'))).toBe('3C F0 F0 F7 32 2E 31 34 2E 31 35');
    expect(toHex(encodeBmp(BMP.authAttribute, '123456'))).toBe('3B 31 32 33 34 35 36 00 00');
    expect(toHex(encodeBmp(BMP.receiptNo, 17))).toBe('87 00 17');
    expect(toHex(encodeBmp(BMP.terminalId, '12345678'))).toBe('29 12 34 56 78');
  });

  it('card data BMPs are skipped by length; an unknown tag stops parsing quietly', () => {
    const list = parseBmps(hex('23 F0 F3 11 22 33 04 00 00 00 00 10 00 77 01 02 03'));
    expect(list.get(BMP.amount)).toBe(1000);
    expect(list.skipped).toEqual({ tag: 0x77, offset: 13, bytes: 4 });
  });

  it('a truncated BMP or a bad LL prefix is a format error', () => {
    expect(() => parseBmps(hex('04 00 00 00'))).toThrow(ZvtFormatError);
    expect(() => parseBmps(hex('22 F0 F9 12'))).toThrow(ZvtFormatError);
    expect(() => parseBmps(hex('22 A0 01 12'))).toThrow(/not F0–F9/);
    expect(() => parseBmps(hex('06 05 01 02'))).toThrow(ZvtFormatError);
  });
});

describe('TLV container (zvt.md §3)', () => {
  it('two-byte tags, constructed 26 with 0A 02 <cmd>, empty container', () => {
    const content = hex('26 04 0A 02 06 D3 1F 16 01 05 12 01 42');
    const { elements, error } = parseTlv(content);
    expect(error).toBeUndefined();
    expect(elements.map((e) => e.tag)).toEqual([0x26, 0x1f16, 0x12]);
    expect(elements[0]?.constructed).toBe(true);
    expect(commandsListed(elements)).toEqual(new Set([0x06d3]));
    expect(printerWidth(elements)).toBe(42);
    expect(parseTlv(Buffer.alloc(0)).elements).toEqual([]);
  });

  it('lengths 81 xx and 82 hi lo (big-endian); zero-length elements', () => {
    const long = Buffer.alloc(300, 0x20);
    const enc = encodeTlv([
      { tag: 0x1f17, value: long },
      { tag: 0x07, value: Buffer.alloc(200) },
      { tag: 0x1f10, value: Buffer.alloc(0) },
    ]);
    expect(toHex(enc.subarray(0, 5))).toBe('1F 17 82 01 2C');
    const back = parseTlv(enc).elements;
    expect(back.map((e) => [e.tag, e.value.length])).toEqual([
      [0x1f17, 300],
      [0x07, 200],
      [0x1f10, 0],
    ]);
    expect(toHex(enc.subarray(305, 308))).toBe('07 81 C8');
  });

  it('is tolerant: a damaged element ends the list, what came before is kept', () => {
    const r = parseTlv(hex('12 01 30 1F 17 05 41'));
    expect(r.elements.map((e) => e.tag)).toEqual([0x12]);
    expect(r.error).toMatch(/announces 5 bytes/);
    expect(parseTlv(hex('12 83 00 00 01 00')).error).toMatch(/length form/);
  });
});

describe('register commands (zvt.md §5)', () => {
  it('Registration without and with CC and service byte', () => {
    expect(decodeRegistration(hex('00 00 00 BA'))).toMatchObject({ password: '000000', config: 0xba, tlv: [] });
    const r = decodeRegistration(hex('00 00 00 BA 09 78 03 00'));
    expect(r.currency).toEqual({ numeric: '978', alpha: 'EUR' });
    expect(r.serviceByte).toBe(0);
    const t = decodeRegistration(hex('12 34 56 BA 09 78 06 06 26 04 0A 02 06 D3'));
    expect(commandsListed(t.tlv)).toEqual(new Set([0x06d3]));
    // tolerated: a TLV right after the config byte, without CC
    expect(decodeRegistration(hex('00 00 00 BA 06 00')).currency).toBeUndefined();
    expect(() => decodeRegistration(hex('00 00'))).toThrow(ZvtFormatError);
    expect(() => decodeRegistration(hex('00 00 00'))).toThrow(/config byte/);
  });

  it("Authorization: amount, currency, ecrterm's empty TLV; missing CC stays missing", () => {
    expect(decodeAuthorization(hex('04 00 00 00 00 12 34 49 09 78 06 00'))).toMatchObject({
      amount: 1234,
      currency: { alpha: 'EUR' },
    });
    const minimal = decodeAuthorization(hex('04 00 00 00 00 10 00'));
    expect(minimal.amount).toBe(1000);
    expect(minimal.currency).toBeUndefined();
    expect(decodeAuthorization(hex('04 00 00 00 00 10 00 19 40')).paymentType).toBe(0x40);
    expect(decodeAuthorization(hex('01 1E 02 03 04 00 00 00 00 10 00'))).toMatchObject({
      timeoutSeconds: 30,
      maxStatusInfos: 3,
    });
  });

  it('Reversal: password then BMP 87', () => {
    expect(decodeReversal(hex('00 00 00 87 00 17'))).toMatchObject({ password: '000000', receiptNo: 17 });
  });
});

describe('CRC-16/KERMIT (zvt.md §1.2)', () => {
  it('check value of "123456789" is 0x2189 (sent 89 21), unlike CRC-16/XMODEM', () => {
    expect(crc16kermit(Buffer.from('123456789'))).toBe(0x2189);
  });
});
