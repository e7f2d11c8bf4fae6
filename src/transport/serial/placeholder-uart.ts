/**
 * Linux creates /dev/ttyS0 … ttyS31 whether or not a UART is there (the 8250 driver's placeholders), and the
 * serial-port list names them all: a desktop shows 32 "serial ports" of which none or one or two are real. The
 * kernel says which are real: /sys/class/tty/ttySN/type is 0 (PORT_UNKNOWN) for a placeholder. Such ports are left
 * out of the device list. Where sysfs cannot be read, or on other systems, every port is kept.
 */
import { readFileSync } from 'node:fs';

export interface PlaceholderOptions {
  readonly platform?: NodeJS.Platform;
  /** Default /sys/class/tty. */
  readonly sysClassTty?: string;
}

export function isPlaceholderUart(path: string, options: PlaceholderOptions = {}): boolean {
  if ((options.platform ?? process.platform) !== 'linux') return false;
  const m = /^\/dev\/(ttyS[0-9]+)$/.exec(path);
  if (!m) return false;
  try {
    return readFileSync(`${options.sysClassTty ?? '/sys/class/tty'}/${m[1]}/type`, 'utf8').trim() === '0';
  } catch {
    return false;
  }
}
