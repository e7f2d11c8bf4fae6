/**
 * ECR17 on a serial line (deprecated by Nexi, still found on older registers): the bridge's listener opens one end of
 * a socat pty pair, the register written from the sheet the other; the same frames as on TCP, and the line stays
 * open after the payment.
 */
import { once } from 'node:events';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/bridge-harness';
import { TestRegister, lastResultRequest, paymentRequest, resultFields } from './ecr17-register';
import { PtyPair } from './serial-pty';

const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe('ECR17 register on a serial line → bridge → simulated myPOS terminal', () => {
  it('an approved payment in the stx LRC mode, committed by the register; send last result on the same line', async () => {
    const pty = await PtyPair.start();
    stops.push(() => pty.stop());
    const h: Harness = await startHarness({
      listener: { protocol: 'ecr17', locale: 'en-GB', transport: { type: 'serial', path: pty.a } },
    });
    stops.push(() => h.close());
    const port = new SerialPort({ path: pty.b, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    stops.push(() => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())));
    const r = TestRegister.over(port, 'stx');

    r.send(paymentRequest(2500));
    await r.expectAck();
    const text = await r.frame();
    expect(resultFields(text)).toMatchObject({ result: '00' });
    r.ack();
    const who = { listener: 'pos', register: 'pos/00000001' };
    while (!h.service.bridge.last(who)?.acknowledged) await new Promise((res) => setTimeout(res, 20));
    while (h.sim.openTransaction() !== undefined) await once(h.sim, 'ledger');
    expect(h.sim.netCharges(h.service.bridge.last(who)!.ref)).toBe(1);

    r.send(lastResultRequest());
    await r.expectAck();
    expect(await r.frame()).toBe(text);
    r.ack();
  });
});
