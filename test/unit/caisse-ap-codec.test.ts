/**
 * Caisse-AP codec and messages, byte-exact against every worked example of ../shared/specs/caisse-ap.md §12 (requests
 * and answers, approved and declined), the refusal order of §4, the result codes of §7, and fast-check properties.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeFields, fieldMap, scanMessages, type Field } from '../../src/register/caisse-ap/codec';
import {
  AE,
  AF,
  answer,
  applicationCode,
  cardFields,
  checkRequest,
  echoBlock,
  partialPan,
  readingMode,
  resultCodes,
} from '../../src/register/caisse-ap/messages';
import { parseCaisseApOptions } from '../../src/register/caisse-ap/options';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
const text = (b: Buffer): string => b.toString('latin1');
const f = (tag: string, value: string): Field => ({ tag, value });

/** §12 (a): sale 12.50 EUR as the akretion client orders the fields. */
const SALE = 'CZ0040300CJ012012345678901CA00201CE003978BA0010CD0010CB0041250';
/** §12 (b): the approved answer, one line on the wire. */
const APPROVED =
  'CZ0040300CJ012012345678901CA00201CE003978BA0010CD0010CB0041250AE00210AF00201CC003001CI0012' +
  'AC006A1B2C3AA016497010######0042AB0042712AI014A0000000421010';
/** §12 (c): declined by the issuer. */
const DECLINED = 'CZ0040300CJ012012345678901CA00201CE003978BA0010CD0010CB0041250AE00201AF00204';
/** §12 (d): refund 12.50 EUR. */
const REFUND = 'CZ0040300CJ012012345678901CA00201CE003978BA0010CD0011CB0041250';
/** §12 (e): void of the last sale, PayXpert's field order. */
const VOID = 'CZ0040320CJ012012345678901CA00201CB0041250CD0012CE003978';
/** §12 (f): immediate mode and its answer. */
const IMMEDIATE = 'CZ0040300CJ012012345678901CA00201CE003978BA0011CD0010CB0041250';
const IMMEDIATE_ANSWER = 'CZ0040300CJ012012345678901CA00201CE003978BA0011CD0010CB0041250AE00211';
/** §12 (g): unsupported operation (telecollection) and its answer. */
const TELECOLLECTION = 'CZ0040300CJ012012345678901CA00201CE003978CD001BCB00200';
const TELECOLLECTION_ANSWER = 'CZ0040300CJ012012345678901CA00201CE003978CD001BCB00200AE00201AF00212';
/** §12 (h): captured from the akretion client. */
const CAPTURED_SALE = 'CZ0040300CJ012012345678901CA00201CE003978BA0010CD0010CB00511245';
const CAPTURED_REFUND = 'CZ0040300CJ012012345678901CA00201CE003978BA0010CD0011CB003500';

const OPTS = parseCaisseApOptions({});

describe('Caisse-AP worked examples (caisse-ap.md §12), byte-exact', () => {
  it('(a) sale request: 62 bytes, CZ first, fields in the akretion order', () => {
    expect(bytes(SALE)).toHaveLength(62);
    const fields = decodeMessage(bytes(SALE));
    expect(fields).toEqual([
      f('CZ', '0300'),
      f('CJ', '012345678901'),
      f('CA', '01'),
      f('CE', '978'),
      f('BA', '0'),
      f('CD', '0'),
      f('CB', '1250'),
    ]);
    expect(text(encodeFields(fields))).toBe(SALE);
    expect(checkRequest(fields)).toEqual({
      ok: true,
      request: {
        op: 'sale',
        register: '01',
        immediate: false,
        amountMinor: 1250,
        currency: expect.objectContaining({ code: 'EUR' }),
      },
    });
  });

  it('(b) approved answer: 150 bytes — echo block, AE 10, AF 01, CC, CI, AC, AA, AB, AI', () => {
    const echo = echoBlock(decodeMessage(bytes(SALE)));
    const out = answer(echo, AE.DONE, AF.AUTHORISED, [
      f('CC', '001'),
      f('CI', '2'),
      f('AC', 'A1B2C3'),
      f('AA', '497010######0042'),
      f('AB', '2712'),
      f('AI', 'A0000000421010'),
    ]);
    expect(text(out)).toBe(APPROVED);
    expect(out).toHaveLength(150);
    expect(text(encodeFields(decodeMessage(bytes(APPROVED))))).toBe(APPROVED);
  });

  it('(b) the card tags the bridge builds from a myPOS result: the example without AB (the bridge keeps no expiry)', () => {
    const result = {
      ref: 'CA01-000001',
      kind: 'sale' as const,
      outcome: 'approved' as const,
      amount: { minor: 1250, currency: 'EUR' },
      terminal: 't',
      message: 'Approved',
      cardScheme: 'CB',
      entryMode: 'CHIP',
      authCode: 'A1B2C3',
      panMasked: '497010******0042',
      aid: 'A0000000421010',
    };
    const echo = echoBlock(decodeMessage(bytes(SALE)));
    const out = text(answer(echo, AE.DONE, AF.AUTHORISED, cardFields(result, OPTS)));
    expect(out).toBe(APPROVED.replace('CI0012', 'CI0011').replace('AB0042712', ''));
    // Contactless: CB contactless application 00B, CI 2.
    expect(cardFields({ ...result, entryMode: 'CONTACTLESS' }, OPTS).slice(0, 2)).toEqual([
      f('CC', '00B'),
      f('CI', '2'),
    ]);
  });

  it('(c) declined answer: 76 bytes, the same echo block, AE 01, AF 04', () => {
    const echo = echoBlock(decodeMessage(bytes(SALE)));
    const codes = resultCodes({ outcome: 'declined', terminalStatus: '14', hostCode: '51' });
    expect(codes).toEqual({ ae: AE.NOT_DONE, af: AF.REFUSED });
    const out = answer(echo, codes.ae, codes.af);
    expect(text(out)).toBe(DECLINED);
    expect(out).toHaveLength(76);
  });

  it('(d) refund request and its answers with CD0011', () => {
    const fields = decodeMessage(bytes(REFUND));
    expect(checkRequest(fields)).toMatchObject({ ok: true, request: { op: 'refund', amountMinor: 1250 } });
    const echo = echoBlock(fields);
    expect(text(answer(echo, AE.NOT_DONE, AF.REFUSED))).toBe(DECLINED.replace('CD0010', 'CD0011'));
    expect(
      text(
        answer(echo, AE.DONE, AF.AUTHORISED, [
          f('CC', '001'),
          f('CI', '2'),
          f('AC', 'A1B2C3'),
          f('AA', '497010######0042'),
          f('AB', '2712'),
          f('AI', 'A0000000421010'),
        ]),
      ),
    ).toBe(APPROVED.replace('CD0010', 'CD0011'));
  });

  it('(e) void in PayXpert order: CZ 0320 echoed, the echo block in request order (CZ CJ CA CB CD CE)', () => {
    const fields = decodeMessage(bytes(VOID));
    expect(checkRequest(fields)).toMatchObject({
      ok: true,
      request: { op: 'void', amountMinor: 1250, immediate: false },
    });
    expect(text(answer(echoBlock(fields), AE.DONE, AF.AUTHORISED))).toBe(`${VOID}AE00210AF00201`);
  });

  it('(f) immediate mode: the request with BA0011 and the 69-byte answer AE 11 without AF', () => {
    const fields = decodeMessage(bytes(IMMEDIATE));
    expect(checkRequest(fields)).toMatchObject({ ok: true, request: { op: 'sale', immediate: true } });
    const out = answer(echoBlock(fields), AE.TAKEN_INTO_ACCOUNT);
    expect(text(out)).toBe(IMMEDIATE_ANSWER);
    expect(out).toHaveLength(69);
  });

  it('(g) unsupported operation CD=B: AE 01 AF 12 — before the zero amount is looked at', () => {
    const fields = decodeMessage(bytes(TELECOLLECTION));
    const check = checkRequest(fields);
    expect(check).toMatchObject({ ok: false, af: AF.UNKNOWN_ACTION });
    expect(text(answer(echoBlock(fields), AE.NOT_DONE, check.ok ? undefined : check.af))).toBe(TELECOLLECTION_ANSWER);
  });

  it('(h) captured requests: sale 112.45 EUR (63 bytes), refund 5.00 EUR (61 bytes)', () => {
    expect(bytes(CAPTURED_SALE)).toHaveLength(63);
    expect(bytes(CAPTURED_REFUND)).toHaveLength(61);
    expect(checkRequest(decodeMessage(bytes(CAPTURED_SALE)))).toMatchObject({
      ok: true,
      request: { op: 'sale', amountMinor: 11245 },
    });
    expect(checkRequest(decodeMessage(bytes(CAPTURED_REFUND)))).toMatchObject({
      ok: true,
      request: { op: 'refund', amountMinor: 500 },
    });
  });

  it('§2: CB0041250 is tag CB, length 004, value 1250', () => {
    expect(scanMessages(bytes('CZ0040300CB0041250')).tail.fields[1]).toEqual(f('CB', '1250'));
  });
});

describe('receiving (§1, §2)', () => {
  it('a message grows field by field: partial inside a field, whole at a field boundary', () => {
    for (let n = 0; n <= SALE.length; n++) {
      const r = scanMessages(bytes(SALE.slice(0, n)));
      expect(r.problem).toBeUndefined();
      expect(r.messages).toEqual([]);
      const boundary = n === 0 || [9, 26, 33, 41, 47, 53, 62].includes(n);
      expect(r.tail.whole).toBe(boundary);
    }
  });

  it('pipelined requests are cut at each CZ; the last one stays the tail', () => {
    const r = scanMessages(bytes(SALE + REFUND + 'CZ004'));
    expect(r.messages.map((m) => text(encodeFields(m)))).toEqual([SALE, REFUND]);
    expect(r.tail).toMatchObject({ fields: [], start: 124, whole: false });
  });

  it('a line break after the request is no field and no error', () => {
    const r = scanMessages(bytes(`${SALE}\r\n`));
    expect(r.problem).toBeUndefined();
    expect(r.tail.whole).toBe(true);
    expect(r.tail.fields).toHaveLength(7);
  });

  it('garbage: no tag, a length that is no number, a byte outside ASCII, a first field other than CZ', () => {
    expect(scanMessages(bytes('GET / HTTP/1.1\r\n')).problem).toMatchObject({ at: 0 });
    expect(scanMessages(bytes('CZ0x40300')).problem).toMatchObject({ at: 2 });
    expect(scanMessages(Buffer.concat([bytes('CZ0040300CF002A'), Buffer.from([0xe9])])).problem).toMatchObject({
      at: 15,
    });
    expect(scanMessages(bytes('CA00201CZ0040300')).problem?.reason).toMatch(/must start with CZ/);
    expect(scanMessages(bytes('cz0040300')).problem).toMatchObject({ at: 0 });
  });

  it('a repeated tag: the last one wins (§2); the echo keeps its first position', () => {
    const fields = decodeMessage(bytes('CZ0040300CB003100CJ001XCA00201CD0010CE003978CB0041250'));
    expect(fieldMap(fields).get('CB')).toBe('1250');
    expect(echoBlock(fields).map((x) => `${x.tag}=${x.value}`)).toEqual([
      'CZ=0300',
      'CB=1250',
      'CJ=X',
      'CA=01',
      'CD=0',
      'CE=978',
    ]);
  });
});

describe('refusals in the order of §4', () => {
  const req = (s: string) => checkRequest(decodeMessage(bytes(s)));
  it('missing mandatory tags → AF 09 (CB may be missing for CD=I and CD=T)', () => {
    expect(req('CZ0040300CA00201CE003978CD0010CB0041250')).toMatchObject({ ok: false, af: '09', reason: 'missing CJ' });
    expect(req('CZ0040300CJ0010CA00201CE003978CD001I')).toMatchObject({ ok: true, request: { op: 'identification' } });
    expect(req('CZ0040300CJ0010CA00201CE003978CD001T')).toMatchObject({ ok: true, request: { op: 'status' } });
    expect(req('CZ0040300CJ0010CA00201CD001T')).toMatchObject({ ok: false, af: '09' });
  });
  it('CD 3, 7, P, B, R, C and unknown → AF 12', () => {
    for (const cd of ['3', '7', 'P', 'B', 'R', 'C', 'Z'])
      expect(req(`CZ0040300CJ0010CA00201CE003978CD001${cd}CB0041250`)).toMatchObject({ ok: false, af: '12' });
  });
  it('zero, non-digit or over-long amounts, bad BA or CA → AF 09', () => {
    expect(req('CZ0040300CJ0010CA00201CE003978CD0010CB00200')).toMatchObject({ ok: false, af: '09' });
    expect(req('CZ0040300CJ0010CA00201CE003978CD0010CB00512.50')).toMatchObject({ ok: false, af: '09' });
    expect(req('CZ0040300CJ0010CA00201CE003978CD0010CB0131234567890123')).toMatchObject({ ok: false, af: '09' });
    expect(req('CZ0040300CJ0010CA00201CE003978CD0010CB0041250BA0012')).toMatchObject({ ok: false, af: '09' });
    expect(req('CZ0040300CJ0010CA003001CE003978CD0010CB0041250')).toMatchObject({ ok: false, af: '09' });
    expect(req('CZ0040300CJ0010CA0011CE003978CD0010CB0041250')).toMatchObject({ ok: true, request: { register: '1' } });
  });
  it('a currency the terminal does not take → AF 13; a cheque → AF 10; currency before cheque', () => {
    expect(checkRequest(decodeMessage(bytes(SALE)), 'EUR')).toMatchObject({ ok: true });
    expect(checkRequest(decodeMessage(bytes(SALE.replace('CE003978', 'CE003953'))), 'EUR')).toMatchObject({
      ok: false,
      af: '13',
    });
    expect(checkRequest(decodeMessage(bytes(SALE.replace('CE003978', 'CE003000'))))).toMatchObject({
      ok: false,
      af: '13',
    });
    expect(checkRequest(decodeMessage(bytes(`${SALE}CC00300C`)), 'EUR')).toMatchObject({ ok: false, af: '10' });
    expect(checkRequest(decodeMessage(bytes(`${SALE.replace('CE003978', 'CE003953')}CC00300C`)), 'EUR')).toMatchObject({
      ok: false,
      af: '13',
    });
  });
  it('XPF has no minor unit: CB0041000 is 1000 XPF', () => {
    expect(
      checkRequest(decodeMessage(bytes(SALE.replace('CE003978', 'CE003953').replace('CB0041250', 'CB0041000')))),
    ).toMatchObject({
      ok: true,
      request: { amountMinor: 1000, currency: expect.objectContaining({ code: 'XPF', exponent: 0 }) },
    });
  });
});

describe('result codes and card data (§6.1, §7)', () => {
  it('outcomes → AE/AF', () => {
    expect(resultCodes({ outcome: 'approved' })).toEqual({ ae: '10', af: '01' });
    expect(resultCodes({ outcome: 'declined', hostCode: '05' })).toEqual({ ae: '01', af: '04' });
    expect(resultCodes({ outcome: 'declined', hostCode: '43' })).toEqual({ ae: '01', af: '05' });
    expect(resultCodes({ outcome: 'cancelled', terminalStatus: '13' })).toEqual({ ae: '01', af: '06' });
    expect(resultCodes({ outcome: 'cancelled', terminalStatus: '5' })).toEqual({ ae: '01', af: '08' });
    expect(resultCodes({ outcome: 'cancelled', cancelTookEffect: true })).toEqual({ ae: '01', af: '11' });
    expect(resultCodes({ outcome: 'cancelled', cancelTookEffect: true }, true)).toEqual({ ae: '01', af: '08' });
    expect(resultCodes({ outcome: 'failed', terminalStatus: '15' })).toEqual({ ae: '01', af: '07' });
    expect(resultCodes({ outcome: 'in_doubt' })).toEqual({ ae: '01', af: '00' });
  });

  it('application codes by scheme and reading mode', () => {
    expect(applicationCode('VISA', false, 'cb')).toBe('001');
    expect(applicationCode('MASTERCARD', true, 'cb')).toBe('00B');
    expect(applicationCode('MAESTRO', true, 'other')).toBe('000');
    expect(applicationCode('AMEX', false, 'cb')).toBe('002');
    expect(applicationCode('AMEX', true, 'cb')).toBe('00D');
    expect(applicationCode('DISCOVER', false, 'cb')).toBe('006');
    expect(applicationCode('JCB', true, 'cb')).toBe('009');
    expect(applicationCode('UNIONPAY', false, 'cb')).toBe('00U');
    expect(applicationCode(undefined, false, 'cb')).toBe('000');
    expect(readingMode('CONTACTLESS')).toBe('2');
    expect(readingMode('CHIP')).toBe('1');
    expect(readingMode('MAGSTRIPE')).toBe('3');
    expect(readingMode('MANUAL')).toBe('4');
    expect(readingMode(undefined)).toBeUndefined();
  });

  it('the PAN leaves only partial: first six and last four at most, whatever the bridge holds', () => {
    expect(partialPan('497010******0042', '#')).toBe('497010######0042');
    expect(partialPan('541333******1234', '*')).toBe('541333******1234');
    expect(partialPan('4970101234560042', '#')).toBe('497010######0042');
    expect(partialPan('************0042', '#')).toBe('############0042');
    expect(partialPan('1234567890', '#')).toBeUndefined();
    expect(partialPan('not a pan', '#')).toBeUndefined();
    const withAl = cardFields(
      {
        ref: 'r',
        kind: 'sale',
        outcome: 'approved',
        amount: { minor: 1, currency: 'EUR' },
        terminal: 't',
        message: '',
        panMasked: '541333******1234',
      },
      { ...OPTS, panType: true },
    );
    expect(withAl.map((x) => x.tag)).toEqual(['CC', 'AA', 'AL']);
  });
});

describe('properties', () => {
  const field = fc.record({
    tag: fc.stringMatching(/^[A-Z]{2}$/),
    value: fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  });
  const message = fc
    .tuple(
      fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 6 }),
      fc.array(
        field.filter((x) => x.tag !== 'CZ'),
        { maxLength: 10 },
      ),
    )
    .map(([v, rest]) => [f('CZ', v), ...rest]);

  it('decode(encode(x)) = x', () => {
    fc.assert(
      fc.property(message, (m) => void expect(decodeMessage(encodeFields(m))).toEqual(m)),
      { numRuns: 2000 },
    );
  });

  it('any prefix of a message is a valid beginning (no problem), whole only at field boundaries', () => {
    fc.assert(
      fc.property(message, fc.nat(), (m, cut) => {
        const wire = encodeFields(m);
        const n = cut % (wire.length + 1);
        const r = scanMessages(wire.subarray(0, n));
        expect(r.problem).toBeUndefined();
        let at = 0;
        const boundaries = new Set([0]);
        for (const x of m) boundaries.add((at += 5 + x.value.length));
        expect(r.tail.whole).toBe(boundaries.has(n));
      }),
      { numRuns: 2000 },
    );
  });

  it('random bytes never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => void scanMessages(b)),
      { numRuns: 2000 },
    );
  });
});
