/**
 * Serial ports read from sysfs where `udevadm` is missing: a fake /sys tree laid out as Linux does it (class links
 * into /sys/devices, `device` links to the USB interface or the USB-serial port, USB attributes on the USB device).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isMissingUdevadm, listSysfsPorts } from '../../src/transport/serial/sysfs-list';
import { findAutoPort } from '../../src/transport/serial';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fakeSys(): string {
  const sys = mkdtempSync(join(tmpdir(), 'rb-sys-'));
  dirs.push(sys);
  const classTty = join(sys, 'class', 'tty');
  mkdirSync(classTty, { recursive: true });
  const files = (dir: string, values: Record<string, string>): void => {
    mkdirSync(dir, { recursive: true });
    for (const [k, v] of Object.entries(values)) writeFileSync(join(dir, k), `${v}\n`);
  };
  /** /sys/devices/<ttyParent>/tty/<name>, linked from /sys/class/tty/<name>, with `device` → `deviceDir`. */
  const tty = (name: string, ttyParent: string, deviceDir: string | undefined): void => {
    const node = join(sys, 'devices', ttyParent, 'tty', name);
    mkdirSync(node, { recursive: true });
    writeFileSync(join(node, 'dev'), '166:0\n');
    if (deviceDir) symlinkSync(relative(node, join(sys, 'devices', deviceDir)), join(node, 'device'));
    symlinkSync(relative(classTty, node), join(classTty, name));
  };
  // A myPOS terminal: CDC-ACM, the tty hangs off the USB interface 1-2:1.0 of device 1-2.
  files(join(sys, 'devices/pci0000:00/usb1/1-2'), {
    idVendor: '294a',
    idProduct: '3101',
    manufacturer: 'Nexgo',
    serial: 'N86-0001',
  });
  tty('ttyACM0', 'pci0000:00/usb1/1-2/1-2:1.0', 'pci0000:00/usb1/1-2/1-2:1.0');
  // An FTDI cable: the tty hangs off the usb-serial port ttyUSB0 under the interface, one level deeper.
  files(join(sys, 'devices/pci0000:00/usb1/1-3'), { idVendor: '0403', idProduct: '6001', manufacturer: 'FTDI' });
  tty('ttyUSB0', 'pci0000:00/usb1/1-3/1-3:1.0/ttyUSB0', 'pci0000:00/usb1/1-3/1-3:1.0/ttyUSB0');
  // Built-in UARTs: a device, but no USB.
  tty('ttyS10', 'platform/serial8250', 'platform/serial8250');
  tty('ttyS2', 'platform/serial8250', 'platform/serial8250');
  // Virtual ttys: no device, not serial ports. Bluetooth rfcomm: no device, but a port.
  tty('tty0', 'virtual', undefined);
  tty('ptmx', 'virtual', undefined);
  tty('rfcomm0', 'virtual', undefined);
  return sys;
}

describe('serial ports from sysfs (no udevadm)', () => {
  it('lists real ports with their USB ids, names and serial numbers; skips virtual ttys; keeps Bluetooth ports', () => {
    const ports = listSysfsPorts(fakeSys(), '/dev');
    expect(ports).toEqual([
      { path: '/dev/rfcomm0' },
      { path: '/dev/ttyACM0', manufacturer: 'Nexgo', serialNumber: 'N86-0001', vendorId: 0x294a, productId: 0x3101 },
      { path: '/dev/ttyS2' },
      { path: '/dev/ttyS10' },
      { path: '/dev/ttyUSB0', manufacturer: 'FTDI', vendorId: 0x0403, productId: 0x6001 },
    ]);
    // "auto" finds the terminal in this list as in serialport's.
    expect(findAutoPort(ports)?.path).toBe('/dev/ttyACM0');
  });

  it('tells a missing udevadm from other failures', () => {
    expect(
      isMissingUdevadm(Object.assign(new Error('spawn udevadm ENOENT'), { code: 'ENOENT', path: 'udevadm' })),
    ).toBe(true);
    expect(isMissingUdevadm(Object.assign(new Error('spawn udevadm EACCES'), { code: 'EACCES' }))).toBe(false);
    expect(isMissingUdevadm(new Error('Error listing ports udevadm exited with error code: 1'))).toBe(false);
    expect(isMissingUdevadm(undefined)).toBe(false);
  });

  it.runIf(process.platform === 'linux')("this computer's own sysfs is read without error", () => {
    const ports = listSysfsPorts();
    expect(ports.every((p) => p.path.startsWith('/dev/'))).toBe(true);
  });
});
