/**
 * In-memory stand-ins for HID-to-UART cables at node-hid's seam (HidBackend / HidHandle): HID cannot be emulated on
 * the build machines, so these play the cable. A FakeHidCable is the device: plug it in and out, read what the
 * bridge wrote (output reports, feature reports), and feed it input reports as the cable's UART would deliver them.
 */
import { EventEmitter } from 'node:events';
import type { HidBackend, HidDeviceInfo, HidHandle } from '../../src/transport/hid';
import type { UsbBackend, UsbPlugEvent } from '../../src/transport/usb';

export class FakeHidHandle extends EventEmitter implements HidHandle {
  readonly written: Buffer[] = [];
  readonly features: Buffer[] = [];
  closed = false;
  /** Makes the next writes fail, as a pulled cable does. */
  failWrites: Error | undefined;

  override on(event: 'data' | 'error', listener: (...args: never[]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  async write(report: Uint8Array): Promise<void> {
    if (this.closed) throw new Error('device closed');
    if (this.failWrites) throw this.failWrites;
    this.written.push(Buffer.from(report));
    this.emit('written', Buffer.from(report));
  }

  async sendFeatureReport(report: Uint8Array): Promise<void> {
    this.features.push(Buffer.from(report));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** One input report as node-hid delivers it. */
  input(report: Uint8Array | number[]): void {
    this.emit('data', Buffer.from(report));
  }
}

export class FakeHidCable {
  plugged = true;
  handles: FakeHidHandle[] = [];
  /** Error `open` rejects with (permission denied, busy). */
  openError: Error | undefined;

  constructor(readonly info: HidDeviceInfo) {}

  get handle(): FakeHidHandle | undefined {
    return this.handles.at(-1);
  }

  /** Pulls the cable: the open handle reports a read error (as node-hid does) and the device is gone. */
  unplug(): void {
    this.plugged = false;
    const h = this.handle;
    if (h && !h.closed) {
      h.failWrites = new Error('could not write to HID device');
      h.emit('error', new Error('could not read from HID device'));
    }
  }
}

export class FakeHidBackend implements HidBackend {
  readonly opened: string[] = [];
  private readonly waiters: Array<(h: FakeHidHandle) => void> = [];

  constructor(
    readonly cables: FakeHidCable[] = [],
    readonly others: HidDeviceInfo[] = [],
  ) {}

  async devices(): Promise<HidDeviceInfo[]> {
    return [...this.cables.filter((c) => c.plugged).map((c) => c.info), ...this.others];
  }

  async open(path: string): Promise<HidHandle> {
    const cable = this.cables.find((c) => c.plugged && c.info.path === path);
    if (!cable) throw new Error(`cannot open device with path ${path}`);
    if (cable.openError) throw cable.openError;
    this.opened.push(path);
    const h = new FakeHidHandle();
    cable.handles.push(h);
    for (const w of this.waiters.splice(0)) w(h);
    return h;
  }

  /** Resolves with the next handle opened (or the newest open one when `current` is given and still open). */
  nextOpen(): Promise<FakeHidHandle> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** USB plug events on demand, for the hub that wakes device supervisors. */
export class FakeUsbBackend implements UsbBackend {
  private listener: ((e: UsbPlugEvent) => void) | undefined;
  async devices(): Promise<[]> {
    return [];
  }
  watch(listener: (e: UsbPlugEvent) => void): () => void {
    this.listener = listener;
    return () => {
      this.listener = undefined;
    };
  }
  emit(e: UsbPlugEvent): void {
    this.listener?.(e);
  }
}

export const CP2110: HidDeviceInfo = {
  path: '/dev/hidraw3',
  vendorId: 0x10c4,
  productId: 0xea80,
  serialNumber: '0001',
  product: 'CP2110 HID USB-to-UART Bridge',
  interface: 0,
};
export const MCP2221: HidDeviceInfo = {
  path: '/dev/hidraw5',
  vendorId: 0x04d8,
  productId: 0x00dd,
  product: 'MCP2221 USB-I2C/UART Combo',
  interface: 2,
};
