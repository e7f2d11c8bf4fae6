/**
 * The simulated myPOS terminal over real loopback TCP, driven with raw IPP frames (../shared/specs/mypos-ipp.md):
 * stage sequences, the two-phase rule (§8.1), follow-ups, pre-authorisation, GET_STATUS, and refusals at stage 1.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IppSimulator, type IppLedgerEntry } from '../../src/terminal/simulator/ipp-simulator';
import { encodeIpp } from '../../src/terminal/ipp/codec';
import { exchangeOnce, IppTestClient, last, stages, waitForEvent } from './ipp-simulator-client';

const EUR = '978';

function sale(amount: string, reference?: string, extra: Array<[string, string]> = []): Array<[string, string]> {
  const f: Array<[string, string]> = [
    ['AMOUNT', amount],
    ['CURRENCY', EUR],
  ];
  if (reference !== undefined) f.push(['REFERENCE_NUMBER_TYPE', '2'], ['REFERENCE_NUMBER', reference]);
  return [...f, ...extra];
}

let sim: IppSimulator;
let port: number;

beforeEach(async () => {
  sim = new IppSimulator({ fast: true });
  port = await sim.listen();
});

afterEach(async () => {
  await sim.close();
});

/** An approved PURCHASE/REFUND, left open (§8.1). */
async function approvedOpen(
  method: 'PURCHASE' | 'REFUND',
  sid: string,
  amount: string,
  reference: string,
  extra: Array<[string, string]> = [],
) {
  const answers = await exchangeOnce(port, method, sid, sale(amount, reference, extra));
  expect(last(answers).stage).toBe(5);
  expect(last(answers).status).toBe(0);
  return last(answers);
}

describe('PURCHASE and the two-phase rule (§4, §5, §8.1, worked example §13)', () => {
  it('answers the worked example byte for byte: 00 53 stage 1 and 2, stage 5 with receipt data; 00 48 for status 20; 00 4A for COMPLETE_TX', async () => {
    const c = await IppTestClient.connect(port);
    const answers = await c.exchange('PURCHASE', '7f3c2a10-0001', sale('12.34', 'INV-1001'));
    expect(stages(answers)).toEqual([
      [1, 0],
      [2, 0],
      [5, 0],
    ]);

    const all = Buffer.concat(c.bytes);
    const stage1 = encodeIpp([
      ['PROTOCOL', 'IPP'],
      ['METHOD', 'PURCHASE'],
      ['SID', '7f3c2a10-0001'],
      ['STAGE', '1'],
      ['STATUS', '0'],
      ['TIMEOUT', '60'],
    ]);
    const stage2 = encodeIpp([
      ['PROTOCOL', 'IPP'],
      ['METHOD', 'PURCHASE'],
      ['SID', '7f3c2a10-0001'],
      ['STAGE', '2'],
      ['STATUS', '0'],
      ['TIMEOUT', '60'],
    ]);
    expect(stage1.subarray(0, 2)).toEqual(Buffer.from([0x00, 0x53]));
    expect(all.subarray(0, 0x53)).toEqual(stage1);
    expect(all.subarray(0x53, 0xa6)).toEqual(stage2);

    const s5 = last(answers);
    expect(s5.pairs.slice(0, 5)).toEqual([
      ['PROTOCOL', 'IPP'],
      ['METHOD', 'PURCHASE'],
      ['SID', '7f3c2a10-0001'],
      ['STAGE', '5'],
      ['STATUS', '0'],
    ]);
    const f = s5.toRecord();
    expect(f).toMatchObject({
      AMOUNT: '12.34',
      CURRENCY: '978',
      APPROVAL: '00',
      TERMINAL_ID: '80123457',
      MERCHANT_ID: '6000000001',
      MERCHANT_NAME: 'REGISTER BRIDGE DEMO',
      PAN_MASKED: '541333******1234',
      AID: 'A0000000041010',
      APPL_PREF_NAME: 'Mastercard Debit',
      ENTRY_MODE: 'CONTACTLESS',
      SIGNATURE_NOT_REQ: '1',
      REFERENCE_NUMBER_TYPE: '2',
      REFERENCE_NUMBER: 'INV-1001',
    });
    expect(f.AUTH_CODE).toMatch(/^[0-9A-Z]{6}$/);
    expect(f.RRN).toMatch(/^[0-9]{12}$/);
    expect(f.STAN).toMatch(/^[0-9]{6}$/);
    expect(f.TX_DATE_LOCAL).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(f.TX_TIME_LOCAL).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    expect(s5.timeout).toBeUndefined();
    // No card data beyond the masked PAN anywhere in the answer.
    for (const m of answers)
      for (const [name, value] of m.pairs) if (name !== 'AID') expect(value, name).not.toMatch(/[0-9]{13,19}/);
    await c.close();

    expect(sim.openTransaction()?.sid).toBe('7f3c2a10-0001');
    expect(sim.netCharges('INV-1001')).toBe(1);

    // §13: a new PURCHASE before COMPLETE_TX → STAGE=1 STATUS=20, 00 48.
    const c2 = await IppTestClient.connect(port);
    const refused = await c2.exchange('PURCHASE', '7f3c2a10-0003', sale('1.00', 'INV-1002'));
    expect(stages(refused)).toEqual([[1, 20]]);
    expect(Buffer.concat(c2.bytes)).toEqual(
      encodeIpp([
        ['PROTOCOL', 'IPP'],
        ['METHOD', 'PURCHASE'],
        ['SID', '7f3c2a10-0003'],
        ['STAGE', '1'],
        ['STATUS', '20'],
      ]),
    );
    expect(Buffer.concat(c2.bytes).subarray(0, 2)).toEqual(Buffer.from([0x00, 0x48]));
    await c2.close();

    const c3 = await IppTestClient.connect(port);
    const done = await c3.exchange('COMPLETE_TX', '7f3c2a10-0002', [['SID_ORIGINAL', '7f3c2a10-0001']]);
    expect(stages(done)).toEqual([
      [1, 0],
      [5, 0],
    ]);
    const expected5 = encodeIpp([
      ['PROTOCOL', 'IPP'],
      ['METHOD', 'COMPLETE_TX'],
      ['SID', '7f3c2a10-0002'],
      ['STAGE', '5'],
      ['STATUS', '0'],
    ]);
    expect(expected5.subarray(0, 2)).toEqual(Buffer.from([0x00, 0x4a]));
    expect(Buffer.concat(c3.bytes).subarray(-expected5.length)).toEqual(expected5);
    await c3.close();

    expect(sim.openTransaction()).toBeUndefined();
    const entries = sim.ledger();
    expect(entries.map((e) => [e.sid, e.kind, e.state])).toEqual([
      ['7f3c2a10-0001', 'sale', 'completed'],
      ['7f3c2a10-0002', 'complete_tx', 'done'],
    ]);
    expect(entries[0]).toMatchObject({
      reference: 'INV-1001',
      amountMinor: 1234,
      currency: 'EUR',
      method: 'PURCHASE',
      status: 0,
    });
    expect(sim.netCharges('INV-1001')).toBe(1);

    // Open no longer: the next PURCHASE is accepted.
    const next = await exchangeOnce(port, 'PURCHASE', '7f3c2a10-0004', sale('2.00', 'INV-1002'));
    expect(last(next).status).toBe(0);
  });

  it('asks for the PIN (stage 3) from the PIN threshold on and reports chip entry', async () => {
    const answers = await exchangeOnce(port, 'PURCHASE', 'pin-1', sale('50.00', 'R-PIN'));
    expect(stages(answers)).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
      [5, 0],
    ]);
    expect(answers[2]!.timeout).toBe(60);
    expect(last(answers).get('ENTRY_MODE')).toBe('CHIP');
    expect(last(answers).get('CVM')).toBe('PIN');
  });

  it('refuses every other financial method with status 20 while a transaction is open; PING and GET_STATUS still work', async () => {
    await approvedOpen('PURCHASE', 'open-1', '3.00', 'R-OPEN');
    const blocked: Array<[string, Array<[string, string]>]> = [
      ['PURCHASE', sale('1.00', 'R-2')],
      ['REFUND', sale('1.00', 'R-3')],
      ['REVERSAL', []],
      [
        'COMPLETE_PREAUTH',
        [
          ['PREAUTH_CODE', '123456'],
          ['COMPLETION_AMOUNT', '1.00'],
        ],
      ],
      ['CANCEL_PREAUTH', [['PREAUTH_CODE', '123456']]],
    ];
    for (const [method, fields] of blocked) {
      const answers = await exchangeOnce(port, method, `blocked-${method}`, fields);
      expect(stages(answers), method).toEqual([[1, 20]]);
      expect(answers[0]!.method).toBe(method);
      expect(answers[0]!.sid).toBe(`blocked-${method}`);
    }
    expect(stages(await exchangeOnce(port, 'PING', 'p'))).toEqual([
      [1, 0],
      [5, 0],
    ]);
    expect(stages(await exchangeOnce(port, 'GET_STATUS', 'g'))).toEqual([
      [1, 0],
      [5, 0],
    ]);
    expect(sim.ledger()).toHaveLength(1);
  });

  it('CANCEL_TX reverses the open transaction: nothing charged; repeating it is harmless; COMPLETE_TX afterwards finds nothing', async () => {
    await approvedOpen('PURCHASE', 'c-1', '7.00', 'R-CANCEL');
    expect(sim.netCharges('R-CANCEL')).toBe(1);
    const ledgerEvent = waitForEvent<IppLedgerEntry>(sim, 'ledger', (e) => e.kind === 'cancel_tx');
    expect(stages(await exchangeOnce(port, 'CANCEL_TX', 'c-2', [['SID_ORIGINAL', 'c-1']]))).toEqual([
      [1, 0],
      [5, 0],
    ]);
    expect(await ledgerEvent).toMatchObject({ sid: 'c-2', originalSid: 'c-1', reference: 'R-CANCEL', state: 'done' });
    expect(sim.netCharges('R-CANCEL')).toBe(0);
    expect(sim.openTransaction()).toBeUndefined();
    expect(sim.ledger().find((e) => e.sid === 'c-1')?.state).toBe('cancelled');

    expect(stages(await exchangeOnce(port, 'CANCEL_TX', 'c-3', [['SID_ORIGINAL', 'c-1']]))).toEqual([
      [1, 0],
      [5, 0],
    ]);
    expect(stages(await exchangeOnce(port, 'COMPLETE_TX', 'c-4', [['SID_ORIGINAL', 'c-1']]))).toEqual([[1, 17]]);
    expect(stages(await exchangeOnce(port, 'COMPLETE_TX', 'c-5', [['SID_ORIGINAL', 'never-seen']]))).toEqual([[1, 17]]);
    expect(stages(await exchangeOnce(port, 'CANCEL_TX', 'c-6', [['SID_ORIGINAL', 'never-seen']]))).toEqual([[1, 17]]);
    expect(sim.netCharges('R-CANCEL')).toBe(0);
  });

  it('COMPLETE_TX repeated for a completed transaction is harmless; CANCEL_TX of a completed one is refused with 18', async () => {
    await approvedOpen('PURCHASE', 'd-1', '7.00', 'R-DONE');
    expect(last(await exchangeOnce(port, 'COMPLETE_TX', 'd-2', [['SID_ORIGINAL', 'd-1']])).status).toBe(0);
    expect(stages(await exchangeOnce(port, 'COMPLETE_TX', 'd-3', [['SID_ORIGINAL', 'd-1']]))).toEqual([
      [1, 0],
      [5, 0],
    ]);
    expect(stages(await exchangeOnce(port, 'CANCEL_TX', 'd-4', [['SID_ORIGINAL', 'd-1']]))).toEqual([[1, 18]]);
    expect(sim.netCharges('R-DONE')).toBe(1);
    expect(sim.ledger().filter((e) => e.kind === 'complete_tx')).toHaveLength(1);
  });

  it('COMPLETE_TX without SID_ORIGINAL completes the open transaction', async () => {
    await approvedOpen('PURCHASE', 'n-1', '7.00', 'R-NOSID');
    expect(last(await exchangeOnce(port, 'COMPLETE_TX', 'n-2')).status).toBe(0);
    expect(sim.ledger()[0]!.state).toBe('completed');
  });
});

describe('REVERSAL, REFUND (§8.4)', () => {
  it('REVERSAL voids the last transaction only; 18 when there is nothing to void', async () => {
    expect(stages(await exchangeOnce(port, 'REVERSAL', 'r-0'))).toEqual([[1, 18]]);
    await approvedOpen('PURCHASE', 'r-1', '4.00', 'R-A');
    await exchangeOnce(port, 'COMPLETE_TX', 'r-1c', [['SID_ORIGINAL', 'r-1']]);
    await approvedOpen('PURCHASE', 'r-2', '5.00', 'R-B');
    await exchangeOnce(port, 'COMPLETE_TX', 'r-2c', [['SID_ORIGINAL', 'r-2']]);

    // Naming an older transaction: refused.
    expect(stages(await exchangeOnce(port, 'REVERSAL', 'r-3', [['SID_ORIGINAL', 'r-1']]))).toEqual([[1, 18]]);
    const answers = await exchangeOnce(port, 'REVERSAL', 'r-4');
    expect(stages(answers)).toEqual([
      [1, 0],
      [5, 0],
    ]);
    expect(last(answers).toRecord()).toMatchObject({
      AMOUNT: '5.00',
      CURRENCY: '978',
      APPROVAL: '00',
      REFERENCE_NUMBER: 'R-B',
    });
    expect(sim.netCharges('R-B')).toBe(0);
    expect(sim.netCharges('R-A')).toBe(1);
    expect(sim.ledger().find((e) => e.sid === 'r-2')?.state).toBe('reversed');
    // The last transaction is now reversed: nothing further to void (older ones can only be refunded).
    expect(stages(await exchangeOnce(port, 'REVERSAL', 'r-5'))).toEqual([[1, 18]]);
  });

  it('REFUND takes the card, is open until COMPLETE_TX, and counts as a refund, not a charge', async () => {
    const answers = await exchangeOnce(port, 'REFUND', 'f-1', sale('3.50', 'R-REF'));
    expect(stages(answers)).toEqual([
      [1, 0],
      [2, 0],
      [5, 0],
    ]);
    expect(last(answers).get('PAN_MASKED')).toBe('541333******1234');
    expect(sim.openTransaction()?.kind).toBe('refund');
    expect(sim.netRefunds('R-REF')).toBe(1);
    expect(sim.netCharges('R-REF')).toBe(0);
    expect(stages(await exchangeOnce(port, 'PURCHASE', 'f-2', sale('1.00', 'X')))).toEqual([[1, 20]]);
    await exchangeOnce(port, 'COMPLETE_TX', 'f-3', [['SID_ORIGINAL', 'f-1']]);
    expect(sim.netRefunds('R-REF')).toBe(1);
  });

  it('asks for the merchant password on REFUND and REVERSAL when one is configured (status 49)', async () => {
    await sim.close();
    sim = new IppSimulator({ fast: true, password: '4321' });
    port = await sim.listen();
    expect(stages(await exchangeOnce(port, 'REFUND', 'w-1', sale('1.00', 'R')))).toEqual([[1, 49]]);
    expect(stages(await exchangeOnce(port, 'REFUND', 'w-2', sale('1.00', 'R', [['PASSWORD', '0000']])))).toEqual([
      [1, 49],
    ]);
    expect(stages(await exchangeOnce(port, 'REVERSAL', 'w-3'))).toEqual([[1, 49]]);
    expect(last(await exchangeOnce(port, 'REFUND', 'w-4', sale('1.00', 'R', [['PASSWORD', '4321']]))).status).toBe(0);
  });
});

describe('pre-authorisation (§8.4)', () => {
  it('PURCHASE with PREAUTH_TX=1 holds the amount and returns a 6-digit code; COMPLETE_PREAUTH captures once', async () => {
    const auth = await approvedOpen('PURCHASE', 'pa-1', '100.00', 'HOTEL-7', [['PREAUTH_TX', '1']]);
    const code = auth.get('PREAUTH_CODE')!;
    expect(code).toMatch(/^[0-9]{6}$/);
    expect(sim.netCharges('HOTEL-7')).toBe(0);
    expect(sim.activeHolds('HOTEL-7')).toBe(1);
    // The pre-authorisation is a PURCHASE: open until COMPLETE_TX (§8.1).
    expect(
      stages(
        await exchangeOnce(port, 'COMPLETE_PREAUTH', 'pa-2', [
          ['PREAUTH_CODE', code],
          ['COMPLETION_AMOUNT', '80.00'],
        ]),
      ),
    ).toEqual([[1, 20]]);
    await exchangeOnce(port, 'COMPLETE_TX', 'pa-1c', [['SID_ORIGINAL', 'pa-1']]);

    const wrongCode = code === '999999' ? '999998' : '999999';
    expect(
      stages(
        await exchangeOnce(port, 'COMPLETE_PREAUTH', 'pa-3', [
          ['PREAUTH_CODE', wrongCode],
          ['COMPLETION_AMOUNT', '80.00'],
        ]),
      ),
    ).toEqual([[1, 39]]);
    expect(stages(await exchangeOnce(port, 'COMPLETE_PREAUTH', 'pa-4', [['PREAUTH_CODE', '12AB']]))).toEqual([[1, 39]]);
    expect(
      stages(
        await exchangeOnce(port, 'COMPLETE_PREAUTH', 'pa-5', [
          ['PREAUTH_CODE', code],
          ['COMPLETION_AMOUNT', '100.01'],
        ]),
      ),
    ).toEqual([[1, 19]]);
    expect(
      stages(
        await exchangeOnce(port, 'COMPLETE_PREAUTH', 'pa-6', [
          ['PREAUTH_CODE', code],
          ['COMPLETION_AMOUNT', '80'],
        ]),
      ),
    ).toEqual([[1, 19]]);

    const done = await exchangeOnce(port, 'COMPLETE_PREAUTH', 'pa-7', [
      ['PREAUTH_CODE', code],
      ['COMPLETION_AMOUNT', '80.00'],
    ]);
    expect(stages(done)).toEqual([
      [1, 0],
      [5, 0],
    ]);
    expect(last(done).toRecord()).toMatchObject({
      AMOUNT: '80.00',
      CURRENCY: '978',
      APPROVAL: '00',
      PREAUTH_CODE: code,
      REFERENCE_NUMBER: 'HOTEL-7',
    });
    expect(sim.netCharges('HOTEL-7')).toBe(1);
    expect(sim.activeHolds('HOTEL-7')).toBe(0);
    expect(sim.ledger().find((e) => e.sid === 'pa-7')).toMatchObject({
      kind: 'preauth_completion',
      amountMinor: 8000,
      state: 'completed',
      originalSid: 'pa-1',
    });
    // No second-phase for COMPLETE_PREAUTH: the terminal is free.
    expect(sim.openTransaction()).toBeUndefined();

    expect(
      stages(
        await exchangeOnce(port, 'COMPLETE_PREAUTH', 'pa-8', [
          ['PREAUTH_CODE', code],
          ['COMPLETION_AMOUNT', '10.00'],
        ]),
      ),
    ).toEqual([[1, 40]]);
    expect(stages(await exchangeOnce(port, 'CANCEL_PREAUTH', 'pa-9', [['PREAUTH_CODE', code]]))).toEqual([[1, 40]]);
    expect(sim.netCharges('HOTEL-7')).toBe(1);
  });

  it('CANCEL_PREAUTH releases the hold; a second cancel gets 40', async () => {
    const auth = await approvedOpen('PURCHASE', 'pc-1', '60.00', 'CAR-1', [['PREAUTH_TX', '1']]);
    await exchangeOnce(port, 'COMPLETE_TX', 'pc-1c', [['SID_ORIGINAL', 'pc-1']]);
    const code = auth.get('PREAUTH_CODE')!;
    const answers = await exchangeOnce(port, 'CANCEL_PREAUTH', 'pc-2', [['PREAUTH_CODE', code]]);
    expect(stages(answers)).toEqual([
      [1, 0],
      [5, 0],
    ]);
    expect(last(answers).get('PREAUTH_CODE')).toBe(code);
    expect(sim.activeHolds('CAR-1')).toBe(0);
    expect(sim.netCharges('CAR-1')).toBe(0);
    expect(sim.ledger().find((e) => e.sid === 'pc-1')?.state).toBe('released');
    expect(stages(await exchangeOnce(port, 'CANCEL_PREAUTH', 'pc-3', [['PREAUTH_CODE', code]]))).toEqual([[1, 40]]);
  });

  it('a pre-authorisation cancelled with CANCEL_TX leaves nothing to complete', async () => {
    const auth = await approvedOpen('PURCHASE', 'px-1', '60.00', 'CAR-2', [['PREAUTH_TX', '1']]);
    await exchangeOnce(port, 'CANCEL_TX', 'px-2', [['SID_ORIGINAL', 'px-1']]);
    expect(sim.activeHolds('CAR-2')).toBe(0);
    const code = auth.get('PREAUTH_CODE')!;
    expect(
      stages(
        await exchangeOnce(port, 'COMPLETE_PREAUTH', 'px-3', [
          ['PREAUTH_CODE', code],
          ['COMPLETION_AMOUNT', '1.00'],
        ]),
      ),
    ).toEqual([[1, 40]]);
  });

  it('with preauthNeedsCompletion=false an approved pre-authorisation is not left open', async () => {
    await sim.close();
    sim = new IppSimulator({ fast: true, preauthNeedsCompletion: false });
    port = await sim.listen();
    const auth = await approvedOpen('PURCHASE', 'pn-1', '20.00', 'CAR-3', [['PREAUTH_TX', '1']]);
    expect(sim.openTransaction()).toBeUndefined();
    const done = await exchangeOnce(port, 'COMPLETE_PREAUTH', 'pn-2', [
      ['PREAUTH_CODE', auth.get('PREAUTH_CODE')!],
      ['COMPLETION_AMOUNT', '20.00'],
    ]);
    expect(last(done).status).toBe(0);
  });
});

describe('GET_STATUS (§8.3)', () => {
  it('without SID_ORIGINAL: terminal information, and the last transaction once there is one', async () => {
    const empty = last(await exchangeOnce(port, 'GET_STATUS', 'g-1'));
    expect(empty.status).toBe(0);
    expect(empty.toRecord()).toMatchObject({
      TERMINAL_ID: '80123457',
      SN: 'SIM00000001',
      SOFTWARE_VERSION: '1.0.0-sim',
      CURRENCY_NAME: 'EUR',
      PRINTER: '1',
    });
    expect(empty.get('LAST_TX_TYPE')).toBeUndefined();

    await approvedOpen('PURCHASE', 'g-2', '9.00', 'R-G');
    const open = last(await exchangeOnce(port, 'GET_STATUS', 'g-3'));
    expect(open.status).toBe(0);
    expect(open.toRecord()).toMatchObject({
      TERMINAL_ID: '80123457',
      CURRENCY_NAME: 'EUR',
      LAST_TX_TYPE: '00',
      SID_ORIGINAL: 'g-2',
      TX_STATUS: 'OPEN',
      AMOUNT: '9.00',
      CURRENCY: '978',
      APPROVAL: '00',
      REFERENCE_NUMBER: 'R-G',
    });
    await exchangeOnce(port, 'COMPLETE_TX', 'g-4', [['SID_ORIGINAL', 'g-2']]);
    expect(last(await exchangeOnce(port, 'GET_STATUS', 'g-5')).get('TX_STATUS')).toBe('COMPLETED');

    await approvedOpen('REFUND', 'g-6', '1.00', 'R-G2');
    expect(last(await exchangeOnce(port, 'GET_STATUS', 'g-7')).get('LAST_TX_TYPE')).toBe('20');
  });

  it('with SID_ORIGINAL: that transaction’s status and details again; 17 when the terminal never ran it', async () => {
    await approvedOpen('PURCHASE', 'h-1', '9.00', 'R-H');
    const ok = last(await exchangeOnce(port, 'GET_STATUS', 'h-2', [['SID_ORIGINAL', 'h-1']]));
    expect(ok.stage).toBe(5);
    expect(ok.status).toBe(0);
    expect(ok.toRecord()).toMatchObject({
      SID_ORIGINAL: 'h-1',
      TX_STATUS: 'OPEN',
      AMOUNT: '9.00',
      APPROVAL: '00',
      REFERENCE_NUMBER: 'R-H',
      PAN_MASKED: '541333******1234',
    });
    await exchangeOnce(port, 'CANCEL_TX', 'h-3', [['SID_ORIGINAL', 'h-1']]);

    await exchangeOnce(port, 'PURCHASE', 'h-4', sale('9.51', 'R-H2'));
    const declined = last(await exchangeOnce(port, 'GET_STATUS', 'h-5', [['SID_ORIGINAL', 'h-4']]));
    expect(declined.status).toBe(14);
    expect(declined.toRecord()).toMatchObject({ APPROVAL: '51', TX_STATUS: 'DECLINED', SID_ORIGINAL: 'h-4' });

    expect(last(await exchangeOnce(port, 'GET_STATUS', 'h-6', [['SID_ORIGINAL', 'h-1']])).get('TX_STATUS')).toBe(
      'CANCELLED',
    );
    expect(stages(await exchangeOnce(port, 'GET_STATUS', 'h-7', [['SID_ORIGINAL', 'nope']]))).toEqual([[1, 17]]);
    // A request refused at stage 1 never happened: unknown too.
    await approvedOpen('PURCHASE', 'h-8', '2.00', 'R-H3');
    await exchangeOnce(port, 'PURCHASE', 'h-9', sale('2.00', 'R-H4'));
    expect(stages(await exchangeOnce(port, 'GET_STATUS', 'h-10', [['SID_ORIGINAL', 'h-9']]))).toEqual([[1, 17]]);
  });
});

describe('stage-1 refusals (§3, §6)', () => {
  it('PING: stage 1 then stage 5', async () => {
    const answers = await exchangeOnce(port, 'PING', 'ping-1');
    expect(stages(answers)).toEqual([
      [1, 0],
      [5, 0],
    ]);
    expect(answers.map((m) => [m.method, m.sid])).toEqual([
      ['PING', 'ping-1'],
      ['PING', 'ping-1'],
    ]);
  });

  it('unknown method → 4; VERSION outside the accepted ranges → 38; missing VERSION → 2', async () => {
    for (const method of ['FLY_TO_MOON', 'PRINT_EXT', 'toString', '__proto__', 'constructor', 'ping']) {
      expect(stages(await exchangeOnce(port, method, 'u-1')), method).toEqual([[1, 4]]);
    }
    for (const v of ['99', '107', '199', '203', '300', 'abc']) {
      expect(stages(await exchangeOnce(port, 'PING', `v-${v}`, [], v)), v).toEqual([[1, 38]]);
    }
    for (const v of ['100', '106', '200', '201', '202']) {
      expect(stages(await exchangeOnce(port, 'PING', `v-${v}`, [], v)), v).toEqual([
        [1, 0],
        [5, 0],
      ]);
    }
    const c = await IppTestClient.connect(port);
    c.send(
      encodeIpp([
        ['PROTOCOL', 'IPP'],
        ['METHOD', 'PING'],
        ['SID', 'nov'],
      ]),
    );
    expect(stages(await c.untilFinal())).toEqual([[1, 2]]);
    await c.close();
  });

  it('accepted versions are configurable', async () => {
    await sim.close();
    sim = new IppSimulator({ fast: true, acceptedVersions: [[202, 202]] });
    port = await sim.listen();
    expect(stages(await exchangeOnce(port, 'PING', 'a', [], '200'))).toEqual([[1, 38]]);
    expect(stages(await exchangeOnce(port, 'PING', 'b', [], '202'))).toEqual([
      [1, 0],
      [5, 0],
    ]);
  });

  it('amounts must have exactly two decimals and be above zero (19); the currency must be the terminal’s (3)', async () => {
    for (const amount of ['12.3', '12', '12.345', '1,00', '-1.00', ' 1.00', '0.00', '', '1e3', '10000000.00']) {
      expect(
        stages(
          await exchangeOnce(port, 'PURCHASE', 'am', [
            ['AMOUNT', amount],
            ['CURRENCY', EUR],
          ]),
        ),
        amount,
      ).toEqual([[1, 19]]);
    }
    expect(stages(await exchangeOnce(port, 'PURCHASE', 'am', [['CURRENCY', EUR]]))).toEqual([[1, 19]]);
    expect(
      stages(
        await exchangeOnce(port, 'PURCHASE', 'cur', [
          ['AMOUNT', '1.00'],
          ['CURRENCY', '840'],
        ]),
      ),
    ).toEqual([[1, 3]]);
    expect(stages(await exchangeOnce(port, 'PURCHASE', 'cur', [['AMOUNT', '1.00']]))).toEqual([[1, 3]]);
    expect(stages(await exchangeOnce(port, 'PURCHASE', 'tip', [...sale('1.00'), ['TIP_AMOUNT', '0.5']]))).toEqual([
      [1, 19],
    ]);
    expect(stages(await exchangeOnce(port, 'PURCHASE', 'pre', [...sale('1.00'), ['PREAUTH_TX', 'yes']]))).toEqual([
      [1, 3],
    ]);
    expect(
      stages(await exchangeOnce(port, 'PURCHASE', 'rt', [...sale('1.00'), ['REFERENCE_NUMBER_TYPE', '9']])),
    ).toEqual([[1, 3]]);
    expect(sim.ledger()).toEqual([]);
    // Exact parsing: 19.98 is 1998 minor units, never a float artefact.
    await approvedOpen('PURCHASE', 'exact', '19.98', 'R-EXACT', [['TIP_AMOUNT', '0.10']]);
    expect(sim.ledger()[0]).toMatchObject({ amountMinor: 1998, tipMinor: 10 });
  });

  it('a terminal in another currency takes its own', async () => {
    await sim.close();
    sim = new IppSimulator({ fast: true, currency: 'BGN' });
    port = await sim.listen();
    expect(stages(await exchangeOnce(port, 'PURCHASE', 'b1', sale('1.00')))).toEqual([[1, 3]]);
    const ok = await exchangeOnce(port, 'PURCHASE', 'b2', [
      ['AMOUNT', '1.00'],
      ['CURRENCY', '975'],
    ]);
    expect(last(ok).get('CURRENCY')).toBe('975');
    expect(last(await exchangeOnce(port, 'GET_STATUS', 'b3')).get('CURRENCY_NAME')).toBe('BGN');
  });
});
