/**
 * Serial ports from Linux's sysfs, for computers without `udevadm` (minimal installs, containers running the
 * headless service with a terminal passed through): serialport's own Linux list asks `udevadm info -e` and fails
 * there ("spawn udevadm ENOENT"), which would leave "auto" unable to find a terminal.
 *
 * /sys/class/tty/<name> is every tty; a real port has a `device` link (its USB interface, its USB-serial port, its
 * UART), Bluetooth rfcomm ports have none but are real too. The USB ids, manufacturer, product and serial number
 * are files of the USB device, a few directories up from the `device` link. Names are the ones serialport lists.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseHexId } from '../usb/ids';
import type { SerialPortInfo } from './backend';

/** The tty names serialport's Linux list keeps. */
const PORT_NAME = /^(tty(S|WCH|ACM|USB|AMA|MFD|O|XRUSB)[0-9]*|rfcomm[0-9]+)$/;

export function listSysfsPorts(sysRoot = '/sys', devRoot = '/dev'): SerialPortInfo[] {
  const classDir = join(sysRoot, 'class', 'tty');
  const names = readdirSync(classDir)
    .filter((n) => PORT_NAME.test(n))
    .sort(byNumber);
  const ports: SerialPortInfo[] = [];
  for (const name of names) {
    const device = join(classDir, name, 'device');
    const hasDevice = existsSync(device);
    if (!hasDevice && !name.startsWith('rfcomm')) continue;
    const usb = hasDevice ? usbDeviceDir(device, sysRoot) : undefined;
    const read = (file: string): string | undefined => {
      if (!usb) return undefined;
      try {
        const text = readFileSync(join(usb, file), 'utf8').trim();
        return text.length > 0 ? text : undefined;
      } catch {
        return undefined;
      }
    };
    const vendorId = parseHexId(read('idVendor'));
    const productId = parseHexId(read('idProduct'));
    const manufacturer = read('manufacturer');
    const serialNumber = read('serial');
    ports.push({
      path: join(devRoot, name),
      ...(manufacturer ? { manufacturer } : {}),
      ...(serialNumber ? { serialNumber } : {}),
      ...(vendorId !== undefined ? { vendorId } : {}),
      ...(productId !== undefined ? { productId } : {}),
    });
  }
  return ports;
}

/** The USB device directory (the one with idVendor) at or above the tty's device, if it is a USB device. */
function usbDeviceDir(device: string, sysRoot: string): string | undefined {
  let dir: string;
  try {
    dir = realpathSync(device);
  } catch {
    return undefined;
  }
  const top = realpathSync(sysRoot);
  for (let i = 0; i < 6 && dir.startsWith(top) && dir !== top; i++) {
    if (existsSync(join(dir, 'idVendor'))) return dir;
    dir = dirname(dir);
  }
  return undefined;
}

/** ttyS2 before ttyS10. */
function byNumber(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** serialport's Linux list failed because `udevadm` is not installed. */
export function isMissingUdevadm(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown; path?: unknown };
  return err?.code === 'ENOENT' && /udevadm/.test(`${String(err.message ?? '')} ${String(err.path ?? '')}`);
}
