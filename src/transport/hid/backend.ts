/**
 * HID devices behind a small interface, so framing, re-opening and errors are tested with in-memory fakes
 * (HID cannot be emulated on the build machines). The real backend is node-hid, loaded on first use:
 *
 * - node-hid has two native builds on Linux: hidraw (kernel hidraw nodes) and libusb (needs libusb-1.0.so.0).
 *   Whichever is tried first, when its library cannot load ("cannot open shared object file") the other is tried
 *   (`HID.setDriverType`). `REGISTER_BRIDGE_HID_DRIVER=libusb|hidraw` picks the first one to try.
 * - When neither loads, every call rejects with a DeviceError "unavailable" in words; nothing crashes.
 */
import { createRequire } from 'node:module';
import { DeviceError, errorText, firstLine } from '../usb/device-error';
import { coreText } from '../../i18n/core-text';

export interface HidDeviceInfo {
  /** What `open` takes (a /dev/hidraw node, an IOKit path, a Windows device path). */
  readonly path: string;
  readonly vendorId: number;
  readonly productId: number;
  readonly serialNumber?: string;
  readonly manufacturer?: string;
  readonly product?: string;
  /** USB interface number (-1 / undefined when unknown). */
  readonly interface?: number;
  readonly usagePage?: number;
  readonly usage?: number;
}

/** An open HID device. `write` takes one output report, report id first. */
export interface HidHandle {
  write(report: Uint8Array): Promise<void>;
  /** Feature report, report id first (cable set-up, e.g. CP2110 UART enable). */
  sendFeatureReport(report: Uint8Array): Promise<void>;
  on(event: 'data', listener: (report: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  close(): Promise<void>;
}

export interface HidBackend {
  devices(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidHandle>;
}

interface NodeHidAsync {
  write(data: number[] | Buffer): Promise<number>;
  sendFeatureReport(data: number[] | Buffer): Promise<number>;
  on(event: string, listener: (...args: never[]) => void): unknown;
  close(): Promise<void>;
}

interface NodeHidModule {
  devicesAsync(): Promise<Array<Record<string, unknown>>>;
  setDriverType(type: 'hidraw' | 'libusb'): void;
  HIDAsync: { open(path: string): Promise<NodeHidAsync> };
}

const SHARED_LIBRARY =
  /cannot open shared object|shared library|dlopen|Library not loaded|The specified module could not be found|ERR_DLOPEN_FAILED/i;

export interface NodeHidBackendOptions {
  /** Loads node-hid (tests pass a stand-in). */
  readonly load?: () => NodeHidModule;
  readonly platform?: NodeJS.Platform;
  /** Which Linux driver to try first; default from REGISTER_BRIDGE_HID_DRIVER, else node-hid's default (hidraw). */
  readonly preferredDriver?: 'hidraw' | 'libusb';
}

/** node-hid, with the Linux hidraw/libusb fallback. */
export class NodeHidBackend implements HidBackend {
  private module: NodeHidModule | undefined;
  private ready: Promise<NodeHidModule> | undefined;
  /** Which native build is in use ("hidraw", "libusb", or the platform's only one). */
  driver: string | undefined;

  constructor(private readonly o: NodeHidBackendOptions = {}) {}

  async devices(): Promise<HidDeviceInfo[]> {
    const hid = await this.load();
    const list = await hid.devicesAsync();
    return list.map(toInfo).filter((d): d is HidDeviceInfo => d !== undefined);
  }

  async open(path: string): Promise<HidHandle> {
    const hid = await this.load();
    const dev = await hid.HIDAsync.open(path);
    return {
      write: async (report) => {
        await dev.write(Buffer.from(report));
      },
      sendFeatureReport: async (report) => {
        await dev.sendFeatureReport(Buffer.from(report));
      },
      on: (event: string, listener: (...args: never[]) => void) => dev.on(event, listener),
      close: () => dev.close(),
    } as HidHandle;
  }

  private load(): Promise<NodeHidModule> {
    this.ready ??= this.tryLoad().catch((e: unknown) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }

  /** Loads node-hid and makes its native part load (devicesAsync loads it), trying the other Linux driver if needed. */
  private async tryLoad(): Promise<NodeHidModule> {
    let hid: NodeHidModule;
    try {
      hid = this.o.load ? this.o.load() : (createRequire(import.meta.url)('node-hid') as NodeHidModule);
    } catch (e) {
      throw new DeviceError(
        'unavailable',
        `HID devices cannot be used on this computer: node-hid did not load (${firstLine(errorText(e))})`,
        errorText(e),
        coreText('devices.hidLibrary', { error: firstLine(errorText(e)) }),
      );
    }
    const platform = this.o.platform ?? process.platform;
    if (platform !== 'linux') {
      try {
        await hid.devicesAsync();
      } catch (e) {
        throw new DeviceError(
          'unavailable',
          `HID devices cannot be used on this computer: ${firstLine(errorText(e))}`,
          errorText(e),
          coreText('devices.hidUnusable', { error: firstLine(errorText(e)) }),
        );
      }
      this.driver = 'native';
      this.module = hid;
      return hid;
    }
    const envDriver = process.env.REGISTER_BRIDGE_HID_DRIVER;
    const first = this.o.preferredDriver ?? (envDriver === 'libusb' || envDriver === 'hidraw' ? envDriver : 'hidraw');
    const order: Array<'hidraw' | 'libusb'> = first === 'hidraw' ? ['hidraw', 'libusb'] : ['libusb', 'hidraw'];
    const failures: string[] = [];
    for (const driver of order) {
      hid.setDriverType(driver);
      if (!this.o.load) selectLinuxBuild(driver);
      try {
        await hid.devicesAsync();
        this.driver = driver;
        this.module = hid;
        return hid;
      } catch (e) {
        const text = firstLine(errorText(e));
        failures.push(`${driver}: ${text}`);
        if (!SHARED_LIBRARY.test(errorText(e))) break;
      }
    }
    throw new DeviceError(
      'unavailable',
      `HID devices cannot be used on this computer: node-hid could not load (${failures.join('; ')}). ` +
        'Install libusb (Debian/Ubuntu: apt-get install libusb-1.0-0) or make sure the kernel has hidraw',
      failures.join('; '),
      coreText('devices.hidDrivers', { failures: failures.join('; ') }),
    );
  }
}

/**
 * node-hid picks its Linux build by mutating its cached binding options only for hidraw, so after a failed hidraw
 * load a libusb attempt would load hidraw again; set the build name for both.
 */
function selectLinuxBuild(driver: 'hidraw' | 'libusb'): void {
  try {
    const options = createRequire(import.meta.url)('node-hid/binding-options.js') as { name?: string };
    options.name = driver === 'hidraw' ? 'HID_hidraw' : 'HID';
  } catch {
    /* a node-hid without that file decides by itself */
  }
}

function toInfo(d: Record<string, unknown>): HidDeviceInfo | undefined {
  const path = typeof d.path === 'string' ? d.path : undefined;
  const vendorId = typeof d.vendorId === 'number' ? d.vendorId : undefined;
  const productId = typeof d.productId === 'number' ? d.productId : undefined;
  if (!path || vendorId === undefined || productId === undefined) return undefined;
  const text = (k: string): string | undefined =>
    typeof d[k] === 'string' && (d[k] as string).length > 0 ? (d[k] as string) : undefined;
  const num = (k: string): number | undefined => (typeof d[k] === 'number' ? (d[k] as number) : undefined);
  const serialNumber = text('serialNumber');
  const manufacturer = text('manufacturer');
  const product = text('product');
  const iface = num('interface');
  const usagePage = num('usagePage');
  const usage = num('usage');
  return {
    path,
    vendorId,
    productId,
    ...(serialNumber ? { serialNumber } : {}),
    ...(manufacturer ? { manufacturer } : {}),
    ...(product ? { product } : {}),
    ...(iface !== undefined ? { interface: iface } : {}),
    ...(usagePage !== undefined ? { usagePage } : {}),
    ...(usage !== undefined ? { usage } : {}),
  };
}

let sharedBackend: NodeHidBackend | undefined;

/** The process-wide node-hid backend. */
export function nodeHidBackend(): NodeHidBackend {
  sharedBackend ??= new NodeHidBackend();
  return sharedBackend;
}
