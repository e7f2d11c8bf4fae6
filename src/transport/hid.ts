/**
 * USB HID-to-UART cables (Silicon Labs CP2110 and similar) as byte streams, for registers whose serial line reaches
 * the PC through such a cable:  {"type":"hid","vendorId":4292,"productId":60032,"serialNumber":"optional"}.
 *
 *   openHidStream(config)  finds the cable (vendor id, product id, serial number if given), opens it, sets up its
 *                          UART where the cable needs that (CP2110: hid/cp2110.ts) and returns a ByteStream whose
 *                          bytes travel in length-prefixed reports (hid/framing.ts).
 *
 * node-hid sits behind HidBackend (hid/backend.ts). Errors are DeviceErrors in words: HID unavailable here, cable
 * not plugged in (with the HID devices that are), no permission (Linux: the udev rule), cable lost mid-use.
 * Re-opening after a replug is DeviceSupervisor's (usb/supervisor.ts), woken by USB plug events.
 */
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import { DeviceError, errorText, firstLine } from './usb/device-error';
import { formatUsbId, hidUartCable } from './usb/ids';
import { nodeHidBackend, type HidBackend, type HidDeviceInfo, type HidHandle } from './hid/backend';
import { cp2110UartConfig, cp2110UartEnable } from './hid/cp2110';
import { checkReportFormat, DEFAULT_REPORT_FORMAT, type HidReportFormat } from './hid/framing';
import { HidByteStream } from './hid/stream';
import type { LineSettings } from './serial/settings';

export { HidByteStream } from './hid/stream';
export { NodeHidBackend, nodeHidBackend, type HidBackend, type HidDeviceInfo, type HidHandle } from './hid/backend';
export { decodeReport, encodeReports, maxPayload, DEFAULT_REPORT_FORMAT, type HidReportFormat } from './hid/framing';

export type HidFraming = 'cp2110' | 'length-prefixed';

export interface HidConfig {
  readonly vendorId: number;
  readonly productId: number;
  readonly serialNumber?: string | undefined;
  /** How the cable frames UART bytes; default from the known-cable table, else "length-prefixed". */
  readonly framing?: HidFraming | undefined;
  /** Length byte + payload per report; default 64. */
  readonly reportSize?: number | undefined;
  /**
   * A fixed report id before the length byte. Absent: with CP2110 framing the report id is the length; with
   * "length-prefixed" framing the cable's reports are unnumbered (id 0: written as [0, n, payload], read as
   * [n, payload]).
   */
  readonly reportId?: number | undefined;
}

export interface OpenHidOptions {
  readonly backend?: HidBackend;
  /** UART line settings, applied where the cable is configured by the host (CP2110). */
  readonly line?: LineSettings;
  readonly platform?: NodeJS.Platform;
  readonly log?: Logger;
}

/** "hid 10C4:EA80" or "hid 10C4:EA80 serial 0001". */
export function describeHid(c: Pick<HidConfig, 'vendorId' | 'productId' | 'serialNumber'>): string {
  return `hid ${formatUsbId(c.vendorId, c.productId)}${c.serialNumber ? ` serial ${c.serialNumber}` : ''}`;
}

/** The cable's devices among `devices`: vendor and product id, and serial number when one is asked for. */
export function matchHid(devices: readonly HidDeviceInfo[], c: HidConfig): HidDeviceInfo[] {
  return devices
    .filter(
      (d) =>
        d.vendorId === c.vendorId &&
        d.productId === c.productId &&
        (!c.serialNumber || d.serialNumber === c.serialNumber),
    )
    .sort((a, b) => (a.interface ?? 0) - (b.interface ?? 0) || a.path.localeCompare(b.path));
}

export function reportFormatFor(c: HidConfig): HidReportFormat {
  const reportId = c.reportId ?? (framingFor(c) === 'length-prefixed' ? 0 : undefined);
  const format: HidReportFormat = {
    ...DEFAULT_REPORT_FORMAT,
    ...(c.reportSize !== undefined ? { reportSize: c.reportSize } : {}),
    ...(reportId !== undefined ? { reportId } : {}),
  };
  checkReportFormat(format);
  return format;
}

export function framingFor(c: HidConfig): HidFraming {
  return c.framing ?? hidUartCable(c.vendorId, c.productId)?.framing ?? 'length-prefixed';
}

export async function openHidStream(c: HidConfig, options: OpenHidOptions = {}): Promise<HidByteStream> {
  const backend = options.backend ?? nodeHidBackend();
  const log = options.log ?? silentLogger();
  const platform = options.platform ?? process.platform;
  const what = describeHid(c);
  const format = reportFormatFor(c);
  const devices = await backend.devices();
  const match = matchHid(devices, c)[0];
  if (!match) throw new DeviceError('not_found', `${what} is not plugged in. ${hidDevicesSentence(devices)}`);
  let handle: HidHandle;
  try {
    handle = await backend.open(match.path);
  } catch (e) {
    throw explainHidOpenError(e, what, match.path, platform);
  }
  const description = `${what} ${match.path}`;
  if (framingFor(c) === 'cp2110' && options.line) {
    try {
      await handle.sendFeatureReport(cp2110UartConfig(options.line));
      await handle.sendFeatureReport(cp2110UartEnable());
    } catch (e) {
      await handle.close().catch(() => undefined);
      throw new DeviceError(
        'failed',
        `${description}: the cable's UART could not be set up (${firstLine(errorText(e))})`,
        errorText(e),
      );
    }
  }
  return new HidByteStream(handle, format, description, (problem) =>
    log.warn({ device: description, problem }, 'HID report skipped'),
  );
}

export function explainHidOpenError(e: unknown, what: string, path: string, platform: NodeJS.Platform): DeviceError {
  if (e instanceof DeviceError) return e;
  const text = errorText(e);
  if (platform === 'linux') {
    return new DeviceError(
      'permission_denied',
      `${what} (${path}) could not be opened — usually no permission: install the udev rule docs/udev/60-register-bridge.rules ` +
        'and add the user to the "plugdev" group (see docs/devices.md, "Linux: permissions and udev"), then plug the cable in again',
      text,
    );
  }
  if (platform === 'win32') {
    return new DeviceError(
      'busy',
      `${what} could not be opened: another program may be using it (${firstLine(text)})`,
      text,
    );
  }
  return new DeviceError('failed', `${what} could not be opened: ${firstLine(text)}`, text);
}

function hidDevicesSentence(devices: readonly HidDeviceInfo[]): string {
  if (devices.length === 0) return 'No HID devices are present.';
  const seen = new Set<string>();
  const names: string[] = [];
  for (const d of devices) {
    const id = formatUsbId(d.vendorId, d.productId);
    const name = `${id}${d.product ? ` ${d.product}` : ''}`;
    if (seen.has(name)) continue;
    seen.add(name);
    names.push(name);
  }
  return `HID devices present: ${names.join('; ')}.`;
}
