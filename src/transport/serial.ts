/**
 * Serial ports as byte streams — the link to a myPOS terminal on a USB cable (CDC-ACM) or over Bluetooth (SPP
 * virtual COM port), and to registers on RS-232 / USB-serial cables.
 *
 *   openSerialStream(settings)  opens one port with its line settings (serial/settings.ts for the defaults);
 *                               path "auto" picks the port of a myPOS terminal by USB id (usb/ids.ts).
 *   listSerialPorts()           the ports this computer has.
 *
 * Errors are DeviceErrors in plain words (serial/open-errors.ts): not found (with the ports that do exist),
 * permission denied (dialout / udev rule / Windows driver), busy (which process, when the OS tells), unplugged.
 * Setting DTR/RTS is best effort: ptys and some adapters refuse it ("Inappropriate ioctl for device").
 * Re-opening after an unplug is the caller's: DeviceSupervisor (listeners) or the IPP stream link (terminals).
 */
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import { DeviceError, errorText, firstLine } from './usb/device-error';
import { formatUsbId, MYPOS_USB_IDS, type UsbId } from './usb/ids';
import { serialportBackend, type SerialBackend, type SerialPortInfo } from './serial/backend';
import { describePort, explainOpenError, whereHint } from './serial/open-errors';
import { findPortHolder, type PortHolder } from './serial/port-holder';
import { SerialByteStream } from './serial/port-stream';
import { describeLine, type SerialSettings } from './serial/settings';

export {
  serialSettings,
  describeLine,
  SERIAL_DEFAULTS,
  type SerialSettings,
  type SerialConfig,
  type SerialUse,
} from './serial/settings';
export { serialportBackend, type SerialBackend, type SerialPortInfo } from './serial/backend';
export { SerialByteStream } from './serial/port-stream';
export { describePort, isBluetoothPort } from './serial/open-errors';

/** The special path that finds a myPOS terminal by its USB id. */
export const AUTO_PATH = 'auto';

export interface OpenSerialOptions {
  readonly backend?: SerialBackend;
  /** USB ids "auto" looks for. Default: myPOS terminals. */
  readonly autoIds?: readonly UsbId[];
  readonly platform?: NodeJS.Platform;
  /** Finds the process holding a busy port (default: /proc on Linux). */
  readonly findHolder?: (path: string) => PortHolder | undefined;
  readonly log?: Logger;
}

export async function listSerialPorts(backend: SerialBackend = serialportBackend): Promise<SerialPortInfo[]> {
  return backend.list();
}

/** The port "auto" stands for: the first (by path) whose USB id is one of `ids`. */
export function findAutoPort(
  ports: readonly SerialPortInfo[],
  ids: readonly UsbId[] = MYPOS_USB_IDS,
): SerialPortInfo | undefined {
  return [...ports]
    .sort((a, b) => a.path.localeCompare(b.path))
    .find((p) => ids.some((id) => id.vendorId === p.vendorId && id.productId === p.productId));
}

/** Resolves "auto" to a port path (other paths are returned as they are). */
export async function resolveSerialPath(path: string, options: OpenSerialOptions = {}): Promise<string> {
  if (path !== AUTO_PATH) return path;
  const backend = options.backend ?? serialportBackend;
  const ids = options.autoIds ?? MYPOS_USB_IDS;
  let ports: SerialPortInfo[];
  try {
    ports = await backend.list();
  } catch (e) {
    if (e instanceof DeviceError) throw e;
    throw new DeviceError(
      'failed',
      `the serial ports of this computer could not be listed: ${firstLine(errorText(e))}`,
      errorText(e),
    );
  }
  const found = findAutoPort(ports, ids);
  if (found) return found.path;
  const wanted = ids.map((id) => formatUsbId(id.vendorId, id.productId)).join(' or ');
  const present = ports.length
    ? `Serial ports present: ${ports.map(describePort).join('; ')}.`
    : 'This computer has no serial ports right now.';
  throw new DeviceError(
    'not_found',
    `no myPOS terminal found on USB (looked for USB id ${wanted}). ${present} A Bluetooth-paired terminal has no USB id: configure its port by name. ${whereHint(options.platform ?? process.platform)}`,
  );
}

/**
 * Opens a serial port as a ByteStream. Rejects with a DeviceError in words; never leaves the port half-open.
 */
export async function openSerialStream(
  settings: SerialSettings,
  options: OpenSerialOptions = {},
): Promise<SerialByteStream> {
  const backend = options.backend ?? serialportBackend;
  const platform = options.platform ?? process.platform;
  const log = options.log ?? silentLogger();
  const path = await resolveSerialPath(settings.path, options);
  let port;
  try {
    port = await backend.open({ ...settings, path });
  } catch (e) {
    if (e instanceof DeviceError) throw e;
    const kind = explainOpenError(e, { path, platform, ports: [] }).problem;
    const ports = kind === 'not_found' ? await backend.list().catch(() => undefined) : [];
    const holder = kind === 'busy' ? (options.findHolder ?? findPortHolder)(path) : undefined;
    throw explainOpenError(e, { path, platform, ports, holder });
  }
  const stream = new SerialByteStream(port, path);
  if (settings.dtr !== undefined || settings.rts !== undefined) {
    const r = await stream.setLines({ dtr: settings.dtr ?? true, rts: settings.rts ?? true });
    if (!r.ok) log.debug({ port: path, reason: r.reason }, 'DTR/RTS not set (the device does not support it)');
  }
  log.debug({ port: path, line: describeLine(settings) }, 'serial port open');
  return stream;
}

/** "serial /dev/ttyACM0 115200 8N1" — for logs and the status page. */
export function describeSerial(settings: SerialSettings): string {
  return `serial ${settings.path} ${describeLine(settings)}`;
}
