/**
 * IPP over a real serial line (mypos-ipp.md §1): the simulated myPOS terminal on one end of a socat pty pair, the
 * IPP driver with a serial link (115200 8N1, DTR/RTS asserted — refused by ptys, which is tolerated) on the other.
 * The pty pair stands in for the USB CDC-ACM / Bluetooth SPP port; killing socat is pulling the cable.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { IppDriver } from '../../src/terminal/ipp/driver';
import { createStreamIppLink } from '../../src/terminal/ipp/link';
import { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';
import { openSerialStream, serialSettings, type SerialByteStream } from '../../src/transport/serial';
import type { DriverContext, TerminalCommand } from '../../src/terminal/driver';
import { money } from '../../src/domain/money';
import { PtyPair } from './serial-pty';

let pty: PtyPair | undefined;
let sim: IppSimulator | undefined;
let driver: IppDriver | undefined;
const simPorts: SerialByteStream[] = [];

afterEach(async () => {
  await driver?.close();
  for (const p of simPorts.splice(0)) p.destroy();
  await sim?.close();
  await pty?.stop();
  pty = undefined;
  sim = undefined;
  driver = undefined;
});

/** The terminal's end of the cable: the simulator serves IPP on the pty's B side. */
async function plugTerminal(): Promise<SerialByteStream> {
  const port = await openSerialStream(serialSettings({ path: pty!.b }, 'ipp'));
  simPorts.push(port);
  sim!.attach(port);
  return port;
}

function ctx(stages: string[] = [], sids: string[] = []): DriverContext {
  return {
    signal: new AbortController().signal,
    stage: (s) => stages.push(s),
    beforeSend: async (sid) => {
      sids.push(sid);
    },
  };
}

const sale = (reference: string, minor: number): TerminalCommand => ({
  kind: 'sale',
  amount: money(minor, 'EUR'),
  reference,
});

describe('IPP driver ⇄ simulated terminal over a real pty pair', () => {
  it('sale approved, then COMPLETE_TX, on one port kept open across both requests', async () => {
    pty = await PtyPair.start();
    sim = new IppSimulator({ fast: true });
    await plugTerminal();
    let opens = 0;
    const settings = { ...serialSettings({ path: pty.a }, 'ipp'), dtr: true, rts: true };
    expect(settings).toMatchObject({ baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 });
    const link = createStreamIppLink({
      open: () => {
        opens++;
        return openSerialStream(settings);
      },
      description: `serial ${pty.a}`,
    });
    driver = new IppDriver({ id: 'usb-terminal', link, currency: 'EUR' });
    expect(driver.info.link).toBe(`IPP serial ${pty.a}`);

    const stages: string[] = [];
    const sids: string[] = [];
    const r = await driver.execute(sale('SER-1', 1234), ctx(stages, sids));
    expect(r).toMatchObject({ outcome: 'approved', needsSettlement: true, driverRef: sids[0] });
    expect(r.fields.panMasked).toMatch(/\*{4}1234$/);
    expect(stages).toEqual(expect.arrayContaining(['sent', 'accepted', 'present_card']));
    expect(sim.openTransaction()?.reference).toBe('SER-1');

    const settled = await driver.settle(r.driverRef!, 'complete');
    expect(settled.ok).toBe(true);
    expect(sim.openTransaction()).toBeUndefined();
    expect(sim.ledger().map((e) => e.kind)).toEqual(['sale', 'complete_tx']);
    expect(sim.netCharges('SER-1')).toBe(1);
    expect(opens).toBe(1);
  });

  it('cable pulled while the card is presented: in_doubt; after replug the port reopens and lookup finds the payment', async () => {
    pty = await PtyPair.start();
    sim = new IppSimulator({ fast: true });
    const terminalEnd = await plugTerminal();
    driver = new IppDriver({
      id: 'usb-terminal',
      currency: 'EUR',
      link: createStreamIppLink({
        open: () => openSerialStream(serialSettings({ path: pty!.a }, 'ipp')),
        description: 'serial',
      }),
    });
    sim.hold();
    const sids: string[] = [];
    let cardAsked!: () => void;
    const presentCard = new Promise<void>((resolve) => (cardAsked = resolve));
    const pending = driver.execute(sale('SER-2', 2500), {
      ...ctx([], sids),
      stage: (s) => {
        if (s === 'present_card') cardAsked();
      },
    });
    // The driver has read STAGE=2 (accepted, card being presented) before the cable goes.
    await presentCard;

    const terminalGone = new Promise<void>((resolve) => terminalEnd.once('close', () => resolve()));
    await pty.unplug();
    const r = await pending;
    expect(r.outcome).toBe('in_doubt');
    expect(r.driverRef).toBe(sids[0]);
    expect(r.message).toMatch(/accepted the payment but its answer was lost/);
    await terminalGone;

    // While unplugged, the cardholder finishes on the terminal: approved and open there.
    sim.release();
    if (sim.openTransaction()?.reference !== 'SER-2') await once(sim, 'ledger');
    // Asking now cannot reach the terminal: still in doubt (undefined), never an error.
    expect(
      await driver.lookup({ kind: 'sale', reference: 'SER-2', driverRef: sids[0]!, amount: money(2500, 'EUR') }),
    ).toBeUndefined();

    await pty.replug();
    await plugTerminal();
    const found = await driver.lookup({
      kind: 'sale',
      reference: 'SER-2',
      driverRef: sids[0]!,
      amount: money(2500, 'EUR'),
    });
    expect(found).toMatchObject({ outcome: 'approved', needsSettlement: true });
    expect((await driver.settle(sids[0]!, 'cancel')).ok).toBe(true);
    expect(sim.netCharges('SER-2')).toBe(0);
    expect(sim.ledger().filter((e) => e.reference === 'SER-2' && e.kind === 'sale')).toHaveLength(1);
  });
});
