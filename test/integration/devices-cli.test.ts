/**
 * `register-bridge devices`, the real command in its own process, with the real serialport, node-hid and usb
 * libraries. On Linux serialport learns the ports from `udevadm info -e`; a stand-in udevadm first on PATH plays
 * the computer's serial ports (none at all; or a myPOS terminal on USB, a USB-serial cable and a Bluetooth port).
 * HID and USB are read for real: the build machines have neither (node-hid and usb list nothing there).
 * The same stand-in shows `"path":"auto"` finding the terminal through the real serialport list.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDevices, listDevices } from '../../src/transport/discovery';
import { resolveSerialPath, serialportBackend } from '../../src/transport/serial';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'register-bridge.mjs');
const run = promisify(execFile);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const MYPOS_AND_CABLES = `P: /devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/tty/ttyACM0
N: ttyACM0
E: DEVNAME=/dev/ttyACM0
E: SUBSYSTEM=tty
E: ID_VENDOR_ENC=Nexgo
E: ID_VENDOR_ID=294a
E: ID_MODEL_ID=3101
E: ID_SERIAL_SHORT=N86-0001
E: DEVLINKS=/dev/serial/by-id/usb-Nexgo_N86-0001-if00

P: /devices/pci0000:00/0000:00:14.0/usb1/1-3/1-3:1.0/ttyUSB0/tty/ttyUSB0
N: ttyUSB0
E: DEVNAME=/dev/ttyUSB0
E: SUBSYSTEM=tty
E: ID_VENDOR_ENC=FTDI
E: ID_VENDOR_ID=0403
E: ID_MODEL_ID=6001

P: /devices/virtual/tty/rfcomm0
N: rfcomm0
E: DEVNAME=/dev/rfcomm0
E: SUBSYSTEM=tty

`;

/** A folder with a stand-in `udevadm` that prints `listing` for `udevadm info -e`. */
function fakeUdevadm(listing: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rb-udevadm-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'listing.txt'), listing);
  writeFileSync(join(dir, 'udevadm'), `#!/bin/sh\ncat '${join(dir, 'listing.txt')}'\n`);
  chmodSync(join(dir, 'udevadm'), 0o755);
  return dir;
}

async function devices(
  args: string[],
  udevadmDir: string,
): Promise<{ lines: string[]; stdout: string; stderr: string }> {
  const { stdout, stderr } = await run(process.execPath, [BIN, 'devices', ...args], {
    env: { ...process.env, PATH: `${udevadmDir}${delimiter}${process.env.PATH ?? ''}` },
    timeout: 60_000,
  });
  return { lines: stdout.split('\n').filter((l) => l !== ''), stdout, stderr };
}

describe.runIf(process.platform === 'linux')('register-bridge devices', () => {
  it('a computer with no devices: ONE line says so', async () => {
    const none = fakeUdevadm('');
    const serialOnly = await devices(['--serial'], none);
    expect(serialOnly.stdout).toBe('no serial ports found\n');
    expect(serialOnly.stderr).toBe('');

    const all = await devices([], none);
    expect(all.stderr).toBe('');
    // HID and USB are this computer's own; the command must print exactly what the device list holds.
    const here = await listDevices({
      serial: { list: async () => [], open: () => Promise.reject(new Error('unused')) },
    });
    expect(all.lines).toEqual(formatDevices(here));
    if (here.devices.length === 0 && here.unavailable.length === 0) {
      // The build machines: nothing anywhere.
      expect(all.stdout).toBe('no serial ports, HID devices or USB devices found\n');
    }
  });

  it('lists what is plugged in, one line each, and marks the myPOS terminal; --json gives the same list as data', async () => {
    const dir = fakeUdevadm(MYPOS_AND_CABLES);
    const { lines } = await devices(['--serial'], dir);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^serial +\/dev\/ttyACM0 +myPOS terminal \(Nexgo\), Nexgo, serial number N86-0001, USB 294A:3101  ← myPOS terminal$/,
    );
    expect(lines[1]).toMatch(/^serial +\/dev\/ttyUSB0 +FTDI, USB 0403:6001$/);
    expect(lines[2]).toMatch(/^bluetooth +\/dev\/rfcomm0 +Bluetooth serial port$/);

    const json = JSON.parse((await devices(['--serial', '--json'], dir)).stdout) as {
      devices: Array<Record<string, unknown>>;
      unavailable: unknown[];
    };
    expect(json.unavailable).toEqual([]);
    expect(json.devices[0]).toEqual({
      kind: 'serial',
      path: '/dev/ttyACM0',
      vendorId: 0x294a,
      productId: 0x3101,
      usbId: '294A:3101',
      role: 'mypos_terminal',
      manufacturer: 'Nexgo',
      serialNumber: 'N86-0001',
      description: 'myPOS terminal (Nexgo), Nexgo, serial number N86-0001, USB 294A:3101',
      descriptionCode: {
        code: 'devices.description',
        params: {
          parts: [
            { code: 'devices.part.myPosTerminal', params: { maker: 'Nexgo' } },
            { code: 'devices.part.name', params: { name: 'Nexgo' } },
            { code: 'devices.part.serialNumber', params: { serial: 'N86-0001' } },
            { code: 'devices.part.usbId', params: { id: '294A:3101' } },
          ],
        },
      },
    });
  });

  it('a computer without udevadm (minimal install, container): serial ports are read from sysfs, not reported unreadable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-no-udevadm-'));
    dirs.push(dir);
    symlinkSync(process.execPath, join(dir, 'node'));
    const { stdout, stderr } = await run(join(dir, 'node'), [BIN, 'devices', '--serial'], {
      env: { ...process.env, PATH: dir },
      timeout: 60_000,
    });
    expect(stderr).toBe('');
    expect(stdout).not.toMatch(/could not be read|udevadm/);
    const lines = stdout.split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^(no serial ports found|(serial|bluetooth) +\/dev\/\S+ +.+)$/);
  });

  it('an unknown option is refused with the way to the help', async () => {
    const e = await run(process.execPath, [BIN, 'devices', '--bogus']).catch(
      (x: unknown) => x as { code: number; stderr: string },
    );
    expect(e).toMatchObject({ code: 2 });
    expect((e as { stderr: string }).stderr).toMatch(/Unknown option '--bogus'/);
  });
});

describe.runIf(process.platform === 'linux')('"path":"auto" through the real serialport list', () => {
  async function withUdevadm<T>(listing: string, fn: () => Promise<T>): Promise<T> {
    const saved = process.env.PATH;
    process.env.PATH = `${fakeUdevadm(listing)}${delimiter}${saved ?? ''}`;
    try {
      return await fn();
    } finally {
      process.env.PATH = saved;
    }
  }

  it('finds the myPOS terminal by its USB id among the ports', async () => {
    expect(await withUdevadm(MYPOS_AND_CABLES, () => resolveSerialPath('auto', { backend: serialportBackend }))).toBe(
      '/dev/ttyACM0',
    );
  });

  it('no terminal: says which ids it looked for and which ports there are', async () => {
    const e = await withUdevadm(MYPOS_AND_CABLES.split('\n\n').slice(1).join('\n\n'), () =>
      resolveSerialPath('auto', { backend: serialportBackend, platform: 'linux' }).catch((x: unknown) => x),
    );
    expect(e).toMatchObject({ name: 'DeviceError', problem: 'not_found' });
    expect((e as Error).message).toMatch(
      /^no myPOS terminal found on USB \(looked for USB id 294A:3101 or 2C7C:0125\)\. Serial ports present: \/dev\/ttyUSB0 \(FTDI, USB 0403:6001\); \/dev\/rfcomm0 \(Bluetooth\)\. A Bluetooth-paired terminal has no USB id/,
    );
  });
});
