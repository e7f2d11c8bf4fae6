/**
 * Raw USB, through the `usb` package, for two things only: listing what is plugged in (VID:PID, bus position) and
 * hearing when something is plugged in or out, so a device that came back is re-opened at once instead of at the
 * next retry. Everything else about a device goes through its own transport (serial port, HID).
 *
 * The package is loaded on first use and wrapped behind `UsbBackend`: a computer without USB access (no libusb, no
 * /sys/bus/usb, a sandbox) reports that in words and the bridge goes on with timed retries. Plug events keep the
 * process alive while anyone listens, so every subscription must be ended (the hub below counts them).
 */
import { createRequire } from 'node:module';
import { DeviceError, errorText, firstLine } from './usb/device-error';
import { coreText } from '../i18n/core-text';

export interface UsbDeviceInfo {
  readonly vendorId: number;
  readonly productId: number;
  readonly busNumber?: number;
  readonly deviceAddress?: number;
  /** "1-2.3": bus and port numbers. */
  readonly portPath?: string;
}

export interface UsbPlugEvent {
  readonly type: 'attach' | 'detach';
  readonly vendorId?: number;
  readonly productId?: number;
}

export interface UsbBackend {
  devices(): Promise<UsbDeviceInfo[]>;
  /** Subscribes to plug events; returns the unsubscribe function. Throws a DeviceError when USB is not reachable. */
  watch(listener: (event: UsbPlugEvent) => void): () => void;
}

interface UsbDeviceLike {
  deviceDescriptor?: { idVendor?: number; idProduct?: number };
  busNumber?: number;
  deviceAddress?: number;
  portNumbers?: number[];
}

interface UsbModule {
  getDeviceList(): UsbDeviceLike[];
  usb: {
    on(event: 'attach' | 'detach', listener: (device: UsbDeviceLike) => void): unknown;
    off(event: 'attach' | 'detach', listener: (device: UsbDeviceLike) => void): unknown;
  };
}

let usbModule: UsbModule | undefined;

function loadUsb(): UsbModule {
  if (usbModule) return usbModule;
  try {
    usbModule = createRequire(import.meta.url)('usb') as UsbModule;
    return usbModule;
  } catch (e) {
    throw new DeviceError(
      'unavailable',
      `USB devices cannot be read on this computer: the usb library did not load (${firstLine(errorText(e))})`,
      errorText(e),
      coreText('devices.usbLibrary', { error: firstLine(errorText(e)) }),
    );
  }
}

function info(d: UsbDeviceLike): UsbDeviceInfo {
  const vendorId = d.deviceDescriptor?.idVendor ?? 0;
  const productId = d.deviceDescriptor?.idProduct ?? 0;
  return {
    vendorId,
    productId,
    ...(d.busNumber !== undefined ? { busNumber: d.busNumber } : {}),
    ...(d.deviceAddress !== undefined ? { deviceAddress: d.deviceAddress } : {}),
    ...(d.busNumber !== undefined && d.portNumbers?.length
      ? { portPath: `${d.busNumber}-${d.portNumbers.join('.')}` }
      : {}),
  };
}

/** The real backend (`usb` 2.x). */
export const libusbBackend: UsbBackend = {
  async devices() {
    const usb = loadUsb();
    try {
      return usb.getDeviceList().map(info);
    } catch (e) {
      throw new DeviceError(
        'unavailable',
        `USB devices cannot be listed: ${firstLine(errorText(e))}`,
        errorText(e),
        coreText('devices.usbList', { error: firstLine(errorText(e)) }),
      );
    }
  },
  watch(listener) {
    const usb = loadUsb();
    const attach = (d: UsbDeviceLike): void => listener({ type: 'attach', ...ids(d) });
    const detach = (d: UsbDeviceLike): void => listener({ type: 'detach', ...ids(d) });
    try {
      usb.usb.on('attach', attach);
      usb.usb.on('detach', detach);
    } catch (e) {
      usb.usb.off('attach', attach);
      throw new DeviceError(
        'unavailable',
        `USB plug events are not available: ${firstLine(errorText(e))}`,
        errorText(e),
      );
    }
    return () => {
      usb.usb.off('attach', attach);
      usb.usb.off('detach', detach);
    };
  },
};

function ids(d: UsbDeviceLike): { vendorId?: number; productId?: number } {
  const v = d.deviceDescriptor?.idVendor;
  const p = d.deviceDescriptor?.idProduct;
  return { ...(v !== undefined ? { vendorId: v } : {}), ...(p !== undefined ? { productId: p } : {}) };
}

/**
 * One subscription to the backend shared by every listener: subscribed while at least one listener is there,
 * ended when the last one leaves (so a stopped bridge lets the process exit).
 */
export class UsbPlugHub {
  private readonly listeners = new Set<(e: UsbPlugEvent) => void>();
  private stop: (() => void) | undefined;

  constructor(private readonly backend: UsbBackend = libusbBackend) {}

  /** Subscribes; throws a DeviceError when plug events are not available here. */
  subscribe(listener: (e: UsbPlugEvent) => void): () => void {
    if (!this.stop) this.stop = this.backend.watch((e) => this.dispatch(e));
    this.listeners.add(listener);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.stop) {
        const stop = this.stop;
        this.stop = undefined;
        stop();
      }
    };
  }

  /** For a DeviceSupervisor: calls `onAttach` when a device (matching `filter`, if given) is plugged in. */
  attachEvents(filter?: (e: UsbPlugEvent) => boolean): (onAttach: () => void) => () => void {
    return (onAttach) =>
      this.subscribe((e) => {
        if (e.type === 'attach' && (!filter || filter(e))) onAttach();
      });
  }

  get active(): boolean {
    return this.stop !== undefined;
  }

  private dispatch(e: UsbPlugEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        /* a listener's defect must not stop the others */
      }
    }
  }
}

let sharedHub: UsbPlugHub | undefined;

/** The process-wide hub over the real backend. */
export function usbPlugHub(): UsbPlugHub {
  sharedHub ??= new UsbPlugHub();
  return sharedHub;
}
