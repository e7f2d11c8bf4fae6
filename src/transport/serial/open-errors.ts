/**
 * Turns the serial library's open errors into sentences a person can act on:
 * - not found: what was looked for and which ports this computer has (plus where each kind of port appears);
 * - permission denied: Linux → the dialout group or the udev rule in docs/udev/; Windows → "Access denied" there
 *   means another program holds the port, or the driver refuses it;
 * - busy: which process holds it when the OS tells (port-holder.ts), else "another program";
 * - anything else: the library's first line.
 */
import { DeviceError, errorText, firstLine } from '../usb/device-error';
import { formatUsbId, hidUartCable, isMyPos } from '../usb/ids';
import type { SerialPortInfo } from './backend';
import type { PortHolder } from './port-holder';

export interface OpenErrorContext {
  readonly path: string;
  readonly platform: NodeJS.Platform;
  /** The ports present now; undefined when they could not be listed. */
  readonly ports: readonly SerialPortInfo[] | undefined;
  /** Who holds the port (looked up only for "busy"). */
  readonly holder?: PortHolder | undefined;
}

const NOT_FOUND = /ENOENT|no such file|cannot find|file not found|does not exist|not found/i;
const PERMISSION = /EACCES|EPERM|permission denied|access is denied|access denied|operation not permitted/i;
const BUSY =
  /cannot lock port|resource temporarily unavailable|EBUSY|EAGAIN|device or resource busy|resource busy|in use/i;

export type OpenErrorKind = 'not_found' | 'permission_denied' | 'busy' | 'failed';

export function classifyOpenError(raw: unknown, platform: NodeJS.Platform): OpenErrorKind {
  const text = errorText(raw);
  const code = (raw as { code?: unknown })?.code;
  if (code === 'ENOENT' || NOT_FOUND.test(text)) return 'not_found';
  // Windows says "Access denied" for a port another program has open; it is the common case there.
  if (platform === 'win32' && PERMISSION.test(text)) return 'busy';
  if (code === 'EACCES' || code === 'EPERM' || PERMISSION.test(text)) return 'permission_denied';
  if (code === 'EBUSY' || code === 'EAGAIN' || BUSY.test(text)) return 'busy';
  return 'failed';
}

export function explainOpenError(raw: unknown, ctx: OpenErrorContext): DeviceError {
  const cause = errorText(raw);
  const kind = classifyOpenError(raw, ctx.platform);
  switch (kind) {
    case 'not_found':
      return new DeviceError(
        'not_found',
        `serial port ${ctx.path} was not found. ${portsSentence(ctx.ports)} ${whereHint(ctx.platform)}`,
        cause,
      );
    case 'permission_denied':
      return new DeviceError(
        'permission_denied',
        `no permission to open serial port ${ctx.path}. ${permissionHint(ctx.platform)}`,
        cause,
      );
    case 'busy':
      return new DeviceError('busy', busySentence(ctx), cause);
    case 'failed':
      return new DeviceError('failed', `serial port ${ctx.path} could not be opened: ${firstLine(cause)}`, cause);
  }
}

function busySentence(ctx: OpenErrorContext): string {
  const h = ctx.holder;
  if (h?.self)
    return `serial port ${ctx.path} is already open in this bridge: two listeners or terminals are configured on the same port`;
  if (h)
    return `serial port ${ctx.path} is in use by another program: ${h.name} (process ${h.pid}). Close it, or configure another port`;
  if (ctx.platform === 'win32') {
    return (
      `serial port ${ctx.path} is in use by another program (Windows says "Access denied"), or its driver refuses access. ` +
      'Close the other program (the old payment software, a terminal program); if nothing else uses it, reinstall the driver in Device Manager'
    );
  }
  return `serial port ${ctx.path} is in use by another program. Close it, or configure another port`;
}

export function permissionHint(platform: NodeJS.Platform): string {
  if (platform === 'linux') {
    return (
      'Add the user running the bridge to the "dialout" group (sudo usermod -aG dialout USER, then log in again), ' +
      'or install the udev rule docs/udev/60-register-bridge.rules (see docs/devices.md, "Linux: permissions and udev")'
    );
  }
  if (platform === 'win32')
    return "Close any other program using the port; if that does not help, reinstall the port's driver in Device Manager";
  return 'Check that the user running the bridge may open the device';
}

export function whereHint(platform: NodeJS.Platform): string {
  if (platform === 'win32') {
    return (
      'A USB terminal or cable gets a COM port from its driver (Device Manager → Ports (COM & LPT); a device under ' +
      '"Other devices" needs the driver, for myPOS the myPOS USB driver); a Bluetooth terminal gets one when paired ' +
      '(Bluetooth settings → More Bluetooth options → COM Ports).'
    );
  }
  if (platform === 'darwin')
    return 'USB terminals and cables appear as /dev/cu.usbmodem* or /dev/cu.usbserial*; paired Bluetooth devices as /dev/cu.<name>.';
  return 'A USB terminal appears as /dev/ttyACM0, a USB-serial cable as /dev/ttyUSB0, a paired Bluetooth terminal as /dev/rfcomm0 (after rfcomm bind).';
}

function portsSentence(ports: readonly SerialPortInfo[] | undefined): string {
  if (ports === undefined) return 'The ports of this computer could not be listed.';
  if (ports.length === 0) return 'This computer has no serial ports right now.';
  return `Serial ports on this computer: ${ports.map(describePort).join('; ')}.`;
}

/** "/dev/ttyACM0 (myPOS terminal (Nexgo), USB 294A:3101)" */
export function describePort(p: SerialPortInfo): string {
  const parts: string[] = [];
  const mypos = isMyPos(p.vendorId, p.productId);
  const cable = hidUartCable(p.vendorId, p.productId);
  if (mypos) parts.push(mypos.label);
  else if (cable) parts.push(cable.label);
  else if (p.friendlyName) parts.push(p.friendlyName);
  else if (p.manufacturer) parts.push(p.manufacturer);
  if (p.vendorId !== undefined && p.productId !== undefined) parts.push(`USB ${formatUsbId(p.vendorId, p.productId)}`);
  if (isBluetoothPort(p)) parts.push('Bluetooth');
  return parts.length ? `${p.path} (${parts.join(', ')})` : p.path;
}

export function isBluetoothPort(p: SerialPortInfo): boolean {
  return /rfcomm|bthenum|bluetooth/i.test(`${p.path} ${p.pnpId ?? ''} ${p.friendlyName ?? ''}`);
}
