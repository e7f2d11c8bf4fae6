/**
 * The whole bridge (startService) with serial links, on real pty pairs (socat):
 * - a native register on a serial listener (9600 8N1) paying on the simulated terminal: approved end to end;
 * - a myPOS terminal on a serial cable (IPP, 115200 8N1) whose cable is pulled while the card is presented: the
 *   register gets in_doubt, and once the cable is back the bridge's recovery resolves the payment; the terminal's
 *   ledger and the journal agree (the approval nobody was waiting for any more is cancelled, charged 0 times);
 * - the register's own cable pulled mid-payment: the listener re-opens the port, the register resends the same ref
 *   and gets the one approval; or, when the approval came while nobody could receive it, it is cancelled and the
 *   register is told on its next hello;
 * - a text-protocol register on a serial port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load';
import { startService, type Service } from '../../src/service';
import { silentLogger } from '../../src/log/logger';
import { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';
import { openSerialStream, serialSettings, type SerialByteStream } from '../../src/transport/serial';
import { NativeClient } from '../helpers/native-client';
import { PtyPair } from './serial-pty';
import { SerialNativeRegister } from './serial-register';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const BRIDGE_TUNING = {
  busyBackoffMs: 10,
  deliveryTimeoutMs: 5000,
  recoveryMinMs: 50,
  recoveryMaxMs: 200,
  healthIntervalMs: 0,
  inDoubtLookupDelayMs: 20,
};

async function service(config: Record<string, unknown>): Promise<Service> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rb-serial-'));
  const svc = await startService(parseConfig({ dataDir, status: { enabled: false }, ...config }), {
    log: silentLogger(),
    status: false,
    bridge: BRIDGE_TUNING,
  });
  cleanups.push(async () => {
    await svc.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return svc;
}

async function pty(): Promise<PtyPair> {
  const p = await PtyPair.start();
  cleanups.push(() => p.stop());
  return p;
}

async function simulator(): Promise<IppSimulator> {
  const sim = new IppSimulator({ fast: true });
  cleanups.push(() => sim.close());
  return sim;
}

/** Plugs the simulated terminal into the B end of a cable (pty pair). */
async function plugTerminal(sim: IppSimulator, cable: PtyPair): Promise<SerialByteStream> {
  const port = await openSerialStream(serialSettings({ path: cable.b }, 'ipp'));
  cleanups.push(() => void port.destroy());
  sim.attach(port);
  return port;
}

/** Resolves once the bridge shows the payment as `pred` wants, re-checking on every payment event. */
async function untilPayment(
  svc: Service,
  ref: string,
  pred: (p: { outcome?: string | null; stage?: string }) => boolean,
): Promise<void> {
  const matches = (): boolean => svc.bridge.recent().some((p) => p.ref === ref && pred(p as never));
  while (!matches()) await once(svc.bridge, 'payment');
}

/** Resolves once `cond` holds, re-checking on every ledger change of the simulated terminal. */
async function untilLedger(sim: IppSimulator, cond: () => boolean): Promise<void> {
  while (!cond()) await once(sim, 'ledger');
}

describe('serial links through the whole bridge', () => {
  it('a native register on a serial port: sale approved end to end, completed once', async () => {
    const sim = await simulator();
    const simPort = await sim.listen({ host: '127.0.0.1', port: 0 });
    const cable = await pty();
    const svc = await service({
      listeners: [
        {
          id: 'till',
          protocol: 'native',
          transport: { type: 'serial', path: cable.a, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
        },
      ],
      terminals: [
        { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: simPort }, currency: 'EUR' },
      ],
    });
    expect(svc.listeners[0]).toMatchObject({ id: 'till', transport: 'serial', address: `serial ${cable.a} 9600 8N1` });

    const till = await SerialNativeRegister.open(cable.b);
    cleanups.push(() => till.close());
    const hello = await till.request({ op: 'hello', id: 'h', register: 'till-1' }, ['hello']);
    expect(hello).toMatchObject({ type: 'hello', terminals: [{ id: 'lane1' }] });
    const r = await till.request({ op: 'sale', id: '1', ref: 'COM-1', amount: 1950, currency: 'EUR' });
    expect(r).toMatchObject({ type: 'result', ref: 'COM-1', outcome: 'approved', amount: 1950, currency: 'EUR' });
    expect(
      till
        .of('1')
        .filter((m) => m.type === 'progress')
        .map((m) => m.stage),
    ).toEqual(expect.arrayContaining(['queued', 'present_card']));
    await untilLedger(sim, () => sim.openTransaction() === undefined);
    expect(sim.netCharges('COM-1')).toBe(1);
    expect(svc.journal.list({ ref: 'COM-1' })).toMatchObject([{ ref: 'COM-1', outcome: 'approved' }]);
  });

  it('terminal cable pulled mid-payment: in_doubt for the register, resolved by recovery after replug, ledger consistent', async () => {
    const sim = await simulator();
    const cable = await pty();
    await plugTerminal(sim, cable);
    const svc = await service({
      listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 } }],
      terminals: [{ id: 'usb1', driver: 'ipp', transport: { type: 'serial', path: cable.a }, currency: 'EUR' }],
    });
    expect(svc.bridge.terminals()[0]!.link).toBe(`IPP serial ${cable.a} 115200 8N1`);
    const pos = await NativeClient.open(svc.listeners[0]!.port!);
    cleanups.push(() => pos.close());

    sim.hold();
    pos.send({ op: 'sale', id: '1', ref: 'CAB-1', amount: 2500, currency: 'EUR' });
    await pos.waitFor((m) => m.id === '1' && m.stage === 'present_card');
    await cable.unplug();
    const r = await pos.waitFor((m) => m.id === '1' && m.type === 'result');
    expect(r).toMatchObject({ ref: 'CAB-1', outcome: 'in_doubt' });
    expect(svc.journal.list({ ref: 'CAB-1' })).toMatchObject([{ outcome: 'in_doubt' }]);

    // The cardholder completed the payment on the terminal while the cable was out.
    sim.release();
    await untilLedger(sim, () => sim.openTransaction()?.reference === 'CAB-1');

    await cable.replug();
    await plugTerminal(sim, cable);
    // Recovery asks the terminal (GET_STATUS), finds the approval the register no longer waits for, and cancels it.
    await untilPayment(svc, 'CAB-1', (p) => p.outcome === 'cancelled' && p.stage === 'done');
    expect(sim.openTransaction()).toBeUndefined();
    const status = await pos.request({ op: 'status', id: '2', ref: 'CAB-1' }, ['status']);
    expect(status).toMatchObject({ ref: 'CAB-1', outcome: 'cancelled' });
    expect(sim.netCharges('CAB-1')).toBe(0);
    expect(sim.ledger().filter((e) => e.reference === 'CAB-1' && e.kind === 'sale')).toHaveLength(1);
    expect(svc.journal.list({ ref: 'CAB-1' })).toMatchObject([{ outcome: 'cancelled' }]);
  });
});

/**
 * Says hello until the bridge answers: after a replug the bridge re-opens its end on its own schedule, and bytes
 * sent before that are lost with the old line (as on a real cable). A register does the same: it retries.
 */
async function helloAgain(till: SerialNativeRegister, register: string): Promise<string> {
  for (let i = 0; ; i++) {
    const id = `hello-${i}`;
    till.send({ op: 'hello', id, register });
    try {
      await till.waitFor((m) => m.id === id && m.type === 'hello', 500);
      return id;
    } catch (e) {
      if (i >= 60) throw e;
    }
  }
}

describe('register cable pulled with a payment in flight', () => {
  it('the listener re-opens the port; the register resends the same ref and gets the one approval, charged once', async () => {
    const sim = await simulator();
    const simPort = await sim.listen({ host: '127.0.0.1', port: 0 });
    const cable = await pty();
    const svc = await service({
      listeners: [{ id: 'till', protocol: 'native', transport: { type: 'serial', path: cable.a } }],
      terminals: [
        { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: simPort }, currency: 'EUR' },
      ],
    });
    let till = await SerialNativeRegister.open(cable.b);
    cleanups.push(() => till.close());
    await till.request({ op: 'hello', id: 'h1', register: 'till-1' }, ['hello']);

    sim.hold();
    till.send({ op: 'sale', id: '1', ref: 'PULL-1', amount: 4200, currency: 'EUR' });
    await till.waitFor((m) => m.id === '1' && m.stage === 'present_card');
    const oldPort = till.port;
    const gone = new Promise<void>((resolve) => oldPort.once('close', () => resolve()));
    await cable.unplug();
    await gone;
    expect(till.of('1').some((m) => m.type === 'result')).toBe(false);

    await cable.replug();
    // The bridge opens its end again by itself (timed re-open: no USB plug event for a pty).
    till = await SerialNativeRegister.open(cable.b);
    await helloAgain(till, 'till-1');
    // As the protocol asks after a lost connection: the same request again. It attaches; nothing new is charged.
    till.send({ op: 'sale', id: '2', ref: 'PULL-1', amount: 4200, currency: 'EUR' });
    await till.waitFor((m) => m.id === '2' && m.type === 'progress' && m.stage === 'queued');
    sim.release();
    const r = await till.waitFor((m) => m.id === '2' && m.type === 'result');
    expect(r).toMatchObject({ ref: 'PULL-1', outcome: 'approved', amount: 4200, attached: true });
    await untilPayment(svc, 'PULL-1', (p) => p.stage === 'done');
    await untilLedger(sim, () => sim.openTransaction() === undefined);
    expect(sim.netCharges('PULL-1')).toBe(1);
    expect(sim.ledger().filter((e) => e.reference === 'PULL-1' && e.kind === 'sale')).toHaveLength(1);
    expect(svc.journal.list({ ref: 'PULL-1' })).toMatchObject([{ outcome: 'approved' }]);
  });

  it('the approval arrives while the cable is out: not kept (nobody saw it), cancelled on the terminal, and told on hello', async () => {
    const sim = await simulator();
    const simPort = await sim.listen({ host: '127.0.0.1', port: 0 });
    const cable = await pty();
    const svc = await service({
      listeners: [{ id: 'till', protocol: 'native', transport: { type: 'serial', path: cable.a } }],
      terminals: [
        { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: simPort }, currency: 'EUR' },
      ],
    });
    let till = await SerialNativeRegister.open(cable.b);
    cleanups.push(() => till.close());
    await till.request({ op: 'hello', id: 'h1', register: 'till-1' }, ['hello']);
    sim.hold();
    till.send({ op: 'sale', id: '1', ref: 'PULL-2', amount: 990, currency: 'EUR' });
    await till.waitFor((m) => m.id === '1' && m.stage === 'present_card');
    const oldPort = till.port;
    const gone = new Promise<void>((resolve) => oldPort.once('close', () => resolve()));
    await cable.unplug();
    await gone;

    sim.release();
    // The result could not be written to anyone: the bridge cancels the approval on the terminal.
    await untilPayment(svc, 'PULL-2', (p) => p.outcome === 'cancelled' && p.stage === 'done');
    expect(sim.netCharges('PULL-2')).toBe(0);

    await cable.replug();
    till = await SerialNativeRegister.open(cable.b);
    const hello = await helloAgain(till, 'till-1');
    const told = await till.waitFor((m) => m.id === hello && m.type === 'result');
    expect(told).toMatchObject({ ref: 'PULL-2', outcome: 'cancelled', redelivered: true });
    const status = await till.request({ op: 'status', id: 's', ref: 'PULL-2' }, ['status']);
    expect(status).toMatchObject({ ref: 'PULL-2', outcome: 'cancelled' });
  });
});

describe('text register on a serial port', () => {
  it('SALE;ref;amount on a 9600 8N1 line: OK;ref;APPROVED, charged once; a bad line gets ERR and the line lives on', async () => {
    const sim = await simulator();
    const simPort = await sim.listen({ host: '127.0.0.1', port: 0 });
    const cable = await pty();
    const svc = await service({
      listeners: [{ id: 'till', protocol: 'text', transport: { type: 'serial', path: cable.a } }],
      terminals: [
        { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: simPort }, currency: 'EUR' },
      ],
    });
    expect(svc.listeners[0]).toMatchObject({ transport: 'serial', address: `serial ${cable.a} 9600 8N1` });
    const register = await openSerialStream(serialSettings({ path: cable.b }, 'text'));
    cleanups.push(() => void register.destroy());
    let text = '';
    const waiters: Array<() => void> = [];
    register.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      for (const w of waiters.splice(0)) w();
    });
    const line = async (prefix: string): Promise<string> => {
      for (;;) {
        const found = text.split(/\r\n|\n|\r/).find((l) => l.startsWith(prefix));
        if (found) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    };
    register.write(Buffer.from('NONSENSE\r\nSALE;SER-T1;12.34;EUR\r\n'));
    // The answer's text is the catalogue's, in the listener's language (English here); the code is the protocol's.
    expect(await line('ERR;;unknown_op')).toBe('ERR;;unknown_op;Unknown operation');
    expect(await line('OK;SER-T1;')).toMatch(/^OK;SER-T1;APPROVED;\w+$/);
    await untilLedger(sim, () => sim.openTransaction() === undefined);
    expect(sim.netCharges('SER-T1')).toBe(1);
  });
});
