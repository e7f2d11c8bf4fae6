/**
 * Serial settings per use, "auto" port finding and the words for open errors, on every platform the bridge runs on
 * (the OS messages are the libraries' own: Linux/macOS errno text, Windows "Access denied" / "File not found").
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  describeLine,
  findAutoPort,
  resolveSerialPath,
  serialSettings,
  type SerialBackend,
  type SerialPortInfo,
} from '../../src/transport/serial';
import { classifyOpenError, describePort, explainOpenError } from '../../src/transport/serial/open-errors';
import { findPortHolder } from '../../src/transport/serial/port-holder';
import { DeviceError } from '../../src/transport/usb/device-error';

const PORTS: SerialPortInfo[] = [
  { path: '/dev/ttyS0' },
  { path: '/dev/ttyUSB0', vendorId: 0x10c4, productId: 0xea60, manufacturer: 'Silicon Labs' },
  { path: '/dev/ttyACM1', vendorId: 0x294a, productId: 0x3101, manufacturer: 'Nexgo', serialNumber: 'N86-1' },
  { path: '/dev/rfcomm0' },
];

function backend(ports: SerialPortInfo[]): SerialBackend {
  return { list: async () => ports, open: async () => Promise.reject(new Error('not used')) };
}

describe('line settings', () => {
  it('defaults per use: IPP 115200 8N1, native 9600 8N1, ZVT 9600 8N2; the config wins', () => {
    expect(describeLine(serialSettings({ path: 'COM5' }, 'ipp'))).toBe('115200 8N1');
    expect(describeLine(serialSettings({ path: 'COM4' }, 'native'))).toBe('9600 8N1');
    expect(describeLine(serialSettings({ path: 'COM4' }, 'zvt'))).toBe('9600 8N2');
    expect(describeLine(serialSettings({ path: 'COM4' }, 'text'))).toBe('9600 8N1');
    expect(describeLine(serialSettings({ path: 'COM4', baudRate: 19200, parity: 'even', dataBits: 7 }, 'zvt'))).toBe(
      '19200 7E2',
    );
    expect(serialSettings({ path: 'COM4' }, 'unknown-protocol')).toMatchObject({ baudRate: 9600, stopBits: 1 });
    expect(serialSettings({ path: 'COM4', dtr: true }, 'ipp')).toMatchObject({ dtr: true });
    expect(serialSettings({ path: 'COM4' }, 'ipp')).not.toHaveProperty('dtr');
  });
});

describe('"auto" finds a myPOS terminal by USB id', () => {
  it('picks the port with a myPOS id', async () => {
    expect(findAutoPort(PORTS)?.path).toBe('/dev/ttyACM1');
    expect(await resolveSerialPath('auto', { backend: backend(PORTS) })).toBe('/dev/ttyACM1');
    expect(await resolveSerialPath('COM7', { backend: backend([]) })).toBe('COM7');
  });

  it('with two terminals, the first by path', () => {
    const two = [
      { path: '/dev/ttyACM3', vendorId: 0x2c7c, productId: 0x0125 },
      { path: '/dev/ttyACM2', vendorId: 0x294a, productId: 0x3101 },
    ];
    expect(findAutoPort(two)?.path).toBe('/dev/ttyACM2');
  });

  it('none plugged in: says what it looked for and what is there', async () => {
    const err = await resolveSerialPath('auto', {
      backend: backend(PORTS.filter((p) => p.vendorId !== 0x294a)),
      platform: 'linux',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceError);
    expect(err).toMatchObject({ problem: 'not_found' });
    const text = (err as Error).message;
    expect(text).toContain('no myPOS terminal found on USB (looked for USB id 294A:3101 or 2C7C:0125)');
    expect(text).toContain(
      'Serial ports present: /dev/ttyS0; /dev/ttyUSB0 (Silicon Labs, USB 10C4:EA60); /dev/rfcomm0 (Bluetooth).',
    );
    expect(text).toContain('A Bluetooth-paired terminal has no USB id: configure its port by name.');
  });

  it('no ports at all, on Windows: says so and where COM ports come from', async () => {
    const err = (await resolveSerialPath('auto', { backend: backend([]), platform: 'win32' }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(err.message).toContain('This computer has no serial ports right now.');
    expect(err.message).toContain('Device Manager');
    expect(err.message).toContain('myPOS USB driver');
  });

  it('describes ports for people', () => {
    expect(describePort(PORTS[2]!)).toBe('/dev/ttyACM1 (myPOS terminal (Nexgo), USB 294A:3101)');
    expect(
      describePort({
        path: 'COM9',
        pnpId: 'BTHENUM\\{00001101-0000-1000-8000-00805F9B34FB}',
        friendlyName: 'Standard Serial over Bluetooth link (COM9)',
      }),
    ).toBe('COM9 (Standard Serial over Bluetooth link (COM9), Bluetooth)');
  });
});

describe('open errors in words', () => {
  const linux = (raw: unknown, extra: Partial<Parameters<typeof explainOpenError>[1]> = {}) =>
    explainOpenError(raw, { path: '/dev/ttyACM0', platform: 'linux', ports: PORTS, ...extra });

  it("classifies the libraries' messages", () => {
    expect(classifyOpenError(new Error('Error: No such file or directory, cannot open /dev/ttyACM0'), 'linux')).toBe(
      'not_found',
    );
    expect(classifyOpenError(new Error('Opening COM5: File not found'), 'win32')).toBe('not_found');
    expect(classifyOpenError(new Error('Error: Permission denied, cannot open /dev/ttyACM0'), 'linux')).toBe(
      'permission_denied',
    );
    expect(classifyOpenError(new Error('Opening COM5: Access denied'), 'win32')).toBe('busy');
    expect(classifyOpenError(new Error('Error Resource temporarily unavailable Cannot lock port'), 'linux')).toBe(
      'busy',
    );
    expect(classifyOpenError(Object.assign(new Error('x'), { code: 'EBUSY' }), 'darwin')).toBe('busy');
    expect(classifyOpenError(new Error('Error: Invalid argument, cannot set'), 'linux')).toBe('failed');
  });

  it('not found lists the ports there are', () => {
    const e = linux(new Error('Error: No such file or directory, cannot open /dev/ttyACM0'));
    expect(e.problem).toBe('not_found');
    expect(e.message).toMatch(
      /^serial port \/dev\/ttyACM0 was not found\. Serial ports on this computer: \/dev\/ttyS0; /,
    );
    expect(e.message).toContain('A USB terminal appears as /dev/ttyACM0');
    expect(linux(new Error('ENOENT'), { ports: undefined }).message).toContain(
      'The ports of this computer could not be listed.',
    );
  });

  it('permission denied on Linux points at the dialout group and the udev rule', () => {
    const e = linux(new Error('Error: Permission denied, cannot open /dev/ttyACM0'));
    expect(e).toMatchObject({
      problem: 'permission_denied',
      detail: 'Error: Permission denied, cannot open /dev/ttyACM0',
    });
    expect(e.message).toContain('no permission to open serial port /dev/ttyACM0');
    expect(e.message).toContain('"dialout" group');
    expect(e.message).toContain('docs/udev/60-register-bridge.rules');
  });

  it('"Access denied" on Windows: another program or the driver', () => {
    const e = explainOpenError(new Error('Opening COM5: Access denied'), {
      path: 'COM5',
      platform: 'win32',
      ports: [],
    });
    expect(e.problem).toBe('busy');
    expect(e.message).toContain(
      'COM5 is in use by another program (Windows says "Access denied"), or its driver refuses access',
    );
    expect(e.message).toContain('Device Manager');
  });

  it('busy names the holder, or this bridge itself, or says "another program"', () => {
    const raw = new Error('Error Resource temporarily unavailable Cannot lock port');
    expect(linux(raw, { holder: { pid: 4242, name: 'minicom', self: false } }).message).toBe(
      'serial port /dev/ttyACM0 is in use by another program: minicom (process 4242). Close it, or configure another port',
    );
    expect(linux(raw, { holder: { pid: process.pid, name: 'node', self: true } }).message).toContain(
      'already open in this bridge',
    );
    expect(linux(raw).message).toBe(
      'serial port /dev/ttyACM0 is in use by another program. Close it, or configure another port',
    );
  });

  it('anything else: the library\'s first line, without "Error:" prefixes or stack', () => {
    const e = linux(new Error('Error: Error: Invalid argument, cannot set\n    at somewhere (file.js:1:1)'));
    expect(e).toMatchObject({
      problem: 'failed',
      message: 'serial port /dev/ttyACM0 could not be opened: Invalid argument, cannot set',
    });
  });
});

describe('port holder from /proc', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('finds a process with the port among its open files, and reads its name', () => {
    const root = mkdtempSync(join(tmpdir(), 'rb-proc-'));
    dirs.push(root);
    const dev = join(root, 'ttyFAKE0');
    writeFileSync(dev, '');
    mkdirSync(join(root, 'proc', '77', 'fd'), { recursive: true });
    mkdirSync(join(root, 'proc', '78', 'fd'), { recursive: true });
    writeFileSync(join(root, 'proc', '77', 'comm'), 'other\n');
    writeFileSync(join(root, 'proc', '78', 'comm'), 'cutecom\n');
    writeFileSync(join(root, 'proc', 'locks'), '');
    symlinkSync('/dev/null', join(root, 'proc', '77', 'fd', '3'));
    symlinkSync(dev, join(root, 'proc', '78', 'fd', '5'));
    expect(findPortHolder(dev, { procDir: join(root, 'proc'), platform: 'linux' })).toEqual({
      pid: 78,
      name: 'cutecom',
      self: false,
    });
    expect(findPortHolder(join(root, 'missing'), { procDir: join(root, 'proc'), platform: 'linux' })).toBeUndefined();
    expect(findPortHolder(dev, { procDir: join(root, 'proc'), platform: 'win32' })).toBeUndefined();
  });
});
