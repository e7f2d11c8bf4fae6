/**
 * DeviceSupervisor: open, hand over, re-open after loss with a doubling pause (timers driven by the test), at once
 * on a USB plug event, each distinct failure logged once, and nothing left running after close.
 * UsbPlugHub: one backend subscription shared by every listener, ended with the last one.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { DeviceSupervisor, type After } from '../../src/transport/usb/supervisor';
import { UsbPlugHub, libusbBackend, type UsbBackend, type UsbPlugEvent } from '../../src/transport/usb';
import { DeviceError } from '../../src/transport/usb/device-error';
import type { ByteStream } from '../../src/transport/byte-stream';

class FakeStream extends EventEmitter {
  closed = false;
  write(): boolean {
    return true;
  }
  end(): void {
    this.destroy();
  }
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    queueMicrotask(() => this.emit('close'));
  }
  /** The device goes away: an error, then close. */
  unplug(): void {
    this.emit('error', new DeviceError('unplugged', 'fake device went away'));
    this.destroy();
  }
}

/** Timers the test fires by hand. */
class ManualTimers {
  pending: Array<{ ms: number; fn: () => void; cancelled: boolean }> = [];
  after: After = (ms, fn) => {
    const t = { ms, fn, cancelled: false };
    this.pending.push(t);
    return () => {
      t.cancelled = true;
    };
  };
  get waits(): number[] {
    return this.pending.filter((t) => !t.cancelled).map((t) => t.ms);
  }
  fire(): void {
    const live = this.pending.filter((t) => !t.cancelled);
    this.pending = [];
    for (const t of live) t.fn();
  }
}

function lines(): { logger: pino.Logger; records: Array<{ level: number; msg: string; err?: string }> } {
  const records: Array<{ level: number; msg: string; err?: string }> = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => records.push(JSON.parse(s)) });
  return { logger, records };
}

function nextEvent<T extends unknown[]>(e: EventEmitter, name: string): Promise<T> {
  return new Promise((resolve) => e.once(name, (...args: unknown[]) => resolve(args as T)));
}

describe('DeviceSupervisor', () => {
  it('opens, hands the stream over, and after a loss opens again after the short pause', async () => {
    const timers = new ManualTimers();
    const opened: FakeStream[] = [];
    const served: ByteStream[] = [];
    const sup = new DeviceSupervisor({
      description: 'fake',
      open: async () => {
        const s = new FakeStream();
        opened.push(s);
        return s as unknown as ByteStream;
      },
      onStream: (s) => served.push(s),
      minDelayMs: 100,
      after: timers.after,
    });
    const first = nextEvent(sup, 'open');
    sup.start();
    await first;
    expect(sup.state).toBe('open');
    expect(served).toEqual([opened[0]]);

    const lost = nextEvent<[Error | undefined]>(sup, 'lost');
    opened[0]!.unplug();
    const [why] = await lost;
    expect(why?.message).toBe('fake device went away');
    expect(sup.state).toBe('waiting');
    expect(sup.lastError?.message).toBe('fake device went away');
    expect(timers.waits).toEqual([100]);
    const again = nextEvent(sup, 'open');
    timers.fire();
    await again;
    expect(served).toHaveLength(2);
    expect(sup.lastError).toBeUndefined();
    await sup.close();
    expect(opened[1]!.closed).toBe(true);
    expect(sup.state).toBe('closed');
  });

  it('failed opens wait twice as long each time up to the cap; a success resets the pause', async () => {
    const timers = new ManualTimers();
    let failures = 3;
    const sup = new DeviceSupervisor({
      description: 'fake',
      open: async () => {
        if (failures-- > 0) throw new DeviceError('not_found', 'serial port COM9 was not found');
        return new FakeStream() as unknown as ByteStream;
      },
      onStream: () => undefined,
      minDelayMs: 100,
      maxDelayMs: 250,
      after: timers.after,
    });
    const waits: number[] = [];
    sup.on('failed', (_e, ms) => waits.push(ms));
    const f1 = nextEvent(sup, 'failed');
    sup.start();
    await f1;
    for (let i = 0; i < 2; i++) {
      const f = nextEvent(sup, 'failed');
      timers.fire();
      await f;
    }
    expect(waits).toEqual([100, 200, 250]);
    const opened = nextEvent<[FakeStream]>(sup, 'open');
    timers.fire();
    const [s] = await opened;
    const lost = nextEvent(sup, 'lost');
    s.unplug();
    await lost;
    expect(timers.waits).toEqual([100]);
    await sup.close();
    expect(timers.waits).toEqual([]);
  });

  it('a plug event ends the pause at once', async () => {
    const timers = new ManualTimers();
    let plugged: (() => void) | undefined;
    let unsubscribed = false;
    let present = false;
    const sup = new DeviceSupervisor({
      description: 'fake',
      open: async () => {
        if (!present) throw new DeviceError('not_found', 'not plugged in');
        return new FakeStream() as unknown as ByteStream;
      },
      onStream: () => undefined,
      minDelayMs: 60_000,
      after: timers.after,
      plugEvents: (onAttach) => {
        plugged = onAttach;
        return () => {
          unsubscribed = true;
        };
      },
    });
    const failed = nextEvent(sup, 'failed');
    sup.start();
    await failed;
    expect(sup.state).toBe('waiting');
    present = true;
    const opened = nextEvent(sup, 'open');
    plugged!();
    await opened;
    expect(sup.state).toBe('open');
    plugged!(); // while open: nothing happens
    expect(sup.state).toBe('open');
    await sup.close();
    expect(unsubscribed).toBe(true);
  });

  it('logs a failure once at warn and its repeats at debug, and says when the device is back', async () => {
    const timers = new ManualTimers();
    const { logger, records } = lines();
    let n = 0;
    const sup = new DeviceSupervisor({
      description: 'serial COM4 9600 8N1',
      open: async () => {
        n++;
        if (n <= 3) throw new DeviceError('permission_denied', 'no permission to open serial port COM4');
        return new FakeStream() as unknown as ByteStream;
      },
      onStream: () => undefined,
      after: timers.after,
      log: logger,
    });
    const f = nextEvent(sup, 'failed');
    sup.start();
    await f;
    for (let i = 0; i < 2; i++) {
      const next = nextEvent(sup, 'failed');
      timers.fire();
      await next;
    }
    const open = nextEvent(sup, 'open');
    timers.fire();
    await open;
    const mine = records.map((r) => [r.level, r.msg, r.err]);
    expect(mine).toEqual([
      [40, 'device not available', 'no permission to open serial port COM4'],
      [20, 'device still not available', 'no permission to open serial port COM4'],
      [20, 'device still not available', 'no permission to open serial port COM4'],
      [30, 'device open again', undefined],
    ]);
    await sup.close();
  });

  it('a stream that opens after close was asked for is closed at once; plug events that cannot be had are not fatal', async () => {
    let release!: (s: ByteStream) => void;
    const late = new FakeStream();
    const sup = new DeviceSupervisor({
      description: 'fake',
      open: () => new Promise<ByteStream>((resolve) => (release = resolve)),
      onStream: () => {
        throw new Error('must not be served');
      },
      plugEvents: () => {
        throw new DeviceError('unavailable', 'USB devices cannot be read on this computer');
      },
    });
    sup.start();
    const closing = sup.close();
    release(late as unknown as ByteStream);
    await closing;
    await new Promise<void>((resolve) => (late.closed ? resolve() : late.once('close', () => resolve())));
    expect(late.closed).toBe(true);
    expect(sup.state).toBe('closed');
  });
});

describe('UsbPlugHub', () => {
  function fakeUsb(): { backend: UsbBackend; emit: (e: UsbPlugEvent) => void; watching: () => number } {
    let listener: ((e: UsbPlugEvent) => void) | undefined;
    let count = 0;
    return {
      backend: {
        devices: async () => [],
        watch: (l) => {
          listener = l;
          count++;
          return () => {
            listener = undefined;
            count--;
          };
        },
      },
      emit: (e) => listener?.(e),
      watching: () => count,
    };
  }

  it('subscribes once for many listeners, filters attach events, and ends with the last listener', () => {
    const usb = fakeUsb();
    const hub = new UsbPlugHub(usb.backend);
    const seen: string[] = [];
    const offA = hub.attachEvents((e) => e.vendorId === 0x294a)(() => seen.push('a'));
    const offB = hub.attachEvents()(() => seen.push('b'));
    expect(usb.watching()).toBe(1);
    usb.emit({ type: 'attach', vendorId: 0x294a, productId: 0x3101 });
    usb.emit({ type: 'attach', vendorId: 0x10c4, productId: 0xea80 });
    usb.emit({ type: 'detach', vendorId: 0x294a, productId: 0x3101 });
    expect(seen).toEqual(['a', 'b', 'b']);
    offA();
    offA();
    expect(hub.active).toBe(true);
    offB();
    expect(hub.active).toBe(false);
    expect(usb.watching()).toBe(0);
  });

  it('a backend without USB access throws a DeviceError in words', () => {
    const hub = new UsbPlugHub({
      devices: async () => [],
      watch: () => {
        throw new DeviceError('unavailable', 'USB plug events are not available: LIBUSB_ERROR_OTHER');
      },
    });
    expect(() => hub.subscribe(() => undefined)).toThrow('USB plug events are not available');
    expect(hub.active).toBe(false);
  });

  it('the real backend lists devices without crashing (an empty list where there is no USB)', async () => {
    const list = await libusbBackend.devices().catch((e: unknown) => e);
    if (list instanceof Error) expect(list).toBeInstanceOf(DeviceError);
    else expect(Array.isArray(list)).toBe(true);
  });
});
