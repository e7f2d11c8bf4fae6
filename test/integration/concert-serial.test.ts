/**
 * The whole product with a French register speaking Concert (E / E+) on a serial line: the bridge's Concert listener
 * (started from a config by the real service) opens one end of a socat pty pair, a register written from the sheet
 * (test/helpers/concert-register.ts) the other; payments run on the simulated myPOS terminal over IPP on loopback.
 * Both line settings: the 7E1 register puts parity bits on the pty as a 7E1 UART would, the bridge detects them.
 */
import { once } from 'node:events';
import { SerialPort } from 'serialport';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DayReportsView, EndOfDayReport, StateView } from '../../src/status/contract';
import { decodeAnswer } from '../../src/register/concert/messages';
import { startHarness, type Harness } from '../helpers/bridge-harness';
import { ConcertRegister, concertFrame } from '../helpers/concert-register';
import { statusStacks } from '../helpers/status-stack';
import { PtyPair } from './serial-pty';

let pty: PtyPair;
let h: Harness | undefined;
let port: SerialPort | undefined;
const stack = statusStacks();

beforeAll(async () => {
  pty = await PtyPair.start();
});
afterAll(async () => {
  await pty.stop();
});
afterEach(async () => {
  if (port?.isOpen) await new Promise<void>((resolve) => port!.close(() => resolve()));
  port = undefined;
  await h?.close();
  h = undefined;
});

const SP10 = ' '.repeat(10);
const WHO = { listener: 'pos', register: 'pos/01' };

/** Short link timers so that a register that never answers is given up in about a second. */
const FAST = { enqAckTimeoutMs: 250, frameAckTimeoutMs: 250, enqRepeats: 1, frameRepeats: 1 };

function listener(options: Record<string, unknown> = {}): Record<string, unknown> {
  return { protocol: 'concert', transport: { type: 'serial', path: pty.a }, options };
}

async function register(line: '7E1' | '8N1'): Promise<ConcertRegister> {
  port = new SerialPort({ path: pty.b, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port!.open((e) => (e ? reject(e) : resolve())));
  const p = port;
  return new ConcertRegister({ write: (b) => p.write(b), onData: (l) => p.on('data', l) }, line);
}

/** Waits for something the bridge records right after the terminal's ledger changed. */
async function until(pred: () => boolean): Promise<void> {
  // Generous: a slow machine only makes it wait longer; a passing run returns at the first true.
  for (const end = Date.now() + 20_000; Date.now() < end && !pred();) await new Promise((r) => setTimeout(r, 20));
  expect(pred()).toBe(true);
}

async function settled(harness: { sim: Harness['sim'] }): Promise<void> {
  while (harness.sim.openTransaction() !== undefined) await once(harness.sim, 'ledger');
}

describe('Concert register on a serial line → bridge → simulated myPOS terminal', () => {
  it('E+ A010 approved sale, full answer, 7E1 detected: in the journal, the dashboard and the end-of-day report', async () => {
    const s = await stack((simPort, dir) => ({
      dataDir: dir,
      listeners: [{ id: 'pos', ...listener() }],
      terminals: [
        { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: simPort }, currency: 'EUR' },
      ],
      businessDay: { timeZone: 'UTC', cutoffHour: (new Date().getUTCHours() + 12) % 24 },
    }));
    const ecr = await register('7E1');
    await ecr.request(`0100001250110978TICKET-042A010B010`);
    const message = await ecr.answer();
    expect(message).toHaveLength(80);
    const a = decodeAnswer(message);
    expect(a).toMatchObject({
      register: '01',
      status: '0',
      amount: '00001250',
      paymentMode: '1',
      currency: '978',
      privateData: 'TICKET-042',
    });
    expect(a.report).toBe(`5413330000001234${'0'.repeat(39)}`); // the simulator's masked PAN, hidden digits as 0

    const payment = s.service.bridge.last(WHO)!;
    expect(payment).toMatchObject({
      kind: 'sale',
      outcome: 'approved',
      acknowledged: true,
      amount: { minor: 1250, currency: 'EUR' },
    });
    expect(payment.ref).toMatch(/^concert-.*-TICKET-042$/);
    await settled(s);
    expect(s.sim.netCharges(payment.ref)).toBe(1);
    expect(s.sim.ledger().filter((e) => e.reference === payment.ref && e.kind === 'sale')).toEqual([
      expect.objectContaining({ state: 'completed', amountMinor: 1250, currency: 'EUR' }),
    ]);

    const state = (await (await fetch(`${s.base}/api/state`)).json()) as StateView;
    expect(state.recent.find((p) => p.ref === payment.ref)).toMatchObject({ register: 'pos/01', outcome: 'approved' });
    const journal = (await (await fetch(`${s.base}/api/journal?register=pos/01`)).json()) as
      { items?: Array<{ ref: string }> } | Array<{ ref: string }>;
    expect(JSON.stringify(journal)).toContain(payment.ref);
    const day = (await (await fetch(`${s.base}/api/reports`)).json()) as DayReportsView;
    expect(day.totals.currencies).toEqual([expect.objectContaining({ currency: 'EUR', net: 1250 })]);
    const eod = (await (
      await fetch(`${s.base}/api/reports/end-of-day`, { method: 'POST', headers: { origin: s.base } })
    ).json()) as EndOfDayReport;
    expect(eod).toMatchObject({
      businessDay: day.totals.businessDay,
      counts: { approved: 1 },
      currencies: [expect.objectContaining({ currency: 'EUR', net: 1250 })],
    });
    // The terminal's ledger matches the journal: one completed sale of 12.50 EUR under the payment's reference.
    expect(
      s.sim
        .ledger()
        .filter((e) => e.kind === 'sale')
        .map((e) => [e.reference, e.amountMinor, e.state]),
    ).toEqual([[payment.ref, 1250, 'completed']]);
  });

  it('declined sale (amount ending 51), E+ short answer on 8N1: status 7 in 28 bytes, nothing charged', async () => {
    h = await startHarness({ listener: listener() });
    const ecr = await register('8N1');
    await ecr.request(`0100001051010978${SP10}A010B010`);
    const message = await ecr.answer();
    expect(message).toBe(`017000010511978${SP10}`);
    const payment = h.service.bridge.last(WHO)!;
    expect(payment).toMatchObject({ outcome: 'declined' });
    expect(h.sim.netCharges(payment.ref)).toBe(0);
  });

  it('refund (type 1), protocol E with the card report, fixed 7E1 line', async () => {
    h = await startHarness({ listener: listener({ line: '7E1' }) });
    const ecr = await register('7E1');
    await ecr.request(`0100000990111978${SP10}`); // E: 26 characters, answer flag 1
    const message = await ecr.answer();
    expect(message).toHaveLength(80);
    expect(decodeAnswer(message)).toMatchObject({ status: '0', amount: '00000990' });
    const refund = h.service.bridge.last(WHO)!;
    expect(refund).toMatchObject({ kind: 'refund', outcome: 'approved', acknowledged: true });
    await settled(h);
    expect(h.sim.netRefunds(refund.ref)).toBe(1);
  });

  it('the register never ACKs the answer: the approved sale is reversed on the terminal and the journal says why', async () => {
    h = await startHarness({ listener: listener(FAST) });
    const ecr = await register('8N1');
    await ecr.request(`0100002000010978${SP10}A010B010`);
    await ecr.answer({ ack: false });
    // The bridge repeats its frame, then gives up with EOT.
    await ecr.expectByte(0x02);
    const ref = h.service.bridge.last(WHO)!.ref;
    while (h.sim.netCharges(ref) !== 0 || h.sim.openTransaction() !== undefined) await once(h.sim, 'ledger');
    const record = h.service.journal.allByRef(WHO.register, ref)[0]!;
    const events = () => h!.service.journal.events(record.id);
    await until(() => events().some((e) => e.type === 'settled'));
    expect(events().map((e) => e.type)).toEqual(
      expect.arrayContaining(['rejected_by_register', 'settle_decision', 'settled']),
    );
    expect(events().find((e) => e.type === 'settle_decision')?.data).toMatchObject({
      decision: 'cancel',
      why: 'the register rejected the result',
    });
    const view = h.service.bridge.status(WHO, ref)!;
    expect(view).toMatchObject({ acknowledged: false, outcome: 'cancelled' });
    expect(view.message).toMatch(/Reversed on the terminal: the register rejected the result/);
  });

  it('a request frame sent again (our ACK lost) is ACKed again and charged once', async () => {
    h = await startHarness({ listener: listener() });
    const ecr = await register('8N1');
    const request = `0100001500010978${SP10}A010B010`;
    ecr.send([0x05]);
    await ecr.expectByte(0x06);
    ecr.send(concertFrame(request));
    await ecr.expectByte(0x06);
    ecr.send(concertFrame(request)); // the register did not hear the ACK
    await ecr.expectByte(0x06);
    ecr.send([0x04]);
    expect(decodeAnswer(await ecr.answer())).toMatchObject({ status: '0', amount: '00001500' });
    await settled(h);
    const mine = h.sim.ledger().filter((e) => e.kind === 'sale');
    expect(mine).toHaveLength(1);
    expect(h.sim.netCharges(h.service.bridge.last(WHO)!.ref)).toBe(1);
  });

  it('a garbage frame (bad LRC) and a frame of the wrong length are NAKed; the next good frame is served', async () => {
    h = await startHarness({ listener: listener() });
    const ecr = await register('8N1');
    const good = `0100001234010978${SP10}A010B010`;
    const badLrc = concertFrame(good);
    badLrc.writeUInt8(badLrc.readUInt8(badLrc.length - 1) ^ 0x55, badLrc.length - 1);
    await ecr.request(good, [badLrc, concertFrame('0100001234010978')]);
    expect(decodeAnswer(await ecr.answer())).toMatchObject({ status: '0', amount: '00001234' });
    expect(h.service.bridge.last(WHO)).toMatchObject({ outcome: 'approved', acknowledged: true });
  });

  it('A011 (immediate): status 0 at once in the short layout, then the payment runs and is completed, never reversed', async () => {
    h = await startHarness({ listener: listener() });
    const ecr = await register('8N1');
    await ecr.request(`0100001250010978${SP10}A011B010`);
    const message = await ecr.answer({ enqWaitMs: 3_000 }); // pypostelium waits only 3 s for the ENQ
    expect(message).toBe(`010000012501978${SP10}`);
    let payment = h.service.bridge.last(WHO);
    while (!payment || payment.outcome === null) {
      await once(h.sim, 'ledger');
      payment = h.service.bridge.last(WHO);
    }
    await settled(h);
    expect(h.service.bridge.last(WHO)).toMatchObject({ outcome: 'approved', delivered: true });
    expect(h.sim.netCharges(payment!.ref)).toBe(1);
  });

  it("the register's cable is pulled while myPOS works: the approval finds no register and is reversed; the journal says so", async () => {
    // Short link timers: whether the bridge sees the port go or only its ENQs unanswered, it gives up within seconds.
    h = await startHarness({ listener: listener(FAST) });
    const ecr = await register('8N1');
    port!.on('error', () => undefined);
    await ecr.request(`0100001077010978${SP10}A010B010`); // …77: every stage of the simulated terminal is slow
    try {
      // The payment is under way (the register's EOT arrived) before the cable goes.
      let ref: string | undefined;
      await until(() => (ref = h!.service.bridge.last(WHO)?.ref) !== undefined);
      await pty.unplug();
      const record = h.service.journal.allByRef(WHO.register, ref!)[0]!;
      const events = () => h!.service.journal.events(record.id);
      await until(() => events().some((e) => e.type === 'settled'));
      expect(events().map((e) => e.type)).toEqual(
        expect.arrayContaining(['rejected_by_register', 'settle_decision', 'settled']),
      );
      await settled(h);
      expect(h.sim.netCharges(ref!)).toBe(0);
      expect(h.service.bridge.status(WHO, ref!)).toMatchObject({ acknowledged: false, outcome: 'cancelled' });
    } finally {
      await pty.replug();
    }
  });

  it('cheque (mode C), an unknown type and a currency the terminal does not take get status 9 in the size the flag asks for; no payment', async () => {
    h = await startHarness({ listener: listener() });
    const ecr = await register('8N1');
    await ecr.request(`01000012501C0978${SP10}A010B010`);
    expect(await ecr.answer()).toBe(`01900001250C${'0'.repeat(55)}978${SP10}`);
    await ecr.request(`0100001250017978${SP10}`);
    expect(await ecr.answer()).toBe(`019000012501978${SP10}`);
    await ecr.request(`0100001250010840${SP10}A010B010`); // USD on a EUR terminal
    expect(await ecr.answer()).toBe(`019000012501840${SP10}`);
    expect(h.service.bridge.last(WHO)).toBeUndefined();
    expect(h.sim.ledger()).toHaveLength(0);
  });
});
