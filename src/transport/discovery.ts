/**
 * What is plugged into this computer, for the operator (`register-bridge devices`) and the status page's set-up
 * wizard (`listDevices()`): serial ports (USB-serial, CDC-ACM terminals, Bluetooth SPP ports), HID devices and raw
 * USB devices, each with its USB id, names and serial number where known, and marked when it looks like a myPOS
 * terminal or a known HID-to-UART cable. A backend that cannot be read (library missing, no USB access) is reported
 * in one sentence and the others are still listed. Linux placeholder UARTs (ttyS ports with no UART behind them) are
 * left out (serial/placeholder-uart.ts). Returns plain data: no class instances, no errors thrown.
 */
import { DeviceError, errorText, firstLine } from './usb/device-error';
import { formatUsbId, hidUartCable, isMyPos } from './usb/ids';
import { serialportBackend, type SerialBackend, type SerialPortInfo } from './serial/backend';
import { isBluetoothPort } from './serial/open-errors';
import { isPlaceholderUart } from './serial/placeholder-uart';
import { nodeHidBackend, type HidBackend, type HidDeviceInfo } from './hid/backend';
import { libusbBackend, type UsbBackend, type UsbDeviceInfo } from './usb';
import { coreText, type CoreCode, type CoreText } from '../i18n/core-text';
import { english, said } from '../i18n/say';

export type DeviceSource = 'serial' | 'hid' | 'usb';

export interface DiscoveredDevice {
  /** "bluetooth" is a serial port that belongs to a paired Bluetooth device. */
  readonly kind: 'serial' | 'bluetooth' | 'hid' | 'usb';
  /** What to put in the config: a port path, a HID path, or a USB position ("usb 1-2.3"). */
  readonly path: string;
  readonly vendorId?: number;
  readonly productId?: number;
  /** "294A:3101" */
  readonly usbId?: string;
  readonly manufacturer?: string;
  readonly product?: string;
  readonly serialNumber?: string;
  readonly role?: 'mypos_terminal' | 'hid_uart_cable';
  /** One line for people. */
  readonly description: string;
  /** The same line as a coded text (the status page writes the bridge's labels in its language). */
  readonly descriptionCode?: CoreText;
}

export interface DeviceReport {
  readonly devices: DiscoveredDevice[];
  /** Backends that could not be read, each with the reason in words. */
  readonly unavailable: Array<{ readonly source: DeviceSource; readonly reason: string }>;
  /** Summary for the status page when the list is empty or incomplete. */
  readonly note?: string;
  /** The same summary as coded texts, one per sentence (the status page writes it in its language). */
  readonly noteCode?: readonly CoreText[];
}

export interface DiscoveryDeps {
  readonly serial?: SerialBackend;
  readonly hid?: HidBackend;
  readonly usb?: UsbBackend;
  /** Which sources to read; default all three. */
  readonly sources?: readonly DeviceSource[];
  readonly platform?: NodeJS.Platform;
  /** Where Linux tells real UARTs from placeholders (serial/placeholder-uart.ts); default /sys/class/tty. */
  readonly sysClassTty?: string;
}

const ALL_SOURCES: readonly DeviceSource[] = ['serial', 'hid', 'usb'];

export async function listDevices(deps: DiscoveryDeps = {}): Promise<DeviceReport> {
  const sources = deps.sources ?? ALL_SOURCES;
  const devices: DiscoveredDevice[] = [];
  const unavailable: Array<{ source: DeviceSource; reason: string }> = [];
  const coded: CoreText[] = [];
  const read = async <T>(
    source: DeviceSource,
    fn: () => Promise<T[]>,
    map: (x: T) => DiscoveredDevice,
  ): Promise<void> => {
    if (!sources.includes(source)) return;
    try {
      devices.push(...(await fn()).map(map));
    } catch (e) {
      // A DeviceError is already a sentence about this kind of device; anything else gets that context added.
      unavailable.push({
        source,
        reason: e instanceof DeviceError ? e.message : `${NOUNS[source]} could not be read: ${firstLine(errorText(e))}`,
      });
      coded.push(
        e instanceof DeviceError && e.text
          ? e.text
          : coreText(`devices.unreadable.${source}`, {
              error: e instanceof DeviceError ? e.message : firstLine(errorText(e)),
            }),
      );
    }
  };
  const placeholder = {
    ...(deps.platform ? { platform: deps.platform } : {}),
    ...(deps.sysClassTty ? { sysClassTty: deps.sysClassTty } : {}),
  };
  const serialPorts = async (): Promise<SerialPortInfo[]> =>
    (await (deps.serial ?? serialportBackend).list()).filter((p) => !isPlaceholderUart(p.path, placeholder));
  await read('serial', serialPorts, fromSerial);
  await read('hid', () => (deps.hid ?? nodeHidBackend()).devices(), fromHid);
  await read('usb', () => (deps.usb ?? libusbBackend).devices(), fromUsb);
  const report: DeviceReport = { devices: dedupeHid(devices), unavailable };
  const note = noteFor(report, sources, coded);
  return note ? { ...report, ...note } : report;
}

function ids(
  vendorId: number | undefined,
  productId: number | undefined,
): Pick<DiscoveredDevice, 'vendorId' | 'productId' | 'usbId' | 'role'> {
  if (vendorId === undefined || productId === undefined) return {};
  const role = isMyPos(vendorId, productId)
    ? 'mypos_terminal'
    : hidUartCable(vendorId, productId)
      ? 'hid_uart_cable'
      : undefined;
  return { vendorId, productId, usbId: formatUsbId(vendorId, productId), ...(role ? { role } : {}) };
}

/** The device's own words (a name it reports), as they are in every language. */
const own = (words: string | undefined): CoreText | undefined =>
  words?.trim() ? coreText('devices.part.name', { name: words }) : undefined;

const serialNumber = (sn: string | undefined): CoreText | undefined =>
  sn ? coreText('devices.part.serialNumber', { serial: sn }) : undefined;

/**
 * The line of a device: a known id's label, its own names and serial number (each once, compared by their English
 * words), its USB id — coded, and in English from the same catalogue.
 */
function describe(
  parts: Array<CoreText | undefined>,
  vendorId: number | undefined,
  productId: number | undefined,
  fallback?: CoreText,
): Pick<DiscoveredDevice, 'description' | 'descriptionCode'> {
  const id = isMyPos(vendorId, productId) ?? hidUartCable(vendorId, productId);
  const pieces = [id && (id.labelText ?? own(id.label)), ...parts].filter((p): p is CoreText => p !== undefined);
  const words = pieces.map((p) => english(p).toLowerCase());
  const unique = pieces.filter((_, i) => words.indexOf(words[i]!) === i);
  if (vendorId !== undefined && productId !== undefined)
    unique.push(coreText('devices.part.usbId', { id: formatUsbId(vendorId, productId) }));
  if (unique.length === 0 && fallback) unique.push(fallback);
  return said('description', coreText('devices.description', { parts: unique }));
}

function fromSerial(p: SerialPortInfo): DiscoveredDevice {
  const bt = isBluetoothPort(p);
  return {
    kind: bt ? 'bluetooth' : 'serial',
    path: p.path,
    ...ids(p.vendorId, p.productId),
    ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
    ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
    ...describe(
      [own(p.friendlyName ?? p.manufacturer), serialNumber(p.serialNumber)],
      p.vendorId,
      p.productId,
      coreText(bt ? 'devices.part.bluetoothPort' : 'devices.part.serialPort'),
    ),
  };
}

function fromHid(d: HidDeviceInfo): DiscoveredDevice {
  return {
    kind: 'hid',
    path: d.path,
    ...ids(d.vendorId, d.productId),
    ...(d.manufacturer ? { manufacturer: d.manufacturer } : {}),
    ...(d.product ? { product: d.product } : {}),
    ...(d.serialNumber ? { serialNumber: d.serialNumber } : {}),
    ...describe([own(d.manufacturer), own(d.product), serialNumber(d.serialNumber)], d.vendorId, d.productId),
  };
}

function fromUsb(d: UsbDeviceInfo): DiscoveredDevice {
  const path = d.portPath
    ? `usb ${d.portPath}`
    : d.busNumber !== undefined
      ? `usb bus ${d.busNumber} device ${d.deviceAddress ?? '?'}`
      : 'usb';
  return { kind: 'usb', path, ...ids(d.vendorId, d.productId), ...describe([], d.vendorId, d.productId) };
}

/** A HID device with several collections on one path is listed once. */
function dedupeHid(devices: DiscoveredDevice[]): DiscoveredDevice[] {
  const seen = new Set<string>();
  return devices.filter((d) => {
    if (d.kind !== 'hid') return true;
    const key = `${d.path}|${d.usbId ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const NOUNS: Record<DeviceSource, string> = { serial: 'serial ports', hid: 'HID devices', usb: 'USB devices' };

/** "no serial ports, HID devices or USB devices found" — for the sources that could be read. */
export function nothingFound(sources: readonly DeviceSource[]): string {
  const nouns = sources.map((s) => NOUNS[s]);
  if (nouns.length <= 1) return `no ${nouns[0] ?? 'devices'} found`;
  return `no ${nouns.slice(0, -1).join(', ')} or ${nouns[nouns.length - 1]} found`;
}

/** "No … found." for the sources that could be read (in the order serial, HID, USB), as one text of the catalogue. */
const NONE_FOUND: Readonly<Record<string, CoreCode>> = {
  serial: 'devices.noneFound.serial',
  hid: 'devices.noneFound.hid',
  usb: 'devices.noneFound.usb',
  'serial,hid': 'devices.noneFound.serialHid',
  'serial,usb': 'devices.noneFound.serialUsb',
  'hid,usb': 'devices.noneFound.hidUsb',
  'serial,hid,usb': 'devices.noneFound.serialHidUsb',
};

/**
 * The note in English (for the log, the command line and API consumers) and as coded texts: nothing found where
 * the discovery could look, then one sentence per source that could not be read (`coded`: in the same order).
 */
function noteFor(
  r: DeviceReport,
  sources: readonly DeviceSource[],
  coded: readonly CoreText[],
): { note: string; noteCode: CoreText[] } | undefined {
  const read = sources.filter((s) => !r.unavailable.some((u) => u.source === s));
  const parts: string[] = [];
  const codes: CoreText[] = [];
  if (r.devices.length === 0 && read.length > 0) {
    parts.push(capital(nothingFound(read)) + '.');
    codes.push(coreText(NONE_FOUND[ALL_SOURCES.filter((s) => read.includes(s)).join(',')]!));
  }
  for (const u of r.unavailable) parts.push(capital(u.reason) + '.');
  codes.push(...coded);
  return parts.length ? { note: parts.join(' '), noteCode: codes } : undefined;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const KIND_LABEL: Record<DiscoveredDevice['kind'], string> = {
  serial: 'serial',
  bluetooth: 'bluetooth',
  hid: 'hid',
  usb: 'usb',
};

/**
 * The report as text lines: one per device; with nothing found, ONE line saying so; then one line per source that
 * could not be read, with the reason (never a stack trace).
 */
export function formatDevices(r: DeviceReport, sources: readonly DeviceSource[] = ALL_SOURCES): string[] {
  const lines: string[] = [];
  const read = sources.filter((s) => !r.unavailable.some((u) => u.source === s));
  if (r.devices.length === 0) {
    if (read.length > 0) lines.push(nothingFound(read));
  } else {
    const width = Math.min(40, Math.max(...r.devices.map((d) => d.path.length)));
    for (const d of r.devices) {
      const hint =
        d.role === 'mypos_terminal' ? '  ← myPOS terminal' : d.role === 'hid_uart_cable' ? '  ← HID-to-UART cable' : '';
      lines.push(`${KIND_LABEL[d.kind].padEnd(9)} ${d.path.padEnd(width)}  ${d.description}${hint}`);
    }
  }
  for (const u of r.unavailable) lines.push(u.reason);
  return lines;
}
