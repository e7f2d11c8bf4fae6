/**
 * The whole product with an Italian ECR17 register: a register written from the sheet (ecr17-register.ts) talks
 * over real sockets to the bridge's ECR17 listener (started from a config by the real service), which drives the
 * simulated myPOS terminal over IPP on loopback.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/bridge-harness';
import {
  TestRegister,
  closeRequest,
  lastResultRequest,
  paymentRequest,
  resultFields,
  reversalRequest,
  sheetLrc,
  statusRequest,
  totalsRequest,
  type Mode,
} from './ecr17-register';

const harnesses: Harness[] = [];
const registers: TestRegister[] = [];
afterEach(async () => {
  for (const r of registers.splice(0)) r.close();
  for (const h of harnesses.splice(0)) await h.close();
});

const WHO = { listener: 'pos', register: 'pos/00000001' };

/** An ECR17 listener; its register texts in English unless `listener` says otherwise (the default is Italian). */
async function bridge(
  options: Record<string, unknown> = {},
  listener: Record<string, unknown> = { locale: 'en-GB' },
): Promise<Harness> {
  const h = await startHarness({
    listener: { protocol: 'ecr17', ...listener, options: { terminalId: '12345678', ...options } },
  });
  harnesses.push(h);
  return h;
}

async function register(h: Harness, mode: Mode = 'std'): Promise<TestRegister> {
  const r = await TestRegister.open(h.port, mode);
  registers.push(r);
  return r;
}

async function settled(h: Harness): Promise<void> {
  while (h.sim.openTransaction() !== undefined) await once(h.sim, 'ledger');
}

/** Sends a payment and returns its result frame (after the ACK and any progress frames). */
async function pay(r: TestRegister, cents: number, code: 'P' | 'X' = 'P'): Promise<string> {
  r.send(paymentRequest(cents, { code }));
  await r.expectAck();
  return r.frame();
}

function journalNotes(h: Harness, ref: string): string[] {
  const record = h.service.journal.allByRef(WHO.register, ref).find((x) => x.kind === 'sale')!;
  return h.service.journal.events(record.id).map((e) => e.type);
}

describe('ECR17 register → bridge → simulated myPOS terminal (real sockets)', () => {
  it('approved sale: ACK at once, progress frames, the 71-character result; the register ACK commits; the bridge closes the connection', async () => {
    const h = await bridge({}, {});
    const r = await register(h);
    const text = await pay(r, 1250);
    expect(r.progress.length).toBeGreaterThan(0);
    for (const p of r.progress) expect(p).toHaveLength(20);
    expect(r.progress).toContain('INSERIRE CARTA'.padEnd(20)); // Italian unless the config names another language
    expect(text).toHaveLength(71);
    expect(text.slice(0, 10)).toBe('123456780E');
    const f = resultFields(text);
    expect(f).toMatchObject({ result: '00', cardType: '2' });
    expect(f.pan).toMatch(/^0+[0-9]{6}\*+[0-9]{4}$/);
    expect(f.pan).toHaveLength(19);
    expect(['ICC', 'MAG', 'MAN', 'CLM', 'CLI']).toContain(f.entry);
    r.ack(); // ← commit point
    await r.waitClosed();
    await settled(h);
    const payment = h.service.bridge.last(WHO)!;
    expect(payment).toMatchObject({
      kind: 'sale',
      outcome: 'approved',
      acknowledged: true,
      amount: { minor: 1250, currency: 'EUR' },
    });
    expect(f.stan).toBe(String(payment.result!.receiptNo).padStart(6, '0'));
    expect(h.sim.netCharges(payment.ref)).toBe(1);
    expect(h.sim.ledger().filter((e) => e.kind === 'sale' && e.reference === payment.ref)).toHaveLength(1);
  });

  it('X payment: the 92-character extended result with action code and the amount approved by the host; a bare ACK byte commits too', async () => {
    const h = await bridge();
    const r = await register(h);
    const text = await pay(r, 2000, 'X');
    expect(text).toHaveLength(92);
    expect(text.slice(71)).toBe('000' + '00002000' + '0000000000');
    r.raw(Buffer.from([0x06]));
    await r.waitClosed();
    await until(() => h.service.bridge.last(WHO)!.acknowledged);
  });

  it('declined by the host (amount ending 51): E 01 with the reason; nothing charged', async () => {
    const h = await bridge();
    const r = await register(h);
    const text = await pay(r, 1051);
    expect(text).toHaveLength(71);
    expect(resultFields(text)).toMatchObject({ result: '01', reason: 'DECLINED BY ISSUER' });
    expect(text.slice(36, 47)).toBe('0'.repeat(11));
    r.ack();
    await r.waitClosed();
    const payment = h.service.bridge.last(WHO)!;
    expect(payment).toMatchObject({ outcome: 'declined', acknowledged: true });
    expect(h.sim.netCharges(payment.ref)).toBe(0);
  });

  it('a resend of the same P (our ACK was lost) is ACKed again and charges once', async () => {
    const h = await bridge();
    h.sim.hold();
    const r = await register(h);
    r.send(paymentRequest(3000));
    await r.expectAck();
    await once(h.sim, 'held');
    r.send(paymentRequest(3000));
    await r.expectAck();
    h.sim.release();
    const text = await r.frame();
    expect(resultFields(text).result).toBe('00');
    r.ack();
    await r.waitClosed();
    await settled(h);
    expect(h.service.journal.list({ register: WHO.register })).toHaveLength(1);
    expect(h.sim.ledger().filter((e) => e.kind === 'sale')).toHaveLength(1);
    expect(h.sim.netCharges(h.service.bridge.last(WHO)!.ref)).toBe(1);
  });

  it('garbage is NAKed per the sheet (bad LRC, unknown code, wrong terminal ID, bad layout) and the next good frame is served', async () => {
    const h = await bridge();
    const r = await register(h);
    const status = statusRequest();
    const bad = r.frameBytes(status);
    bad[bad.length - 1]! ^= 0x10;
    r.raw(bad);
    expect((await r.expectNak()).equals(Buffer.from([0x15, 0x03, 0x6a]))).toBe(true);
    r.send('123456780p0000000100');
    await r.expectNak();
    r.send(statusRequest('87654321'));
    await r.expectNak();
    r.send(paymentRequest(1250).slice(0, 100));
    await r.expectNak();
    r.raw(Buffer.from('\x00\xff noise \x7f'));
    r.send(status);
    await r.expectAck();
    const answer = await r.frame();
    expect(answer.slice(0, 20)).toBe('123456780s0000000000');
    expect(answer.slice(30, 31)).toBe('2');
    expect((answer.length - 31) % 8).toBe(0);
    r.ack();
    // TID 00000000 is always accepted (§1)
    r.send(statusRequest('00000000'));
    await r.expectAck();
    expect((await r.frame()).slice(0, 10)).toBe('000000000s');
    r.ack();
  });

  it('reversal of the last transaction (STAN 000000): the 84-character result, the payment reversed at myPOS; a wrong STAN is refused', async () => {
    const h = await bridge({ closeAfterPayment: false });
    const r = await register(h);
    const sale = resultFields(await pay(r, 4200));
    r.ack();
    await settled(h);
    const ref = h.service.bridge.last(WHO)!.ref;
    expect(h.sim.netCharges(ref)).toBe(1);

    const wrong = String((Number(sale.stan) + 1) % 1_000_000).padStart(6, '0');
    r.send(reversalRequest(wrong));
    await r.expectAck();
    const refused = await r.frame();
    expect(refused).toHaveLength(84);
    expect(resultFields(refused)).toMatchObject({ result: '01', reason: 'STAN NOT LAST PAYMENT' });
    r.ack();
    expect(h.sim.netCharges(ref)).toBe(1);

    r.send(reversalRequest('000000'));
    await r.expectAck();
    const text = await r.frame();
    expect(text).toHaveLength(84);
    const f = resultFields(text);
    expect(f).toMatchObject({ result: '00', approval: '000000' });
    expect(text.slice(71)).toBe('000' + '0000000000');
    r.ack();
    await settled(h);
    expect(h.sim.netCharges(ref)).toBe(0);
    expect(h.service.bridge.status(WHO, ref)).toMatchObject({ reversed: true });

    // nothing left to reverse
    r.send(reversalRequest('000000'));
    await r.expectAck();
    expect(resultFields(await r.frame())).toMatchObject({ result: '01', reason: 'NOTHING TO REVERSE' });
    r.ack();
  });

  it('the register disappears before the answer: the payment stands (journal: held for the register); G on a new connection replays it and commits', async () => {
    const h = await bridge();
    h.sim.hold();
    const r = await register(h);
    r.send(paymentRequest(1500));
    await r.expectAck();
    await once(h.sim, 'held');
    r.close();
    h.sim.release();
    await settled(h);
    while (h.service.bridge.last(WHO)?.outcome == null) await once(h.sim, 'ledger');
    const payment = h.service.bridge.last(WHO)!;
    await until(() => journalNotes(h, payment.ref).includes('held_for_register'));
    expect(payment).toMatchObject({ outcome: 'approved', acknowledged: false });
    expect(h.sim.netCharges(payment.ref)).toBe(1);

    const again = await register(h);
    again.send(lastResultRequest());
    await again.expectAck();
    const text = await again.frame();
    expect(text).toHaveLength(71);
    const f = resultFields(text);
    expect(f).toMatchObject({ result: '00' });
    expect(f.stan).toBe(String(payment.result!.receiptNo).padStart(6, '0'));
    again.ack();
    await until(() => h.service.bridge.last(WHO)!.acknowledged);
    // the replay is the same message every time
    again.send(lastResultRequest());
    await again.expectAck();
    expect(await again.frame()).toBe(text);
    again.ack();
  });

  it('the result is never acknowledged: resent three times, then the payment stands; "send last result" after the lost answer', async () => {
    const h = await bridge({ ackTimeoutMs: 100, closeAfterPayment: false });
    const r = await register(h);
    const first = await pay(r, 1600);
    const resends = [await r.frame(), await r.frame(), await r.frame()];
    expect(resends).toEqual([first, first, first]);
    await settled(h);
    const payment = h.service.bridge.last(WHO)!;
    await until(() => journalNotes(h, payment.ref).includes('held_for_register'));
    expect(h.sim.netCharges(payment.ref)).toBe(1);
    r.send(lastResultRequest());
    await r.expectAck();
    expect(await r.frame()).toBe(first);
    r.ack();
    await until(() => h.service.bridge.last(WHO)!.acknowledged);
  });

  it('with reverseUnacknowledged on, a result the register never took is reversed at myPOS and G then reports it refused', async () => {
    const h = await bridge({ reverseUnacknowledged: true });
    h.sim.hold();
    const r = await register(h);
    r.send(paymentRequest(1700));
    await r.expectAck();
    await once(h.sim, 'held');
    r.close();
    h.sim.release();
    await until(() => h.service.bridge.last(WHO)?.outcome === 'cancelled');
    const payment = h.service.bridge.last(WHO)!;
    await settled(h);
    expect(h.sim.netCharges(payment.ref)).toBe(0);
    expect(journalNotes(h, payment.ref)).toContain('rejected_by_register');

    const again = await register(h);
    again.send(lastResultRequest());
    await again.expectAck();
    expect(resultFields(await again.frame())).toMatchObject({ result: '01', reason: 'REVERSED' });
    again.ack();
  });

  it('totals and close session: the register period from the journal, reset by C', async () => {
    const h = await bridge({ closeAfterPayment: false });
    const r = await register(h);
    await pay(r, 1250);
    r.ack();
    await pay(r, 1051); // declined: not counted
    r.ack();
    await pay(r, 1000);
    r.ack();
    await settled(h);
    r.send(totalsRequest());
    await r.expectAck();
    const totals = await r.frame();
    expect(totals).toBe('123456780T00' + '2250'.padStart(16, '0') + '000000');
    r.ack();
    r.send(closeRequest());
    await r.expectAck();
    const closed = await r.frame();
    expect(closed).toBe('123456780C00' + '2250'.padStart(16, '0') + '2250'.padStart(16, '0'));
    r.ack();
    r.send(totalsRequest());
    await r.expectAck();
    expect(await r.frame()).toBe('123456780T00' + '0'.padStart(16, '0') + '000000');
    r.ack();
  });

  it('receipt on the ECR (E1): S messages of 24-column lines before the result, the last ending 7D×6 1B; the switch falls back after the procedure', async () => {
    const h = await bridge({ closeAfterPayment: false });
    const r = await register(h);
    r.send('123456780E1');
    await r.expectAck();
    r.send(paymentRequest(1250));
    await r.expectAck();
    const receipt: string[] = [];
    let text = await r.frame();
    while (text.startsWith('123456780S')) {
      expect(text.length - 10).toBeLessThanOrEqual(200);
      receipt.push(text.slice(10));
      r.ack();
      text = await r.frame();
    }
    expect(resultFields(text).result).toBe('00');
    r.ack();
    const whole = receipt.join('');
    expect(whole.endsWith('\x7d'.repeat(6) + '\x1b')).toBe(true);
    const lines = whole.slice(0, -7).split('\x7d');
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(24);
    expect(lines.join('\n')).toMatch(/12[.,]50/);
    expect(lines.join('\n')).toMatch(/\*{4,}1234/);
    expect(lines.join('\n')).not.toMatch(/[0-9]{16}/);
    // the next procedure prints on the terminal again
    const next = await pay(r, 1300);
    expect(next.slice(0, 10)).toBe('123456780E');
    r.ack();
  });

  it('additional data: a P announcing a U waits for it (ACKed), and the U result follows the acknowledged E', async () => {
    const h = await bridge();
    const r = await register(h);
    r.send(paymentRequest(1250, { additional: true }));
    await r.expectAck();
    r.send('123456780U' + '000001' + '62' + 'DF8D0100' + '0' + '0001' + '00000' + 'ABC\x1b');
    await r.expectAck();
    expect(resultFields(await r.frame()).result).toBe('00');
    r.ack();
    expect(await r.frame()).toBe('123456780U000');
    r.ack();
  });

  it('an HTTP request (a browser page posting to the port) is closed before anything reaches the session', async () => {
    const h = await bridge();
    const r = await register(h);
    r.raw(Buffer.from('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n\r\n' + paymentRequest(1250)));
    await r.waitClosed();
    expect(await r.next()).toBeUndefined();
    expect(h.service.bridge.last(WHO)).toBeUndefined();
  });

  it.each(['std', 'stx', 'noext', 'stx_noext'] as const)(
    "LRC mode %s is detected from the register's frames and used for every answer",
    async (mode) => {
      const h = await bridge({ closeAfterPayment: false });
      const r = await register(h, mode);
      r.send(statusRequest());
      await r.expectAck(); // in the register's mode
      await r.frame(); // LRC checked in the register's mode
      r.ack();
      await pay(r, 1250);
      r.ack();
      // a frame in another mode is now NAKed (in the register's mode)
      const other = mode === 'std' ? 'stx' : 'std';
      r.send(statusRequest(), other);
      const nak = await r.expectNak();
      expect(nak[2]).toBe(sheetLrc(Uint8Array.of(0x15), mode));
    },
  );
});

async function until(pred: () => boolean): Promise<void> {
  for (const end = Date.now() + 20_000; Date.now() < end && !pred();) await new Promise((res) => setTimeout(res, 20));
  expect(pred()).toBe(true);
}
