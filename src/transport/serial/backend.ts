/**
 * The serial-port library behind a small interface: list ports, open one. The real backend is `serialport`,
 * loaded on first use so that a computer where its native part cannot load still runs everything else (the error
 * is reported in words). Tests use the real backend on pty pairs (socat) and fakes for what a pty cannot show.
 */
import { createRequire } from 'node:module';
import type { ByteStream } from '../byte-stream';
import { DeviceError, errorText, firstLine } from '../usb/device-error';
import { parseHexId } from '../usb/ids';
import type { SerialSettings } from './settings';
import { guardHangup } from './hangup-guard';
import { isMissingUdevadm, listSysfsPorts } from './sysfs-list';
import { coreText } from '../../i18n/core-text';

export interface SerialPortInfo {
  readonly path: string;
  readonly manufacturer?: string;
  readonly serialNumber?: string;
  /** Windows PnP id / Linux by-id name; tells a Bluetooth port (BTHENUM, rfcomm) from a USB one. */
  readonly pnpId?: string;
  readonly vendorId?: number;
  readonly productId?: number;
  readonly friendlyName?: string;
}

/** An open port as the library gives it: a byte stream that can also set modem lines. */
export interface RawSerialPort extends ByteStream {
  set(flags: { dtr?: boolean; rts?: boolean }, cb: (err: Error | null) => void): unknown;
  drain(cb: (err: Error | null) => void): unknown;
  close(cb?: (err: Error | null) => void): unknown;
  readonly isOpen: boolean;
}

export interface SerialBackend {
  list(): Promise<SerialPortInfo[]>;
  /** Opens the port with the line settings; rejects with the library's own error. */
  open(settings: SerialSettings): Promise<RawSerialPort>;
}

type SerialPortModule = typeof import('serialport');
let loaded: Promise<SerialPortModule> | undefined;

/**
 * Loads serialport through `require` (createRequire), as usb and node-hid are: the desktop app bundles this code to
 * CommonJS and loads the package from app.asar, where a dynamic import() of a package takes paths with open
 * Electron regressions.
 */
export function loadSerialport(): Promise<SerialPortModule> {
  loaded ??= Promise.resolve()
    .then(() => createRequire(import.meta.url)('serialport') as SerialPortModule)
    .catch((e: unknown) => {
      loaded = undefined;
      throw new DeviceError(
        'unavailable',
        `serial ports cannot be used on this computer: the serialport library did not load (${firstLine(errorText(e))})`,
        errorText(e),
        coreText('devices.serialLibrary', { error: firstLine(errorText(e)) }),
      );
    });
  return loaded;
}

/** The real backend (`serialport`). */
export const serialportBackend: SerialBackend = {
  async list() {
    const { SerialPort } = await loadSerialport();
    let ports: Awaited<ReturnType<typeof SerialPort.list>>;
    try {
      ports = await SerialPort.list();
    } catch (e) {
      // Linux without udevadm (minimal installs, containers): read the ports from sysfs instead (sysfs-list.ts).
      if (process.platform === 'linux' && isMissingUdevadm(e)) return listSysfsPorts();
      throw e;
    }
    return ports.map((p) => {
      const extra = p as { friendlyName?: string };
      const vendorId = parseHexId(p.vendorId);
      const productId = parseHexId(p.productId);
      return {
        path: p.path,
        ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
        ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
        ...(p.pnpId ? { pnpId: p.pnpId } : {}),
        ...(vendorId !== undefined ? { vendorId } : {}),
        ...(productId !== undefined ? { productId } : {}),
        ...(extra.friendlyName ? { friendlyName: extra.friendlyName } : {}),
      };
    });
  },
  async open(s) {
    const { SerialPort } = await loadSerialport();
    const base = SerialPort.binding;
    // The detected binding, with unplug detection fixed on Unix (hangup-guard.ts).
    const binding: typeof base = {
      list: () => base.list(),
      open: async (options: Parameters<typeof base.open>[0]) => {
        const opened = await base.open(options);
        guardHangup(opened);
        return opened;
      },
    } as typeof base;
    const port = new SerialPort({
      binding,
      path: s.path,
      baudRate: s.baudRate,
      dataBits: s.dataBits,
      parity: s.parity,
      stopBits: s.stopBits,
      rtscts: false,
      xon: false,
      xoff: false,
      autoOpen: false,
    });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    // serialport's typed `off` overloads are narrower than the port's; at run time it is an EventEmitter.
    return port as unknown as RawSerialPort;
  },
};
