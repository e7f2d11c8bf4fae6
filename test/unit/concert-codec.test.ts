/**
 * The Concert codec and framing against every worked example of concert.md §9 (requests and answers, approved and
 * declined, byte for byte), the LRC rule of §2, the parity rule of §1, and decode(encode(x)) = x.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkFrame,
  detectLine,
  frameMessage,
  lrc,
  onLine,
  parityOk,
  withParity,
} from '../../src/register/concert/framing';
import {
  answerTo,
  cardReport,
  decodeAnswer,
  decodeRequest,
  encodeAnswer,
  encodeRequest,
  ConcertFormatError,
  STATUS,
  type ConcertAnswer,
  type ConcertRequest,
} from '../../src/register/concert/messages';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const SP10 = ' '.repeat(10);

describe('worked examples of concert.md §9', () => {
  it('(a) sale 12.50 EUR, E+, A010, full answer: 37 bytes, LRC 01', () => {
    const wire = hex(
      '02 30 31 30 30 30 30 31 32 35 30 31 31 30 39 37 38 20 20 20 20 20 20 20 20 20 20 41 30 31 30 42 30 31 30 03 01',
    );
    const r = decodeRequest(wire.subarray(1, -2).toString('latin1'));
    expect(r).toEqual({
      register: '01',
      amount: '00001250',
      answerFlag: '1',
      paymentMode: '1',
      transactionType: '0',
      currency: '978',
      privateData: SP10,
      timing: 'A010',
      authorisation: 'B010',
    });
    expect(frameMessage(encodeRequest(r))).toEqual(wire);
    expect(wire.length).toBe(37);
    expect(checkFrame(wire, undefined)).toMatchObject({ ok: true, mode: '8N1' });
  });

  const sale: ConcertRequest = decodeRequest(`0100001250110978${SP10}A010B010`);
  const shortSale: ConcertRequest = { ...sale, answerFlag: '0' };

  it('(b) approved, full answer: 83 bytes ending 03 0E, card report from the masked PAN', () => {
    const a = answerTo(sale, STATUS.approved, { panMasked: '497010******0042' });
    const message = encodeAnswer(a);
    expect(message).toBe(`0100000125014970100000000042${'0'.repeat(39)}978${SP10}`);
    const framed = frameMessage(message);
    expect(framed.length).toBe(83);
    expect(framed.subarray(0, 19)).toEqual(hex('02 30 31 30 30 30 30 30 31 32 35 30 31 34 39 37 30 31 30'));
    expect(framed.subarray(-16)).toEqual(hex(`30 39 37 38 ${'20 '.repeat(10)} 03 0E`));
    expect(decodeAnswer(message)).toEqual(a);
  });

  it('(c) approved, short answer: 28 bytes, LRC 33', () => {
    const wire = hex('02 30 31 30 30 30 30 30 31 32 35 30 31 39 37 38 20 20 20 20 20 20 20 20 20 20 03 33');
    expect(frameMessage(encodeAnswer(answerTo(shortSale, STATUS.approved, { panMasked: '497010******0042' })))).toEqual(
      wire,
    );
    expect(decodeAnswer(wire.subarray(1, -2).toString('latin1'))).toEqual({
      register: '01',
      status: '0',
      amount: '00001250',
      paymentMode: '1',
      currency: '978',
      privateData: SP10,
    });
  });

  it('(d) declined: short form LRC 34; full form 83 bytes with 55 zeros, ending 03 04 (the LRC equals EOT)', () => {
    expect(frameMessage(encodeAnswer(answerTo(shortSale, STATUS.refused)))).toEqual(
      hex('02 30 31 37 30 30 30 30 31 32 35 30 31 39 37 38 20 20 20 20 20 20 20 20 20 20 03 34'),
    );
    const full = frameMessage(encodeAnswer(answerTo(sale, STATUS.refused, { panMasked: '497010******0042' })));
    expect(full.length).toBe(83);
    expect(full.subarray(1, -2).toString('latin1')).toBe(`017000012501${'0'.repeat(55)}978${SP10}`);
    expect(full.subarray(-2)).toEqual(hex('03 04'));
  });

  it('(f) A011 request (pypostelium) LRC 01; the answer with private 0000000042 LRC 35', () => {
    const request = frameMessage(`0100001250010978${SP10}A011B010`);
    expect(request.subarray(-2)).toEqual(hex('03 01'));
    const r = decodeRequest(request.subarray(1, -2).toString('latin1'));
    expect(r).toMatchObject({ answerFlag: '0', paymentMode: '1', transactionType: '0', timing: 'A011' });
    const answer = frameMessage(encodeAnswer(answerTo(r, STATUS.approved, { privateData: '0000000042' })));
    expect(answer).toEqual(hex('02 30 31 30 30 30 30 30 31 32 35 30 31 39 37 38 30 30 30 30 30 30 30 30 34 32 03 35'));
  });

  it('(g) refund 12.50, short answer, A010: LRC 01', () => {
    const framed = frameMessage(`0100001250011978${SP10}A010B010`);
    expect(framed.at(-1)).toBe(0x01);
    expect(decodeRequest(framed.subarray(1, -2).toString('latin1'))).toMatchObject({
      transactionType: '1',
      answerFlag: '0',
      timing: 'A010',
    });
  });

  it('(h) protocol E sale: 26 characters, 29 bytes, LRC 02 (equal to STX)', () => {
    const framed = frameMessage(`0100001250110978${SP10}`);
    expect(framed.length).toBe(29);
    expect(framed.at(-1)).toBe(0x02);
    const r = decodeRequest(framed.subarray(1, -2).toString('latin1'));
    expect(r.timing).toBeUndefined();
    expect(encodeRequest(r)).toBe(`0100001250110978${SP10}`);
  });
});

describe('LRC, parity and frame checks', () => {
  it('LRC covers the message and ETX, not STX', () => {
    expect(lrc(Buffer.from(''))).toBe(0x03);
    expect(lrc(Buffer.from('A'))).toBe(0x41 ^ 0x03);
    const f = frameMessage('AB');
    expect(f).toEqual(Buffer.from([0x02, 0x41, 0x42, 0x03, 0x41 ^ 0x42 ^ 0x03]));
  });

  it('a wrong LRC, a byte outside printable ASCII and a parity error are faults', () => {
    const good = frameMessage(`0100001250110978${SP10}`);
    const badLrc = Buffer.from(good);
    badLrc.writeUInt8(badLrc.readUInt8(badLrc.length - 1) ^ 1, badLrc.length - 1);
    expect(checkFrame(badLrc, undefined)).toMatchObject({ ok: false, fault: 'lrc' });
    const control = frameMessage(Buffer.from([0x30, 0x01, 0x30]));
    expect(checkFrame(control, undefined)).toMatchObject({ ok: false, fault: 'not-printable' });
    const seven = onLine(good, '7E1');
    const broken = Buffer.from(seven);
    broken.writeUInt8(broken.readUInt8(5) ^ 0x80, 5); // one parity bit flipped
    expect(checkFrame(broken, '7E1')).toMatchObject({ ok: false, fault: 'parity' });
  });

  it("'1' (31) is B1 on a 7E1 line, ENQ, ACK and ETX stay as they are, STX is 82, EOT 84, NAK 95", () => {
    expect(withParity(0x31)).toBe(0xb1);
    expect([0x05, 0x06, 0x03, 0x02, 0x04, 0x15].map(withParity)).toEqual([0x05, 0x06, 0x03, 0x82, 0x84, 0x95]);
    expect(parityOk(0xb1)).toBe(true);
    expect(parityOk(0x31)).toBe(false);
  });

  it('detects 7E1 from a frame whose bytes all carry even parity with bit 7 set somewhere; 8N1 otherwise', () => {
    const frame = frameMessage(`0100001250110978${SP10}A010B010`);
    expect(detectLine(frame)).toBe('8N1');
    const seven = onLine(frame, '7E1');
    expect(detectLine(seven)).toBe('7E1');
    expect(checkFrame(seven, undefined)).toMatchObject({ ok: true, mode: '7E1', message: frame.subarray(1, -2) });
  });

  it('control characters without a parity bit when asked (controlParity false)', () => {
    expect(onLine(Buffer.from([0x04]), '7E1', false)).toEqual(Buffer.from([0x04]));
    expect(onLine(Buffer.from([0x04]), '7E1', true)).toEqual(Buffer.from([0x84]));
    const f = onLine(frameMessage('1'), '7E1', false);
    expect(f).toEqual(Buffer.from([0x02, 0xb1, 0x03, withParity(0x31 ^ 0x03)]));
  });

  it('requests of another length and answers of another length are format errors', () => {
    expect(() => decodeRequest('0'.repeat(25))).toThrow(ConcertFormatError);
    expect(() => decodeRequest('0'.repeat(35))).toThrow(ConcertFormatError);
    expect(() => decodeRequest(`0100001250110978\u00e9${' '.repeat(9)}`)).toThrow(ConcertFormatError);
    expect(() => decodeAnswer('0'.repeat(26))).toThrow(ConcertFormatError);
  });

  it('the card report is masked, zero-filled, and all zeros without a masked PAN', () => {
    expect(cardReport('541333******1234')).toBe(`5413330000001234${'0'.repeat(39)}`);
    expect(cardReport('5413331234561234')).toBe('0'.repeat(55)); // never an unmasked PAN
    expect(cardReport(undefined)).toBe('0'.repeat(55));
  });
});

const printable = (n: number): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength: n,
    maxLength: n,
  });

export const requestArb: fc.Arbitrary<ConcertRequest> = fc
  .record({
    register: printable(2),
    amount: printable(8),
    answerFlag: printable(1),
    paymentMode: printable(1),
    transactionType: printable(1),
    currency: printable(3),
    privateData: printable(10),
    plus: fc.option(fc.record({ timing: printable(4), authorisation: printable(4) }), { nil: undefined }),
  })
  .map(({ plus, ...r }) => ({ ...r, ...(plus ?? {}) }));

const answerArb: fc.Arbitrary<ConcertAnswer> = fc
  .record({
    register: printable(2),
    status: printable(1),
    amount: printable(8),
    paymentMode: printable(1),
    report: fc.option(printable(55), { nil: undefined }),
    currency: printable(3),
    privateData: printable(10),
  })
  .map(({ report, ...a }) => ({ ...a, ...(report !== undefined ? { report } : {}) }));

describe('properties', () => {
  it('decode(encode(request)) = request, and the frame checks out in both line modes', () => {
    fc.assert(
      fc.property(requestArb, fc.constantFrom('7E1' as const, '8N1' as const), (r, mode) => {
        const m = encodeRequest(r);
        expect(decodeRequest(m)).toEqual(r);
        const wire = onLine(frameMessage(m), mode);
        const c = checkFrame(wire, undefined);
        expect(c.ok && c.message.toString('latin1')).toBe(m);
      }),
      { numRuns: 1000 },
    );
  });

  it('decode(encode(answer)) = answer', () => {
    fc.assert(
      fc.property(answerArb, (a) => void expect(decodeAnswer(encodeAnswer(a))).toEqual(a)),
      { numRuns: 1000 },
    );
  });
});
