/**
 * A myPOS terminal configured as `{"type":"serial","path":"auto"}`, as the bridge builds it (terminal factory), on a
 * real pty pair:
 * - "auto" finds the port through the real serialport list by the terminal's USB id (a stand-in `udevadm` first on
 *   PATH reports the pty as a myPOS CDC-ACM port, 294A:3101, as udev would report the real terminal);
 * - the cable is pulled while the card is presented: in_doubt;
 * - plugged back in, the USB attach event of the terminal (and only a myPOS one: a USB-serial cable's is ignored)
 *   makes the bridge open the port and ask the terminal at once, without waiting for a request; the payment the
 *   cardholder finished meanwhile is found and settled.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTerminal } from '../../src/terminal/factory';
import { parseConfig } from '../../src/config/load';
import { createLogger } from '../../src/log/logger';
import { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';
import { openSerialStream, serialSettings, type SerialByteStream } from '../../src/transport/serial';
import { UsbPlugHub, type UsbBackend, type UsbPlugEvent } from '../../src/transport/usb';
import type { DriverContext } from '../../src/terminal/driver';
import { money } from '../../src/domain/money';
import { PtyPair } from './serial-pty';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

class FakeUsb implements UsbBackend {
  private listener: ((e: UsbPlugEvent) => void) | undefined;
  async devices(): Promise<[]> {
    return [];
  }
  watch(listener: (e: UsbPlugEvent) => void): () => void {
    this.listener = listener;
    return () => (this.listener = undefined);
  }
  emit(e: UsbPlugEvent): void {
    this.listener?.(e);
  }
}

/** PATH with a stand-in udevadm that reports `ptyPath` as a myPOS terminal's CDC-ACM port. */
function udevadmReporting(ptyPath: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rb-udevadm-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'listing.txt'),
    `P: /devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/tty/ttyACM0\nN: ttyACM0\nE: DEVNAME=${ptyPath}\nE: SUBSYSTEM=tty\nE: ID_VENDOR_ENC=Nexgo\nE: ID_VENDOR_ID=294a\nE: ID_MODEL_ID=3101\n\n`,
  );
  writeFileSync(join(dir, 'udevadm'), `#!/bin/sh\ncat '${join(dir, 'listing.txt')}'\n`);
  chmodSync(join(dir, 'udevadm'), 0o755);
  return `${dir}${delimiter}${process.env.PATH ?? ''}`;
}

function ctx(onStage: (s: string) => void = () => undefined): DriverContext {
  return { signal: new AbortController().signal, stage: onStage, beforeSend: async () => undefined };
}

describe.runIf(process.platform === 'linux')(
  'myPOS terminal on "auto" serial path, re-opened on its USB plug event',
  () => {
    it("in_doubt when the cable is pulled mid-payment; the terminal's attach event reconnects at once and the payment is found", async () => {
      const cable = await PtyPair.start();
      cleanups.push(() => cable.stop());
      const savedPath = process.env.PATH;
      process.env.PATH = udevadmReporting(cable.a);
      cleanups.push(() => void (process.env.PATH = savedPath));

      const sim = new IppSimulator({ fast: true });
      cleanups.push(() => sim.close());
      const simPorts: SerialByteStream[] = [];
      cleanups.push(() => simPorts.forEach((p) => p.destroy()));
      const plugTerminal = async (): Promise<void> => {
        const p = await openSerialStream(serialSettings({ path: cable.b }, 'ipp'));
        simPorts.push(p);
        sim.attach(p);
      };
      await plugTerminal();

      const lines: string[] = [];
      const log = createLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(l) } });
      const usb = new FakeUsb();
      const hub = new UsbPlugHub(usb);
      const cfg = parseConfig({
        listeners: [{ protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 } }],
        terminals: [{ id: 'usb1', driver: 'ipp', transport: { type: 'serial', path: 'auto' }, currency: 'EUR' }],
        status: { enabled: false },
      }).terminals[0]!;
      const created = await createTerminal(cfg, { log, secrets: { env: {} }, plugEvents: hub });
      cleanups.push(async () => {
        await created.close();
        await created.driver.close?.();
      });
      expect(hub.active).toBe(true);
      const driver = created.driver;
      expect(driver.info.link).toBe('IPP serial auto 115200 8N1');

      // "auto" resolved through serialport's list to the terminal's port.
      const ok = await driver.execute({ kind: 'sale', amount: money(1000, 'EUR'), reference: 'AUTO-1' }, ctx());
      expect(ok).toMatchObject({ outcome: 'approved' });
      expect((await driver.settle!(ok.driverRef!, 'complete')).ok).toBe(true);

      sim.hold();
      let asked!: () => void;
      const presentCard = new Promise<void>((resolve) => (asked = resolve));
      const pending = driver.execute(
        { kind: 'sale', amount: money(2500, 'EUR'), reference: 'AUTO-2' },
        ctx((s) => s === 'present_card' && asked()),
      );
      await presentCard;
      const gone = new Promise<void>((resolve) => simPorts.at(-1)!.once('close', () => resolve()));
      await cable.unplug();
      const r = await pending;
      expect(r.outcome).toBe('in_doubt');
      await gone;
      sim.release();
      if (sim.openTransaction()?.reference !== 'AUTO-2') await once(sim, 'ledger');

      await cable.replug();
      await plugTerminal();
      const checks = (): number =>
        lines.filter((l) => l.includes('USB device plugged in: checking the terminal')).length;
      // A USB-serial cable plugged in is not the terminal: nothing happens. Detach events never do anything.
      usb.emit({ type: 'attach', vendorId: 0x0403, productId: 0x6001 });
      usb.emit({ type: 'detach', vendorId: 0x294a, productId: 0x3101 });
      expect(checks()).toBe(0);
      // The terminal itself: the bridge opens the port and asks it, by itself.
      const reached = new Promise<string>((resolve) => sim.once('request', (e) => resolve(e.method ?? '?')));
      usb.emit({ type: 'attach', vendorId: 0x294a, productId: 0x3101 });
      expect(checks()).toBe(1);
      expect(await reached).toBeTruthy();
      while (!lines.some((l) => l.includes('terminal checked after plug-in')))
        await new Promise((res) => setTimeout(res, 20));
      expect(lines.find((l) => l.includes('terminal checked after plug-in'))).toContain('"online":true');

      const found = await driver.lookup!({
        kind: 'sale',
        reference: 'AUTO-2',
        driverRef: r.driverRef!,
        amount: money(2500, 'EUR'),
      });
      expect(found).toMatchObject({ outcome: 'approved', needsSettlement: true });
      expect((await driver.settle!(r.driverRef!, 'cancel')).ok).toBe(true);
      expect(sim.netCharges('AUTO-2')).toBe(0);
      expect(sim.netCharges('AUTO-1')).toBe(1);

      await created.close();
      expect(hub.active).toBe(false);
    });
  },
);
