/**
 * ECR17 codec, byte-exact against every worked example of ecr17.md §11 (and the LRC table of §2): requests as the
 * register sends them, answers as the bridge must send them, framed with the LRC of each mode.
 */
import { describe, expect, it } from 'vitest';
import { FrameReader, ackFrame, frame, nakFrame, progressFrame } from '../../src/register/ecr17/framing';
import { LRC_MODES, lrc, modeOf } from '../../src/register/ecr17/lrc';
import {
  decodeAnswer,
  decodeRequest,
  encodeAnswer,
  encodeRequest,
  type ResultMsg,
} from '../../src/register/ecr17/messages';
import { LrcLearner } from '../../src/register/ecr17/link';
import { dayOfYearTime, pan19, reasonText, registerText, resultMessage } from '../../src/register/ecr17/results';
import { fitLine, receiptMessages } from '../../src/register/ecr17/session';

const hex = (b: Uint8Array): string =>
  Buffer.from(b)
    .toString('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1 ');
const sp = (n: number): string => ' '.repeat(n);
/** STX · text · ETX · LRC as bytes, the LRC given by the sheet. */
const framed = (text: string, lrcHex: string): Buffer =>
  Buffer.concat([Buffer.from([0x02]), Buffer.from(text, 'latin1'), Buffer.from([0x03, parseInt(lrcHex, 16)])]);

// §11 (a)–(e), written out from the sheet field by field.
const SALE = '12345678' + '0' + 'P' + '00000001' + '0' + '00' + '0' + '0' + '00001250' + sp(128) + '00000000';
const APPROVED =
  '12345678' +
  '0' +
  'E' +
  '00' +
  '000497010******0042' +
  'CLI' +
  'A1B2C3' +
  '0731430' +
  '2' +
  '00123456789' +
  '000042' +
  '000017';
const DECLINED =
  '12345678' +
  '0' +
  'E' +
  '01' +
  'DECLINED BY ISSUER' +
  sp(6) +
  '00000000000' +
  '2' +
  '00123456789' +
  '000043' +
  '000018';
const CAPTURED = '00000000' + '0' + 'P' + '00000001' + '0' + '00' + '0' + '0' + '00000650' + sp(128) + '00000000';
const REVERSAL = '123456780S0000000100004200';
// (e) gives only the end of the reversal's result (…000044 000019 000 0000000000, LRC 72): the start is (b) with the
// approval code 000000 and 14:32 (the only time that gives LRC 72 with (b)'s other fields).
const REVERSAL_RESULT =
  '12345678' +
  '0' +
  'E' +
  '00' +
  '000497010******0042' +
  'CLI' +
  '000000' +
  '0731432' +
  '2' +
  '00123456789' +
  '000044' +
  '000019' +
  '000' +
  '0000000000';
const STATUS = '123456780s';
const STATUS_ANSWER = '123456780s' + '0000000000' + '1403251430' + '2' + 'MPBRG100';
const TOTALS = '123456780T0000000100000000';
const TOTALS_ANSWER = '123456780T' + '00' + '0000000000012500' + '000000';
const CLOSE = '123456780C0000000100000000';
const CLOSE_ANSWER = '123456780C' + '00' + '0000000000012500' + '0000000000012500';
const LAST = '123456780G000000010000';
const PRINT_SWITCH = '123456780E1';

describe('ECR17 LRC (§2)', () => {
  it('ACK and NAK frames in the four modes, as the table gives them', () => {
    expect(LRC_MODES.map((m) => hex(ackFrame(m)))).toEqual(['06 03 79', '06 03 78', '06 03 7A', '06 03 7B']);
    expect(LRC_MODES.map((m) => hex(nakFrame(m)))).toEqual(['15 03 6A', '15 03 6B', '15 03 69', '15 03 68']);
  });

  it('the four candidates of one frame are L, L^01, L^03, L^02 and name their mode', () => {
    const msg = Buffer.from(SALE, 'latin1');
    const l = lrc(msg, 'std');
    expect(l).toBe(0x20);
    expect([lrc(msg, 'stx'), lrc(msg, 'noext'), lrc(msg, 'stx_noext')]).toEqual([l ^ 0x01, l ^ 0x03, l ^ 0x02]);
    for (const m of LRC_MODES) expect(modeOf(msg, lrc(msg, m))).toBe(m);
    expect(modeOf(msg, l ^ 0x10)).toBeUndefined();
  });

  it('learning: the first frame sets the mode, two agreeing frames fix it, a stray mode is NAKed, three in a row relearn', () => {
    const a = Buffer.from(SALE, 'latin1');
    const b = Buffer.from(LAST, 'latin1');
    const learner = new LrcLearner('auto');
    expect(learner.check(a, lrc(a, 'noext'))).toEqual({ ok: true, mode: 'noext' });
    expect(learner.mode).toBe('noext');
    expect(learner.check(b, lrc(b, 'noext'))).toEqual({ ok: true, mode: 'noext', changed: 'noext' });
    expect(learner.check(a, lrc(a, 'std'))).toEqual({ ok: false, mode: 'noext' });
    expect(learner.check(a, 0x00)).toEqual({ ok: false, mode: 'noext' });
    expect(learner.check(a, lrc(a, 'std'))).toEqual({ ok: false, mode: 'noext' });
    expect(learner.check(a, lrc(a, 'std'))).toEqual({ ok: true, mode: 'std', changed: 'std' });
    const fixed = new LrcLearner('stx');
    expect(fixed.check(a, lrc(a, 'stx')).ok).toBe(true);
    expect(fixed.check(a, lrc(a, 'std'))).toEqual({ ok: false, mode: 'stx' });
  });
});

describe('ECR17 worked examples (§11), byte-exact', () => {
  it('(a) sale 12.50 EUR: 167 characters, 170 bytes framed, LRC 20 (std) / 21 (stx)', () => {
    expect(SALE).toHaveLength(167);
    const req = decodeRequest(SALE);
    expect(req).toEqual({
      code: 'P',
      terminalId: '12345678',
      registerId: '00000001',
      additionalData: false,
      cardPresent: false,
      cardFilter: 0,
      amount: 1250,
      text: '',
    });
    expect(encodeRequest(req)).toBe(SALE);
    expect(frame(SALE, 'std')).toEqual(framed(SALE, '20'));
    expect(frame(SALE, 'std')).toHaveLength(170);
    expect(frame(SALE, 'stx')).toEqual(framed(SALE, '21'));
    expect(hex(ackFrame('std'))).toBe('06 03 79');
  });

  it('(b) approved result: 71 characters, LRC 38 (std) / 39 (stx)', () => {
    const msg: ResultMsg = {
      code: 'E',
      format: 'payment',
      terminalId: '12345678',
      result: '00',
      pan: '497010******0042',
      entryMode: 'CLI',
      approvalCode: 'A1B2C3',
      hostDateTime: '0731430',
      cardType: 2,
      acquirerId: '00123456789',
      stan: '000042',
      onlineNo: '000017',
    };
    expect(encodeAnswer(msg)).toBe(APPROVED);
    expect(APPROVED).toHaveLength(71);
    expect(frame(APPROVED, 'std')).toEqual(framed(APPROVED, '38'));
    expect(frame(APPROVED, 'stx')).toEqual(framed(APPROVED, '39'));
    expect(decodeAnswer(APPROVED)).toEqual({ ...msg, pan: '000497010******0042' });
  });

  it('(c) declined result: 71 characters, LRC 26 (std) / 27 (stx)', () => {
    const msg: ResultMsg = {
      code: 'E',
      format: 'payment',
      terminalId: '12345678',
      result: '01',
      reason: 'DECLINED BY ISSUER',
      cardType: 2,
      acquirerId: '00123456789',
      stan: '000043',
      onlineNo: '000018',
    };
    expect(encodeAnswer(msg)).toBe(DECLINED);
    expect(DECLINED).toHaveLength(71);
    expect(frame(DECLINED, 'std')).toEqual(framed(DECLINED, '26'));
    expect(frame(DECLINED, 'stx')).toEqual(framed(DECLINED, '27'));
    expect(decodeAnswer(DECLINED)).toEqual(msg);
  });

  it('(d) the captured request (TID 00000000, 6.50 EUR): LRC 2D (std) / 2C (stx)', () => {
    const req = decodeRequest(CAPTURED);
    expect(req).toMatchObject({ code: 'P', terminalId: '00000000', registerId: '00000001', amount: 650 });
    expect(frame(encodeRequest(req), 'std')).toEqual(framed(CAPTURED, '2D'));
    expect(frame(CAPTURED, 'stx')).toEqual(framed(CAPTURED, '2C'));
  });

  it('(e) reversal of STAN 000042 (LRC 13) and its 84-character result (LRC 72)', () => {
    const req = decodeRequest(REVERSAL);
    expect(req).toEqual({
      code: 'S',
      terminalId: '12345678',
      registerId: '00000001',
      stan: '000042',
      additionalData: false,
    });
    expect(frame(encodeRequest(req), 'std')).toEqual(framed(REVERSAL, '13'));
    const result: ResultMsg = {
      code: 'E',
      format: 'reversal',
      terminalId: '12345678',
      result: '00',
      pan: '497010******0042',
      entryMode: 'CLI',
      approvalCode: '000000',
      hostDateTime: '0731432',
      cardType: 2,
      acquirerId: '00123456789',
      stan: '000044',
      onlineNo: '000019',
      actionCode: '000',
    };
    const text = encodeAnswer(result);
    expect(text).toHaveLength(84);
    expect(text.endsWith('000044' + '000019' + '000' + '0000000000')).toBe(true);
    expect(frame(text, 'std')).toEqual(framed(REVERSAL_RESULT, '72'));
  });

  it('(e) status request (34) and answer (7A)', () => {
    expect(decodeRequest(STATUS)).toEqual({ code: 's', terminalId: '12345678' });
    expect(frame(encodeRequest({ code: 's', terminalId: '12345678' }), 'std')).toEqual(framed(STATUS, '34'));
    const answer = encodeAnswer({
      code: 's',
      terminalId: '12345678',
      dateTime: '1403251430',
      status: 2,
      releases: ['MPBRG100'],
    });
    expect(frame(answer, 'std')).toEqual(framed(STATUS_ANSWER, '7A'));
    expect(decodeAnswer(STATUS_ANSWER)).toEqual({
      code: 's',
      terminalId: '12345678',
      dateTime: '1403251430',
      status: 2,
      releases: ['MPBRG100'],
    });
  });

  it('(e) totals request (12) and answer (15)', () => {
    expect(decodeRequest(TOTALS)).toEqual({
      code: 'T',
      terminalId: '12345678',
      registerId: '00000001',
      additionalData: false,
    });
    expect(frame(TOTALS, 'std')).toEqual(framed(TOTALS, '12'));
    const answer = encodeAnswer({ code: 'T', terminalId: '12345678', result: '00', total: 12500 });
    expect(frame(answer, 'std')).toEqual(framed(TOTALS_ANSWER, '15'));
    expect(decodeAnswer(TOTALS_ANSWER)).toEqual({ code: 'T', terminalId: '12345678', result: '00', total: 12500 });
  });

  it('(e) close request (05) and answer (04); a KO answer keeps 44 characters', () => {
    expect(decodeRequest(CLOSE)).toEqual({
      code: 'C',
      terminalId: '12345678',
      registerId: '00000001',
      additionalData: false,
    });
    expect(frame(CLOSE, 'std')).toEqual(framed(CLOSE, '05'));
    const answer = encodeAnswer({
      code: 'C',
      terminalId: '12345678',
      result: '00',
      terminalTotal: 12500,
      hostTotal: 12500,
    });
    expect(frame(answer, 'std')).toEqual(framed(CLOSE_ANSWER, '04'));
    const ko = encodeAnswer({
      code: 'C',
      terminalId: '12345678',
      result: '01',
      reason: 'CLOSE FAILED',
      actionCode: '100',
    });
    expect(ko).toHaveLength(44);
    expect(decodeAnswer(ko)).toEqual({
      code: 'C',
      terminalId: '12345678',
      result: '01',
      reason: 'CLOSE FAILED',
      actionCode: '100',
    });
  });

  it('(e) send last result (01) and print switch (33); progress frame', () => {
    expect(decodeRequest(LAST)).toEqual({
      code: 'G',
      terminalId: '12345678',
      registerId: '00000001',
      additionalData: false,
    });
    expect(frame(LAST, 'std')).toEqual(framed(LAST, '01'));
    expect(decodeRequest(PRINT_SWITCH)).toEqual({ code: 'E', terminalId: '12345678', ecrPrints: true });
    expect(frame(encodeRequest({ code: 'E', terminalId: '12345678', ecrPrints: true }), 'std')).toEqual(
      framed(PRINT_SWITCH, '33'),
    );
    expect(hex(progressFrame('INSERIRE CARTA'))).toBe(
      hex(Buffer.concat([Buffer.from([0x01]), Buffer.from('INSERIRE CARTA' + sp(6)), Buffer.from([0x04])])),
    );
  });
});

describe('ECR17 messages beyond the examples', () => {
  it('X request and its 92-character result; unknown codes decode as unsupported; bad layouts throw', () => {
    const x = decodeRequest(SALE.replace('0P', '0X'));
    expect(x).toMatchObject({ code: 'X', amount: 1250 });
    const ext = encodeAnswer({
      code: 'E',
      format: 'extended',
      terminalId: '12345678',
      result: '00',
      pan: '497010******0042',
      entryMode: 'ICC',
      approvalCode: '123456',
      hostDateTime: '0731430',
      cardType: 2,
      acquirerId: '',
      stan: '000042',
      onlineNo: '000017',
      actionCode: '000',
      hostAmount: 1250,
    });
    expect(ext).toHaveLength(92);
    expect(ext.slice(71)).toBe('000' + '00001250' + '0000000000');
    expect(decodeRequest('123456780p0000000100')).toEqual({ code: 'unsupported', terminalId: '12345678', letter: 'p' });
    expect(() => decodeRequest(SALE.slice(0, 166))).toThrow(/167 characters/);
    expect(() => decodeRequest(SALE.replace('00001250', '0000125A'))).toThrow(/amount/);
    expect(() => decodeRequest('1234567X0P')).toThrow(/terminal ID/);
    expect(() => decodeRequest('123456780G00000001200')).toThrow();
  });

  it('the receipt text of P is right-aligned and read back without its fill', () => {
    const req = decodeRequest(SALE.slice(0, 31) + 'GRAZIE E ARRIVEDERCI'.padStart(128) + '00000000');
    expect(req).toMatchObject({ text: 'GRAZIE E ARRIVEDERCI' });
    expect(encodeRequest(req)).toContain(sp(108) + 'GRAZIE E ARRIVEDERCI00000000');
  });

  it('results from the journal: masked PAN only, day of the year with 1 January = 1, replayed identically', () => {
    expect(pan19('541333******1234', '*')).toBe('000541333******1234');
    expect(pan19('5413330000001234', 'X')).toBe('000541333XXXXXX1234');
    expect(pan19(undefined, '*')).toBe('0'.repeat(19));
    expect(dayOfYearTime({ txDate: '2025-03-14', txTime: '14:30:15' }, '2025-03-14T13:30:00Z')).toBe('0731430');
    expect(dayOfYearTime({ txDate: '2025-01-01', txTime: '0005' }, '2025-01-01T00:05:00Z')).toBe('0010005');
    const view = {
      id: 'p1',
      register: 'pos/00000001',
      ref: 'E17P-1',
      kind: 'sale' as const,
      amount: { minor: 1250, currency: 'EUR' },
      terminal: 't',
      stage: 'done' as const,
      outcome: 'approved' as const,
      message: '',
      delivered: true,
      acknowledged: true,
      createdAt: '2025-03-14T13:30:00Z',
      updatedAt: '',
      result: {
        ref: 'E17P-1',
        kind: 'sale' as const,
        outcome: 'approved' as const,
        amount: { minor: 1250, currency: 'EUR' },
        terminal: 't',
        message: '',
        panMasked: '497010******0042',
        entryMode: 'CONTACTLESS',
        authCode: 'A1B2C3',
        cardScheme: 'Visa',
        receiptNo: 42,
        stan: '17',
        txDate: '2025-03-14',
        txTime: '14:30:00',
      },
    };
    const ctx = { terminalId: '12345678', acquirerId: '00123456789', panMask: '*' as const };
    expect(encodeAnswer(resultMessage(view, 'payment', ctx))).toBe(APPROVED);
    expect(encodeAnswer(resultMessage({ ...view, reversed: true }, 'payment', ctx))).toMatch(
      /^123456780E01REVERSED {16}/,
    );
  });

  it('receipt lines: 24 columns, 7D between lines, messages of at most 200 characters, the last ending 7D×6 1B', () => {
    expect(fitLine('Amount                   EUR 12.50')).toEqual(['Amount         EUR 12.50']);
    expect(fitLine(' '.repeat(10) + 'CARD PAYMENT')).toEqual(['      CARD PAYMENT']);
    expect(fitLine('-'.repeat(32))).toEqual(['-'.repeat(24)]);
    expect(fitLine(' '.repeat(14) + 'SALE')).toEqual(['          SALE']);
    expect(fitLine(' '.repeat(16) + 'Mastercard Debit')).toEqual(['        Mastercard Debit']);
    expect(fitLine('Application     Mastercard Debit')).toEqual(['Application', '        Mastercard Debit']);
    expect(fitLine('Please retain this receipt')).toEqual(['Please retain this', 'receipt']);
    const lines = Array.from({ length: 20 }, (_, i) => `Line ${i}`.padEnd(30, '.'));
    const msgs = receiptMessages(lines, '12345678');
    expect(msgs.length).toBeGreaterThan(1);
    for (const m of msgs) {
      expect(m.startsWith('123456780S')).toBe(true);
      expect(m.length - 10).toBeLessThanOrEqual(200);
      expect(decodeAnswer(m)).toMatchObject({ code: 'S' });
    }
    expect(msgs.at(-1)!.endsWith('\x7d'.repeat(6) + '\x1b')).toBe(true);
    expect(
      msgs
        .map((m) => m.slice(10))
        .join('')
        .split('\x7d')
        .slice(0, 2),
    ).toEqual(['Line', '0' + '.'.repeat(23)]);
  });
});

describe('ECR17 texts from the register catalogue', () => {
  it("in the shop's language, upper-case ASCII within the field", () => {
    expect(registerText('progress.presentCard', 20)).toBe('PRESENT CARD');
    expect(registerText('progress.presentCard', 20, 'it-IT')).toBe('INSERIRE CARTA');
    expect(reasonText('declined', 'it-IT')).toBe("NEGATA DALL'EMITTENTE");
    expect(reasonText('declined', 'fr-FR')).toMatch(/^[\x20-\x7e]{1,24}$/);
    expect(registerText('progress.presentCard', 20, 'el-GR')).toMatch(/^[\x20-\x7e]{1,20}$/);
  });
});

describe('ECR17 frame reader (§2 stream parsing)', () => {
  it('cuts frames split and joined, skips stray bytes, takes bare and 3-byte ACK/NAK, reports a frame cut short', () => {
    const r = new FrameReader();
    const stream = Buffer.concat([
      Buffer.from('zz'),
      framed(LAST, '01'),
      Buffer.from([0x06, 0x03, 0x79, 0x15, 0x06]),
      Buffer.from([0x02, 0x41]),
      framed(STATUS, '34'),
    ]);
    const out = [];
    for (const b of stream) out.push(...r.push(Buffer.from([b])));
    expect(out.map((f) => f.type)).toEqual(['message', 'ack', 'nak', 'ack', 'broken', 'message']);
    expect(out[0]).toMatchObject({ message: Buffer.from(LAST), check: 0x01 });
    expect(r.takeSkipped()).toBe(2);
    // an ACK cut after its ETX does not swallow the STX of the next frame
    expect(
      new FrameReader().push(Buffer.concat([Buffer.from([0x06, 0x03]), framed(STATUS, '34')])).map((f) => f.type),
    ).toEqual(['ack', 'message']);
  });
});
