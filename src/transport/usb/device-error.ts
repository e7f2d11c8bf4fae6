/**
 * Why a device (serial port, HID cable, USB backend) could not be used, in words a person at the till can act on.
 * `kind` is stable for code and the status UI; `message` is the sentence shown and logged (no stack traces).
 */
import type { CoreText } from '../../i18n/core-text';

export type DeviceProblem =
  /** The path or device is not there (also: nothing matched "auto"). */
  | 'not_found'
  /** The OS refused access (Linux: group / udev rule; macOS: rarely). */
  | 'permission_denied'
  /** Another program has the device open. */
  | 'busy'
  /** The device went away while in use (cable pulled, terminal switched off). */
  | 'unplugged'
  /** The library or OS interface needed to reach this kind of device is missing on this computer. */
  | 'unavailable'
  | 'failed';

export class DeviceError extends Error {
  override readonly name = 'DeviceError';
  constructor(
    readonly problem: DeviceProblem,
    message: string,
    /** The OS's or library's own words, for the debug log. */
    readonly detail?: string,
    /** The sentence as a coded text of the catalogue (the status page writes it in its language), where one is made. */
    readonly text?: CoreText,
  ) {
    super(message);
  }
}

export function isDeviceError(e: unknown): e is DeviceError {
  return e instanceof DeviceError;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The first line of an error message, without "Error: " prefixes (native modules sometimes nest them). */
export function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').replace(/^(?:Error:\s*)+/, '').trim();
}
