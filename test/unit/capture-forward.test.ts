import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Forwarder } from '../../src/register/capture/forward';
import { ManualClock, MemoryDevice, until } from './capture-helpers';

const TCP = { type: 'tcp' as const, host: '127.0.0.1', port: 9100 };

function logger() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino(
    { level: 'debug' },
    { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) },
  );
  return { log, lines };
}

function forwarder(
  device: MemoryDevice,
  clock: ManualClock,
  over: { maxBufferBytes?: number; endTimeoutMs?: number } = {},
) {
  const { log, lines } = logger();
  const f = new Forwarder(TCP, {
    retryMs: 1000,
    maxBufferBytes: over.maxBufferBytes ?? 1024,
    log,
    clock,
    dial: device.dial,
    ...(over.endTimeoutMs ? { endTimeoutMs: over.endTimeoutMs } : {}),
  });
  return { f, lines };
}

describe('forwarding to the real device', () => {
  it('keeps the bytes in order while the device is being dialled, then passes them on unchanged', async () => {
    const device = new MemoryDevice();
    const clock = new ManualClock();
    const { f } = forwarder(device, clock);
    f.write(Buffer.from('AB'));
    f.write(Buffer.from('CD'));
    await until(() => device.links.length === 1, 'dial');
    f.write(Buffer.from('EF'));
    expect(device.bytes().toString()).toBe('ABCDEF');
  });

  it('dials again after a failure or a lost connection; nothing written meanwhile is lost', async () => {
    const device = new MemoryDevice();
    device.offline = true;
    const clock = new ManualClock();
    const { f, lines } = forwarder(device, clock);
    f.write(Buffer.from('12'));
    await until(() => lines.some((l) => l.msg === 'forward device unreachable; dialling again'), 'first failure');
    device.offline = false;
    f.write(Buffer.from('34'));
    clock.advance(1000);
    await until(() => device.links.length === 1, 'second dial');
    expect(device.bytes().toString()).toBe('1234');
    device.links[0]!.drop();
    f.write(Buffer.from('56'));
    clock.advance(1000);
    await until(() => device.links.length === 2, 'dial after the drop');
    expect(device.bytes().toString()).toBe('123456');
  });

  it('answers from the device reach the register', async () => {
    const device = new MemoryDevice();
    const { f } = forwarder(device, new ManualClock());
    const got: number[] = [];
    f.onData((b) => got.push(...b));
    await until(() => device.links.length === 1, 'dial');
    device.links[0]!.answer(Uint8Array.of(0x12, 0x16));
    expect(got).toEqual([0x12, 0x16]);
  });

  it('a full buffer drops the oldest bytes and says so', async () => {
    const device = new MemoryDevice();
    device.offline = true;
    const clock = new ManualClock();
    const { f, lines } = forwarder(device, clock, { maxBufferBytes: 1024 });
    f.write(Buffer.alloc(600, 0x41));
    f.write(Buffer.alloc(600, 0x42));
    expect(
      lines.some(
        (l) => l.msg === 'forward device unreachable: buffer full, oldest bytes dropped' && l.droppedBytes === 600,
      ),
    ).toBe(true);
    device.offline = false;
    await until(() => lines.some((l) => l.msg === 'forward device unreachable; dialling again'), 'failure');
    clock.advance(1000);
    await until(() => device.links.length === 1, 'dial');
    expect(device.bytes().equals(Buffer.alloc(600, 0x42))).toBe(true);
  });

  it('end() waits for an unreachable device, then gives up with an error line', async () => {
    const device = new MemoryDevice();
    device.offline = true;
    const clock = new ManualClock();
    const { f, lines } = forwarder(device, clock, { endTimeoutMs: 5000 });
    f.write(Buffer.from('late'));
    let done = false;
    void f.end().then(() => (done = true));
    await until(() => lines.some((l) => l.msg === 'forward device unreachable; dialling again'), 'failure');
    clock.advance(4999);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await until(() => done, 'end');
    expect(lines.some((l) => l.msg === 'forward device unreachable: buffered bytes not delivered')).toBe(true);
  });

  it('end() with the device reachable delivers, then closes the link', async () => {
    const device = new MemoryDevice();
    const { f } = forwarder(device, new ManualClock());
    f.write(Buffer.from('xyz'));
    await f.end();
    expect(device.bytes().toString()).toBe('xyz');
    expect(device.links[0]!.closed).toBe(true);
    f.write(Buffer.from('after'));
    expect(device.bytes().toString()).toBe('xyz');
  });
});
