/**
 * A register on a USB HID-to-UART cable, through the real bridge, the real native protocol and the real IPP driver
 * and simulated terminal — with node-hid replaced at its seam by an in-memory cable (HID cannot be emulated here):
 * - opening: the cable found by vendor/product id and serial number, CP2110 UART set up with feature reports,
 *   errors in words (not plugged in: what is there; Linux permission: the udev rule);
 * - framing through the whole stack: requests fragmented over many reports and coalesced in one, zero-length and
 *   over-long reports skipped without harm;
 * - ZVT on the same cable: its serial framing (DLE/STX, CRC, ACK/NAK) inside HID reports;
 * - replug: the cable pulled with a payment in flight, a USB plug event re-opens it at once, the register resends
 *   the same ref and gets the one approval; charged once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openHidStream, explainHidOpenError, NodeHidBackend, matchHid } from '../../src/transport/hid';
import { openListener, type OpenListener } from '../../src/transport/listeners';
import { UsbPlugHub } from '../../src/transport/usb';
import { decodeReport, reportFormatFor } from '../../src/transport/hid';
import { nativeProtocol } from '../../src/register/native/session';
import { silentLogger } from '../../src/log/logger';
import { DeviceError } from '../../src/transport/usb/device-error';
import { startHarness, type Harness } from '../helpers/bridge-harness';
import { zvtListenerProtocol } from '../../src/register/zvt/index';
import { BMP, parseBmps } from '../../src/register/zvt/bmp';
import { parseConfig } from '../../src/config/load';
import { TestEcr } from './zvt-helpers';
import { CP2110, FakeHidBackend, FakeHidCable, FakeUsbBackend, MCP2221, type FakeHidHandle } from './hid-fakes';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const CP2110_FORMAT = reportFormatFor({ vendorId: CP2110.vendorId, productId: CP2110.productId });

/** The register's end of the cable: JSON lines in, JSON lines out, through CP2110 reports. */
class HidRegister {
  readonly messages: Array<Record<string, unknown>> = [];
  private buf = '';
  private waiters: Array<{
    pred: (m: Record<string, unknown>) => boolean;
    resolve: (m: Record<string, unknown>) => void;
  }> = [];

  constructor(private handle: FakeHidHandle) {
    this.attach(handle);
  }

  attach(handle: FakeHidHandle): void {
    this.handle = handle;
    for (const r of handle.written) this.receive(r);
    handle.on('written' as 'data', (r: Buffer) => this.receive(r));
  }

  private receive(report: Buffer): void {
    this.buf += decodeReport(report, CP2110_FORMAT).payload.toString('utf8');
    for (let nl = this.buf.indexOf('\n'); nl !== -1; nl = this.buf.indexOf('\n')) {
      const msg = JSON.parse(this.buf.slice(0, nl)) as Record<string, unknown>;
      this.buf = this.buf.slice(nl + 1);
      this.messages.push(msg);
      this.waiters = this.waiters.filter((w) => (w.pred(msg) ? (w.resolve(msg), false) : true));
    }
  }

  /** Sends bytes in input reports of `piece` payload bytes each (1–63). */
  sendBytes(bytes: Buffer, piece = 63): void {
    for (let at = 0; at < bytes.length; at += piece) {
      const p = bytes.subarray(at, at + piece);
      this.handle.input([p.length, ...p, ...Array(63 - p.length).fill(0)]);
    }
  }

  send(msg: Record<string, unknown>, piece = 63): void {
    this.sendBytes(Buffer.from(JSON.stringify(msg) + '\n'), piece);
  }

  waitFor(pred: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    const seen = this.messages.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }
}

async function harness(): Promise<Harness> {
  const h = await startHarness();
  cleanups.push(() => h.close());
  return h;
}

async function hidListener(
  h: Harness,
  backend: FakeHidBackend,
  hub: UsbPlugHub | null,
  reopenMinMs = 60_000,
): Promise<OpenListener> {
  const listener = await openListener(
    { type: 'hid', vendorId: CP2110.vendorId, productId: CP2110.productId, serialNumber: '0001' },
    (stream, peer) =>
      nativeProtocol().serve(stream, {
        api: h.service.bridge,
        identity: { listener: 'hid-till', register: 'hid-till' },
        peer,
        log: silentLogger(),
      }),
    { protocol: 'native', hidBackend: backend, plugEvents: hub, reopenMinMs, reopenMaxMs: reopenMinMs },
  );
  cleanups.push(() => listener.close());
  return listener;
}

describe('opening a HID-to-UART cable', () => {
  it('finds the cable by vendor id, product id and serial number, and sets up the CP2110 UART (9600 8N1, then enable)', async () => {
    const other = new FakeHidCable({ ...CP2110, path: '/dev/hidraw9', serialNumber: '0002' });
    const mine = new FakeHidCable(CP2110);
    const backend = new FakeHidBackend([other, mine]);
    const s = await openHidStream(
      { vendorId: 0x10c4, productId: 0xea80, serialNumber: '0001' },
      { backend, line: { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 } },
    );
    expect(backend.opened).toEqual(['/dev/hidraw3']);
    expect(s.description).toBe('hid 10C4:EA80 serial 0001 /dev/hidraw3');
    expect(mine.handle!.features.map((f) => [...f])).toEqual([
      [0x50, 0x00, 0x00, 0x25, 0x80, 0, 0, 3, 0],
      [0x41, 0x01],
    ]);
    s.destroy();
  });

  it('length-prefixed cables (MCP2221 style) need no set-up and write unnumbered reports', async () => {
    const cable = new FakeHidCable(MCP2221);
    const s = await openHidStream(
      { vendorId: 0x04d8, productId: 0x00dd },
      { backend: new FakeHidBackend([cable]), line: { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 } },
    );
    expect(cable.handle!.features).toEqual([]);
    await new Promise((resolve) => s.write(Buffer.from('OK'), resolve));
    expect([...cable.handle!.written[0]!.subarray(0, 4)]).toEqual([0, 2, 0x4f, 0x4b]);
    s.destroy();
  });

  it('not plugged in: says what was looked for and which HID devices are there', async () => {
    const backend = new FakeHidBackend([], [MCP2221]);
    const e = await openHidStream({ vendorId: 0x10c4, productId: 0xea80, serialNumber: '0001' }, { backend }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(DeviceError);
    expect(e).toMatchObject({ problem: 'not_found' });
    expect((e as Error).message).toBe(
      'hid 10C4:EA80 serial 0001 is not plugged in. HID devices present: 04D8:00DD MCP2221 USB-I2C/UART Combo.',
    );
    const none = await openHidStream({ vendorId: 0x10c4, productId: 0xea80 }, { backend: new FakeHidBackend() }).catch(
      (x: unknown) => x,
    );
    expect((none as Error).message).toBe('hid 10C4:EA80 is not plugged in. No HID devices are present.');
  });

  it('refused on Linux: the udev rule and the plugdev group; on Windows: another program', async () => {
    const cable = new FakeHidCable(CP2110);
    cable.openError = new Error('cannot open device with path /dev/hidraw3');
    const e = await openHidStream(
      { vendorId: 0x10c4, productId: 0xea80 },
      { backend: new FakeHidBackend([cable]), platform: 'linux' },
    ).catch((x: unknown) => x);
    expect(e).toMatchObject({ problem: 'permission_denied' });
    expect((e as Error).message).toMatch(/docs\/udev\/60-register-bridge\.rules .*"plugdev"/);
    expect(
      explainHidOpenError(new Error('open failed'), 'hid 10C4:EA80', '\\\\?\\hid#vid_10c4', 'win32'),
    ).toMatchObject({ problem: 'busy' });
  });

  it('several interfaces of one cable: the lowest interface is used', () => {
    const list = [{ ...MCP2221, interface: 3, path: 'b' }, { ...MCP2221, interface: 2, path: 'a' }, { ...CP2110 }];
    expect(matchHid(list, { vendorId: 0x04d8, productId: 0x00dd }).map((d) => d.path)).toEqual(['a', 'b']);
  });
});

describe('node-hid backend loading', () => {
  function fakeModule(failing: Set<string>): {
    setDriverType(t: 'hidraw' | 'libusb'): void;
    devicesAsync(): Promise<Array<Record<string, unknown>>>;
    HIDAsync: { open(): Promise<never> };
    tried: string[];
  } {
    let driver = 'hidraw';
    const tried: string[] = [];
    return {
      tried,
      setDriverType: (t) => void (driver = t),
      devicesAsync: async () => {
        tried.push(driver);
        if (failing.has(driver))
          throw new Error(`${driver}.node: libusb-1.0.so.0: cannot open shared object file: No such file or directory`);
        return [
          {
            path: '/dev/hidraw3',
            vendorId: 0x10c4,
            productId: 0xea80,
            serialNumber: '',
            product: 'CP2110',
            interface: 0,
          },
          { path: 'broken' },
        ];
      },
      HIDAsync: { open: () => Promise.reject(new Error('unused')) },
    };
  }

  it('Linux: when the first native build cannot load its library, the other is tried', async () => {
    const mod = fakeModule(new Set(['libusb']));
    const backend = new NodeHidBackend({ load: () => mod, platform: 'linux', preferredDriver: 'libusb' });
    expect(await backend.devices()).toEqual([
      { path: '/dev/hidraw3', vendorId: 0x10c4, productId: 0xea80, product: 'CP2110', interface: 0 },
    ]);
    expect(backend.driver).toBe('hidraw');
    expect(mod.tried).toEqual(['libusb', 'hidraw', 'hidraw']);
  });

  it('neither loads: "unavailable" in words with what to install; nothing crashes', async () => {
    const backend = new NodeHidBackend({ load: () => fakeModule(new Set(['libusb', 'hidraw'])), platform: 'linux' });
    const e = await backend.devices().catch((x: unknown) => x);
    expect(e).toMatchObject({ name: 'DeviceError', problem: 'unavailable' });
    expect((e as Error).message).toMatch(
      /HID devices cannot be used on this computer: .*hidraw: .*libusb: .*apt-get install libusb-1\.0-0/,
    );
  });

  it('the library itself missing: "unavailable", and the real node-hid here lists without crashing', async () => {
    const missing = new NodeHidBackend({
      load: () => {
        throw new Error("Cannot find module 'node-hid'");
      },
    });
    await expect(missing.devices()).rejects.toMatchObject({
      problem: 'unavailable',
      message: expect.stringMatching(/node-hid did not load/),
    });
    const real = await new NodeHidBackend().devices().then(
      (d) => d,
      (x: unknown) => x,
    );
    if (Array.isArray(real)) expect(real.every((d) => typeof d.path === 'string')).toBe(true);
    else expect(real).toMatchObject({ name: 'DeviceError', problem: 'unavailable' });
  });
});

describe('a native register on a HID cable, through the whole bridge', () => {
  it('requests fragmented over many reports and coalesced in one; empty and over-long reports do no harm', async () => {
    const h = await harness();
    const cable = new FakeHidCable(CP2110);
    const backend = new FakeHidBackend([cable]);
    const listener = await hidListener(h, backend, null);
    expect(listener.address).toBe('hid 10C4:EA80 serial 0001');
    expect(listener.device?.()).toEqual({ open: true });
    const till = new HidRegister(cable.handle!);

    // Two requests in one report.
    till.sendBytes(Buffer.from('{"op":"hello","id":"h","register":"till-9"}\n{"op":"ping","id":"p"}\n'));
    expect(await till.waitFor((m) => m.id === 'h')).toMatchObject({ type: 'hello', register: 'hid-till/till-9' });
    expect(await till.waitFor((m) => m.id === 'p')).toMatchObject({ type: 'pong' });

    // A zero-length report and an over-long one between the pieces of a sale sent 5 bytes per report.
    cable.handle!.input(Buffer.alloc(64));
    cable.handle!.input([250, ...Array(63).fill(0x7b)]);
    till.send({ op: 'sale', id: '1', ref: 'HID-1', amount: 1234, currency: 'EUR' }, 5);
    const r = await till.waitFor((m) => m.id === '1' && m.type === 'result');
    expect(r).toMatchObject({ ref: 'HID-1', outcome: 'approved', amount: 1234, currency: 'EUR' });
    // Answers longer than one report reach the register whole: the result line is split over several reports.
    expect(cable.handle!.written.length).toBeGreaterThan(till.messages.length);
    expect(till.messages.some((m) => m.type === 'error')).toBe(false);
    expect(h.sim.netCharges('HID-1')).toBe(1);
  });

  it('cable pulled mid-payment: re-opened on the USB plug event, the same ref resent attaches; charged once', async () => {
    const h = await harness();
    const cable = new FakeHidCable(CP2110);
    const backend = new FakeHidBackend([cable]);
    const usb = new FakeUsbBackend();
    const hub = new UsbPlugHub(usb);
    // A long timed pause: only the plug event can re-open the cable within the test.
    const listener = await hidListener(h, backend, hub, 60_000);
    const till = new HidRegister(cable.handle!);
    till.send({ op: 'hello', id: 'h1', register: 'till-1' });
    await till.waitFor((m) => m.id === 'h1');

    h.sim.hold();
    till.send({ op: 'sale', id: '1', ref: 'HID-2', amount: 2500, currency: 'EUR' });
    await till.waitFor((m) => m.id === '1' && m.stage === 'present_card');
    cable.unplug();
    await new Promise((r) => setImmediate(r));
    expect(listener.device?.()).toMatchObject({
      open: false,
      error: expect.stringMatching(/hid 10C4:EA80 serial 0001 \/dev\/hidraw3 went away/),
    });

    // Plugged back in: a USB attach event for another device does nothing; the cable's own re-opens it at once.
    cable.plugged = true;
    const reopened = backend.nextOpen();
    usb.emit({ type: 'attach', vendorId: 0x294a, productId: 0x3101 });
    usb.emit({ type: 'attach', vendorId: 0x10c4, productId: 0xea80 });
    till.attach(await reopened);
    await new Promise((r) => setImmediate(r));
    expect(listener.device?.()).toEqual({ open: true });

    till.send({ op: 'hello', id: 'h2', register: 'till-1' });
    await till.waitFor((m) => m.id === 'h2');
    till.send({ op: 'sale', id: '2', ref: 'HID-2', amount: 2500, currency: 'EUR' });
    await till.waitFor((m) => m.id === '2' && m.stage === 'queued');
    h.sim.release();
    const r = await till.waitFor((m) => m.id === '2' && m.type === 'result');
    expect(r).toMatchObject({ ref: 'HID-2', outcome: 'approved', attached: true });
    expect(till.messages.some((m) => m.id === '1' && m.type === 'result')).toBe(false);
    while (h.sim.openTransaction() !== undefined) await new Promise((res) => h.sim.once('ledger', res));
    expect(h.sim.netCharges('HID-2')).toBe(1);
    expect(backend.opened).toEqual(['/dev/hidraw3', '/dev/hidraw3']);
    await listener.close();
    expect(hub.active).toBe(false);
  });
});

describe('a ZVT register on a HID cable', () => {
  it('registration and an approved payment in ZVT serial framing carried in CP2110 reports', async () => {
    const h = await harness();
    const cable = new FakeHidCable(CP2110);
    const backend = new FakeHidBackend([cable]);
    const listenerConfig = parseConfig({
      listeners: [
        {
          id: 'zvt-hid',
          protocol: 'zvt',
          transport: { type: 'hid', vendorId: CP2110.vendorId, productId: CP2110.productId },
          options: { receipts: 'off' },
        },
      ],
      terminals: [{ id: 'sim', driver: 'simulator', currency: 'EUR' }],
    }).listeners[0]!;
    const protocol = zvtListenerProtocol(listenerConfig);
    const listener = await openListener(
      listenerConfig.transport,
      (stream, peer) =>
        protocol.serve(stream, {
          api: h.service.bridge,
          identity: { listener: 'zvt-hid', register: 'zvt-hid' },
          peer,
          log: silentLogger(),
        }),
      { protocol: 'zvt', hidBackend: backend, plugEvents: null },
    );
    cleanups.push(() => listener.close());
    // ZVT's serial line on the cable: 9600 8N2.
    expect(cable.handle!.features[0]!.subarray(0, 9)).toEqual(Buffer.from([0x50, 0x00, 0x00, 0x25, 0x80, 0, 0, 3, 1]));

    const handle = cable.handle!;
    const ecr = new TestEcr(
      {
        // The register's UART bytes arrive in input reports of at most 63 bytes, 3 bytes each here: frames fragmented.
        write: (b: Uint8Array) => {
          for (let at = 0; at < b.length; at += 3) {
            const p = b.subarray(at, at + 3);
            handle.input([p.length, ...p]);
          }
        },
        onData: (l: (b: Buffer) => void) =>
          void handle.on('written' as 'data', (r: Buffer) => l(decodeReport(r, CP2110_FORMAT).payload)),
      },
      'serial',
    );
    await ecr.send('06 00 04 00 00 00 3A');
    await ecr.expect('80 00 00');
    const completion = await ecr.next();
    expect([completion.cls, completion.instr]).toEqual([0x06, 0x0f]);
    await ecr.ack();

    await ecr.send('06 01 07 04 00 00 00 00 10 00');
    await ecr.expect('80 00 00');
    let info = await ecr.next();
    while (info.cls === 0x04 && info.instr === 0xff) {
      await ecr.ack();
      info = await ecr.next();
    }
    expect([info.cls, info.instr]).toEqual([0x04, 0x0f]);
    expect(parseBmps(info.data).get(BMP.resultCode)).toBe(0x00);
    await ecr.ack();
    await ecr.expect('06 0F 00');
    await ecr.ack();
    const payment = h.service.bridge.last({ listener: 'zvt-hid', register: 'zvt-hid' })!;
    expect(payment).toMatchObject({ outcome: 'approved', amount: { minor: 1000, currency: 'EUR' } });
    while (h.sim.openTransaction() !== undefined) await new Promise((res) => h.sim.once('ledger', res));
    expect(h.sim.netCharges(payment.ref)).toBe(1);
  });
});
