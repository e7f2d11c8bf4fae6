/**
 * The device list behind `register-bridge devices` and the status page's set-up step, with the three backends
 * (serialport's list, node-hid, usb) replaced at their seams: which devices look like myPOS terminals or
 * HID-to-UART cables, Bluetooth ports, one HID device with several collections listed once, Linux placeholder
 * UARTs left out, a backend that cannot be read reported in one sentence while the others are still listed, and
 * ONE line when nothing is found.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDevices, listDevices, nothingFound, type DiscoveryDeps } from '../../src/transport/discovery';
import type { SerialBackend, SerialPortInfo } from '../../src/transport/serial';
import type { HidBackend, HidDeviceInfo } from '../../src/transport/hid';
import type { UsbBackend, UsbDeviceInfo } from '../../src/transport/usb';
import { DeviceError } from '../../src/transport/usb/device-error';
import { isPlaceholderUart } from '../../src/transport/serial/placeholder-uart';
import { writeCoreText, type LooseT } from '../../src/i18n/core-text';
import { translator } from '../../src/i18n';
import { english } from '../../src/i18n/say';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const serial = (ports: SerialPortInfo[] | Error): SerialBackend => ({
  list: async () => {
    if (ports instanceof Error) throw ports;
    return ports;
  },
  open: () => Promise.reject(new Error('not in this test')),
});
const hid = (devices: HidDeviceInfo[] | Error): HidBackend => ({
  devices: async () => {
    if (devices instanceof Error) throw devices;
    return devices;
  },
  open: () => Promise.reject(new Error('not in this test')),
});
const usb = (devices: UsbDeviceInfo[] | Error): UsbBackend => ({
  devices: async () => {
    if (devices instanceof Error) throw devices;
    return devices;
  },
  watch: () => () => undefined,
});

const empty: DiscoveryDeps = { serial: serial([]), hid: hid([]), usb: usb([]) };

/** A fake /sys/class/tty: ttyS0 a real 16550A (type 4), ttyS1–3 placeholders (type 0). */
function sysfs(): string {
  const d = mkdtempSync(join(tmpdir(), 'rb-sysfs-'));
  dirs.push(d);
  for (const [name, type] of [
    ['ttyS0', '4'],
    ['ttyS1', '0'],
    ['ttyS2', '0'],
    ['ttyS3', '0'],
  ] as const) {
    mkdirSync(join(d, name));
    writeFileSync(join(d, name, 'type'), `${type}\n`);
  }
  return d;
}

describe('device list', () => {
  it('nothing plugged in: an empty list, a note, and ONE line saying so', async () => {
    const r = await listDevices(empty);
    expect(r).toEqual({
      devices: [],
      unavailable: [],
      note: 'No serial ports, HID devices or USB devices found.',
      noteCode: [{ code: 'devices.noneFound.serialHidUsb' }],
    });
    expect(formatDevices(r)).toEqual(['no serial ports, HID devices or USB devices found']);
  });

  it('marks myPOS terminals and HID-to-UART cables, tells Bluetooth ports, lists each HID device once', async () => {
    const tty = sysfs();
    const r = await listDevices({
      platform: 'linux',
      sysClassTty: tty,
      serial: serial([
        {
          path: '/dev/ttyACM0',
          manufacturer: 'Nexgo',
          serialNumber: 'N86-0001',
          vendorId: 0x294a,
          productId: 0x3101,
          pnpId: 'usb-Nexgo_N86-0001-if00',
        },
        { path: '/dev/rfcomm0' },
        { path: '/dev/ttyUSB0', manufacturer: 'FTDI', vendorId: 0x0403, productId: 0x6001 },
        { path: '/dev/ttyS0' },
        { path: '/dev/ttyS1' },
        { path: '/dev/ttyS3' },
      ]),
      hid: hid([
        {
          path: '/dev/hidraw3',
          vendorId: 0x10c4,
          productId: 0xea80,
          product: 'CP2110 HID USB-to-UART Bridge',
          manufacturer: 'Silicon Labs',
          serialNumber: '0001',
          usagePage: 0xff00,
        },
        {
          path: '/dev/hidraw3',
          vendorId: 0x10c4,
          productId: 0xea80,
          product: 'CP2110 HID USB-to-UART Bridge',
          manufacturer: 'Silicon Labs',
          serialNumber: '0001',
          usagePage: 0x0001,
        },
        {
          path: '/dev/hidraw0',
          vendorId: 0x046d,
          productId: 0xc52b,
          product: 'USB Receiver',
          manufacturer: 'Logitech',
        },
      ]),
      usb: usb([
        { vendorId: 0x294a, productId: 0x3101, busNumber: 1, deviceAddress: 7, portPath: '1-2' },
        { vendorId: 0x1d6b, productId: 0x0002, busNumber: 1, deviceAddress: 1 },
      ]),
    });
    expect(r.unavailable).toEqual([]);
    expect(r.note).toBeUndefined();
    // The placeholders ttyS1 and ttyS3 are gone; the real ttyS0 stays.
    expect(r.devices.map((d) => [d.kind, d.path, d.role])).toEqual([
      ['serial', '/dev/ttyACM0', 'mypos_terminal'],
      ['bluetooth', '/dev/rfcomm0', undefined],
      ['serial', '/dev/ttyUSB0', undefined],
      ['serial', '/dev/ttyS0', undefined],
      ['hid', '/dev/hidraw3', 'hid_uart_cable'],
      ['hid', '/dev/hidraw0', undefined],
      ['usb', 'usb 1-2', 'mypos_terminal'],
      ['usb', 'usb bus 1 device 1', undefined],
    ]);
    expect(r.devices[0]).toMatchObject({
      usbId: '294A:3101',
      vendorId: 0x294a,
      productId: 0x3101,
      manufacturer: 'Nexgo',
      serialNumber: 'N86-0001',
    });
    expect(r.devices[0]!.description).toBe('myPOS terminal (Nexgo), Nexgo, serial number N86-0001, USB 294A:3101');
    expect(r.devices[1]!.description).toBe('Bluetooth serial port');
    expect(r.devices[4]!.description).toBe(
      'Silicon Labs CP2110 HID-to-UART, Silicon Labs, CP2110 HID USB-to-UART Bridge, serial number 0001, USB 10C4:EA80',
    );

    const lines = formatDevices(r);
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/^serial +\/dev\/ttyACM0 +myPOS terminal \(Nexgo\).*  ← myPOS terminal$/);
    expect(lines[1]).toMatch(/^bluetooth +\/dev\/rfcomm0 +Bluetooth serial port$/);
    expect(lines[4]).toMatch(/^hid +\/dev\/hidraw3 .*  ← HID-to-UART cable$/);
    expect(lines[6]).toMatch(/^usb +usb 1-2 +myPOS terminal \(Nexgo\), USB 294A:3101  ← myPOS terminal$/);
    // Each line also as coded texts whose English is the line: the page writes the bridge's labels in its language.
    for (const d of r.devices) expect(english(d.descriptionCode!)).toBe(d.description);
    expect(writeCoreText(translator('ui', 'de') as unknown as LooseT, r.devices[0]!.descriptionCode!)).toBe(
      'myPOS-Terminal (Nexgo), Nexgo, Seriennummer N86-0001, USB 294A:3101',
    );
    expect(writeCoreText(translator('ui', 'de') as unknown as LooseT, r.devices[1]!.descriptionCode!)).toBe(
      'serielle Bluetooth-Schnittstelle',
    );
    // Plain data: what the status page receives over IPC or WebSocket survives JSON unchanged.
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('a Windows Bluetooth COM port (BTHENUM) is a Bluetooth port', async () => {
    const r = await listDevices({
      ...empty,
      serial: serial([
        {
          path: 'COM7',
          pnpId: 'BTHENUM\\{00001101-0000-1000-8000-00805F9B34FB}_LOCALMFG&0002\\7&1234',
          friendlyName: 'Standard Serial over Bluetooth link (COM7)',
        },
      ]),
    });
    expect(r.devices).toEqual([
      {
        kind: 'bluetooth',
        path: 'COM7',
        description: 'Standard Serial over Bluetooth link (COM7)',
        descriptionCode: {
          code: 'devices.description',
          params: {
            parts: [{ code: 'devices.part.name', params: { name: 'Standard Serial over Bluetooth link (COM7)' } }],
          },
        },
      },
    ]);
  });

  it('a backend that cannot be read: one sentence for it, the others still listed', async () => {
    const r = await listDevices({
      serial: serial([{ path: '/dev/ttyACM0', vendorId: 0x294a, productId: 0x3101 }]),
      hid: hid(
        new DeviceError(
          'unavailable',
          'HID devices cannot be used on this computer: node-hid could not load (hidraw: x; libusb: y)',
        ),
      ),
      usb: usb(new Error('Error: LIBUSB_ERROR_OTHER\n    at getDeviceList (native)')),
    });
    expect(r.devices.map((d) => d.path)).toEqual(['/dev/ttyACM0']);
    expect(r.unavailable).toEqual([
      {
        source: 'hid',
        reason: 'HID devices cannot be used on this computer: node-hid could not load (hidraw: x; libusb: y)',
      },
      { source: 'usb', reason: 'USB devices could not be read: LIBUSB_ERROR_OTHER' },
    ]);
    expect(formatDevices(r).slice(1)).toEqual([
      'HID devices cannot be used on this computer: node-hid could not load (hidraw: x; libusb: y)',
      'USB devices could not be read: LIBUSB_ERROR_OTHER',
    ]);
  });

  it('nothing found where it could look, and one backend unreadable: one line for each', async () => {
    const r = await listDevices({
      ...empty,
      usb: usb(new DeviceError('unavailable', 'USB devices cannot be listed: /sys/bus/usb is missing')),
    });
    expect(formatDevices(r)).toEqual([
      'no serial ports or HID devices found',
      'USB devices cannot be listed: /sys/bus/usb is missing',
    ]);
    expect(r.note).toBe('No serial ports or HID devices found. USB devices cannot be listed: /sys/bus/usb is missing.');
  });

  it('only the sources asked for are read', async () => {
    let hidRead = false;
    const r = await listDevices({
      ...empty,
      hid: { devices: async () => ((hidRead = true), []), open: () => Promise.reject(new Error('x')) },
      sources: ['serial', 'usb'],
    });
    expect(hidRead).toBe(false);
    expect(formatDevices(r, ['serial', 'usb'])).toEqual(['no serial ports or USB devices found']);
    expect(nothingFound(['hid'])).toBe('no HID devices found');
  });
});

describe('Linux placeholder UARTs', () => {
  it('ttyS ports whose sysfs type is 0 are placeholders; real ones, other names, unreadable sysfs and other systems are kept', () => {
    const tty = sysfs();
    expect(isPlaceholderUart('/dev/ttyS1', { platform: 'linux', sysClassTty: tty })).toBe(true);
    expect(isPlaceholderUart('/dev/ttyS0', { platform: 'linux', sysClassTty: tty })).toBe(false);
    expect(isPlaceholderUart('/dev/ttyS9', { platform: 'linux', sysClassTty: tty })).toBe(false);
    expect(isPlaceholderUart('/dev/ttyUSB0', { platform: 'linux', sysClassTty: tty })).toBe(false);
    expect(isPlaceholderUart('/dev/ttyS1', { platform: 'darwin', sysClassTty: tty })).toBe(false);
  });
});
