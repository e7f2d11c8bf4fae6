/**
 * The whole product with a ZVT register: a ZVT ECR written here (net.Socket + the product's codec) talks to the
 * bridge's ZVT listener (started from a config by the real service), which drives the simulated myPOS terminal
 * over IPP on loopback.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Apdu } from '../../src/register/zvt/apdu';
import { encodeBcdNumber, toHex } from '../../src/register/zvt/bcd';
import { BMP, parseBmps } from '../../src/register/zvt/bmp';
import { startHarness, type Harness } from '../helpers/bridge-harness';
import { TestEcr } from '../unit/zvt-helpers';

let h: Harness | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await h?.close();
  h = undefined;
});

const WHO = { listener: 'pos', register: 'pos' };

async function zvtBridge(): Promise<Harness> {
  return startHarness({ listener: { protocol: 'zvt', password: '000000', options: { receipts: 'off' } } });
}

async function ecrFor(harness: Harness): Promise<{ ecr: TestEcr; socket: Socket }> {
  const socket = connect({ host: '127.0.0.1', port: harness.port });
  sockets.push(socket);
  await once(socket, 'connect');
  const ecr = new TestEcr({ write: (b) => socket.write(b), onData: (l) => socket.on('data', l) }, 'tcp');
  // The listener has a password: the register registers with it before any payment (config 86, the default).
  await ecr.send('06 00 04 00 00 00 86');
  await ecr.expect('80 00 00');
  await ecr.next();
  await ecr.ack();
  return { ecr, socket };
}

/** Acknowledges 04 FF intermediate statuses until another message arrives, and returns that one. */
async function afterStatuses(ecr: TestEcr): Promise<Apdu> {
  for (;;) {
    const m = await ecr.next();
    if (m.cls === 0x04 && m.instr === 0xff) {
      await ecr.ack();
      continue;
    }
    return m;
  }
}

async function settled(harness: Harness): Promise<void> {
  while (harness.sim.openTransaction() !== undefined) await once(harness.sim, 'ledger');
}

describe('ZVT register → bridge → simulated myPOS terminal (real sockets)', () => {
  it('registration, approved authorization committed by the register, then reversal of its receipt', async () => {
    h = await zvtBridge();
    const { ecr } = await ecrFor(h);
    await ecr.send('06 00 08 00 00 00 3A 09 78 03 00');
    await ecr.expect('80 00 00');
    const registered = await ecr.next();
    expect([registered.cls, registered.instr]).toEqual([0x06, 0x0f]);
    const rbmps = parseBmps(registered.data);
    expect(rbmps.get(BMP.paymentType)).toBe(0x00); // status byte
    expect(rbmps.get(BMP.currency)).toBe('0978');
    // the TID once the bridge knows the terminal's id (from its health check or a first result)
    if (rbmps.has(BMP.terminalId)) expect(rbmps.get(BMP.terminalId)).toBe('80123457');
    await ecr.ack();

    await ecr.send('06 01 0C 04 00 00 00 00 12 34 49 09 78 06 00');
    await ecr.expect('80 00 00');
    const info = await afterStatuses(ecr);
    expect([info.cls, info.instr]).toEqual([0x04, 0x0f]);
    const bmps = parseBmps(info.data);
    expect(bmps.get(BMP.resultCode)).toBe(0x00);
    expect(bmps.get(BMP.amount)).toBe(1234);
    expect(bmps.get(BMP.terminalId)).toBe('80123457');
    expect(bmps.get(BMP.pan)).toMatch(/^[0-9]{6}\*+[0-9]{4}$/);
    expect(bmps.get(BMP.currency)).toBe('0978');
    const receiptNo = bmps.get(BMP.receiptNo)!;
    expect(receiptNo).toBeGreaterThan(0);
    await ecr.ack(); // ← commit point: the bridge completes the transaction on the terminal
    await ecr.expect('06 0F 00');
    await ecr.ack();
    const payment = h.service.bridge.last(WHO)!;
    expect(payment).toMatchObject({ kind: 'sale', outcome: 'approved', acknowledged: true });
    await settled(h);
    expect(h.sim.netCharges(payment.ref)).toBe(1);

    // 06 30 with the receipt number from the 04 0F
    await ecr.send(`06 30 06 00 00 00 87 ${toHex(encodeBcdNumber(receiptNo, 2))}`);
    await ecr.expect('80 00 00');
    const reversal = await afterStatuses(ecr);
    const rb = parseBmps(reversal.data);
    expect(rb.get(BMP.resultCode)).toBe(0x00);
    expect(rb.has(BMP.originalTrace)).toBe(true);
    expect(rb.get(BMP.receiptNo)).not.toBe(receiptNo);
    await ecr.ack();
    await ecr.expect('06 0F 00');
    await ecr.ack();
    expect(h.sim.netCharges(payment.ref)).toBe(0);
    expect(h.service.bridge.status(WHO, payment.ref)).toMatchObject({ reversed: true });
  });

  it('the register hangs up instead of confirming the 04 0F: the approved payment is reversed on the terminal', async () => {
    h = await zvtBridge();
    const { ecr, socket } = await ecrFor(h);
    await ecr.send('06 01 07 04 00 00 00 00 25 00');
    await ecr.expect('80 00 00');
    const info = await afterStatuses(ecr);
    expect(parseBmps(info.data).get(BMP.resultCode)).toBe(0x00);
    socket.destroy();
    const ref = h.service.bridge.last(WHO)!.ref;
    await settled(h);
    while (h.sim.netCharges(ref) !== 0) await once(h.sim, 'ledger');
    expect(h.service.bridge.status(WHO, ref)).toMatchObject({ acknowledged: false });
  });

  it('declined by the host (amount ending 51): 04 0F with 27 33, then 06 1E 01 33; nothing charged', async () => {
    h = await zvtBridge();
    const { ecr } = await ecrFor(h);
    await ecr.send('06 01 07 04 00 00 00 00 10 51');
    await ecr.expect('80 00 00');
    const info = await afterStatuses(ecr);
    expect(toHex(info.data.subarray(0, 2))).toBe('27 33');
    await ecr.ack();
    await ecr.expect('06 1E 01 33');
    await ecr.ack();
    expect(h.sim.netCharges(h.service.bridge.last(WHO)!.ref)).toBe(0);
  });

  it("status enquiry answers from the bridge's view of the terminal; wrong password is refused", async () => {
    h = await zvtBridge();
    const { ecr } = await ecrFor(h);
    await ecr.send('05 01 03 00 00 00');
    await ecr.expect('80 00 00');
    const completion = await ecr.next();
    expect([completion.cls, completion.instr]).toEqual([0x06, 0x0f]);
    expect(completion.data.at(-1)).toBe(0x00);
    await ecr.ack();
    await ecr.send('06 50 03 12 34 56');
    await ecr.expect('84 83 00');
  });

  it('reversal finds the payment by its receipt number (not just the last one); end-of-day totals come from the journal', async () => {
    h = await zvtBridge();
    const { ecr } = await ecrFor(h);
    const pay = async (amountHex: string): Promise<number> => {
      await ecr.send(`06 01 07 04 ${amountHex}`);
      await ecr.expect('80 00 00');
      const info = await afterStatuses(ecr);
      const b = parseBmps(info.data);
      expect(b.get(BMP.resultCode)).toBe(0x00);
      await ecr.ack();
      await ecr.expect('06 0F 00');
      await ecr.ack();
      await settled(h!);
      return b.get(BMP.receiptNo)!;
    };
    const first = await pay('00 00 00 00 12 34');
    const firstRef = h.service.bridge.last(WHO)!.ref;
    const second = await pay('00 00 00 00 20 00');
    const secondRef = h.service.bridge.last(WHO)!.ref;
    expect(second).not.toBe(first);

    // The first is not the terminal's last transaction: IPP can only void the last one, so this is refused.
    await ecr.send(`06 30 06 00 00 00 87 ${toHex(encodeBcdNumber(first, 2))}`);
    await ecr.expect('80 00 00');
    const refused = await afterStatuses(ecr);
    expect(
      refused.cls === 0x06 && refused.instr === 0x1e ? refused.data[0] : parseBmps(refused.data).get(BMP.resultCode),
    ).not.toBe(0x00);
    if (refused.cls === 0x04) {
      await ecr.ack();
      await ecr.next();
    }
    await ecr.ack();
    expect(h.sim.netCharges(secondRef)).toBe(1);
    expect(h.sim.netCharges(firstRef)).toBe(1);

    // End of day: the register's period since its last close.
    await ecr.send('06 50 03 00 00 00');
    await ecr.expect('80 00 00');
    const eod = await afterStatuses(ecr);
    expect([eod.cls, eod.instr]).toEqual([0x04, 0x0f]);
    expect(parseBmps(eod.data).get(BMP.amount)).toBe(1234 + 2000);
    await ecr.ack();
    await ecr.expect('06 0F 00');
    await ecr.ack();
  });
});
