/**
 * The real display or printer behind the bridge. Every byte the register sends is passed on unchanged and in
 * order; whatever the device answers (a printer's status bytes) goes back to the register. While the device
 * cannot be reached the bytes wait in a bounded buffer and the link is dialled again.
 *
 * Outbound TCP (a network printer, port 9100) and serial (a COM-port display or printer) are dialled here;
 * HID devices are refused by the options schema.
 */
import { connect, type Socket } from 'node:net';
import type { Logger } from '../../log/logger';
import type { ForwardTransport } from './options';
import { Timer, type Clock } from './clock';
import { loadSerialport } from '../../transport/serial/backend';

/** An open connection to the device. */
export interface DeviceLink {
  write(bytes: Uint8Array): void;
  onData(fn: (bytes: Buffer) => void): void;
  /** Called once when the link is gone (closed by either side or failed). */
  onClose(fn: (err?: Error) => void): void;
  /** Hands everything written so far to the device, then closes. */
  close(): Promise<void>;
  destroy(): void;
}

export type Dialer = (t: ForwardTransport) => Promise<DeviceLink>;

export function describeTransport(t: ForwardTransport): string {
  switch (t.type) {
    case 'tcp':
      return `tcp ${t.host}:${t.port}`;
    case 'serial':
      return `serial ${t.path}`;
    default:
      return `hid ${t.vendorId.toString(16)}:${t.productId.toString(16)}`;
  }
}

/** Dials TCP and serial devices. */
export const dialDevice: Dialer = (t) => {
  if (t.type === 'tcp') return dialTcp(t.host, t.port);
  if (t.type === 'serial') return dialSerial(t);
  return Promise.reject(new Error('forwarding to a HID device is not available'));
};

function dialTcp(host: string, port: number, timeoutMs = 10_000): Promise<DeviceLink> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host, port });
    const timer = setTimeout(
      () => socket.destroy(new Error(`no connection to ${host}:${port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.setNoDelay(true);
      let closedErr: Error | undefined;
      socket.on('error', (err) => (closedErr = err));
      resolve({
        write: (bytes) => void socket.write(bytes),
        onData: (fn) => void socket.on('data', fn),
        onClose: (fn) => void socket.once('close', () => fn(closedErr)),
        close: () =>
          new Promise<void>((done) => {
            if (socket.destroyed) return done();
            const t = setTimeout(() => socket.destroy(), 10_000);
            socket.once('close', () => {
              clearTimeout(t);
              done();
            });
            socket.end();
          }),
        destroy: () => void socket.destroy(),
      });
    });
  });
}

async function dialSerial(t: Extract<ForwardTransport, { type: 'serial' }>): Promise<DeviceLink> {
  // The serialport library (native) is loaded by the first serial forward only, not with the capture protocols.
  const { SerialPort } = await loadSerialport();
  return new Promise((resolve, reject) => {
    const port = new SerialPort({
      path: t.path,
      baudRate: t.baudRate ?? 9600,
      ...(t.dataBits ? { dataBits: t.dataBits } : {}),
      ...(t.parity ? { parity: t.parity } : {}),
      ...(t.stopBits ? { stopBits: t.stopBits } : {}),
      autoOpen: false,
    });
    port.open((err) => {
      if (err) return reject(err);
      let closedErr: Error | undefined;
      port.on('error', (e: Error) => (closedErr = e));
      resolve({
        write: (bytes) => void port.write(Buffer.from(bytes)),
        onData: (fn) => void port.on('data', fn),
        onClose: (fn) => void port.once('close', () => fn(closedErr)),
        close: () =>
          new Promise<void>((done) => {
            if (!port.isOpen) return done();
            port.drain(() => port.close(() => done()));
          }),
        destroy: () => {
          if (port.isOpen) port.close(() => undefined);
        },
      });
    });
  });
}

export interface ForwarderOptions {
  readonly retryMs: number;
  readonly maxBufferBytes: number;
  readonly log: Logger;
  readonly clock: Clock;
  readonly dial?: Dialer;
  /** How long `end()` waits for an unreachable device before giving up on the buffered bytes. */
  readonly endTimeoutMs?: number;
}

/** One register connection's pass-through to the device: dialled at once, kept in order, re-dialled on failure. */
export class Forwarder {
  private link: DeviceLink | undefined;
  private dialing = false;
  private queue: Buffer[] = [];
  private queued = 0;
  private ending = false;
  private closed = false;
  private dropped = 0;
  private readonly retry: Timer;
  private readonly dataListeners: Array<(b: Buffer) => void> = [];
  private endWaiters: Array<() => void> = [];
  private readonly where: string;

  constructor(
    private readonly transport: ForwardTransport,
    private readonly o: ForwarderOptions,
  ) {
    this.where = describeTransport(transport);
    this.retry = new Timer(o.clock);
    this.dial();
  }

  /** Device answers, for the register. */
  onData(fn: (bytes: Buffer) => void): void {
    this.dataListeners.push(fn);
  }

  write(bytes: Uint8Array): void {
    if (this.closed || bytes.length === 0) return;
    if (this.link && this.queue.length === 0) {
      this.link.write(bytes);
      return;
    }
    this.queue.push(Buffer.from(bytes));
    this.queued += bytes.length;
    while (this.queued > this.o.maxBufferBytes && this.queue.length > 0) {
      const old = this.queue.shift()!;
      this.queued -= old.length;
      this.dropped += old.length;
    }
    if (this.dropped > 0) {
      this.o.log.error(
        { device: this.where, droppedBytes: this.dropped },
        'forward device unreachable: buffer full, oldest bytes dropped',
      );
      this.dropped = 0;
    }
  }

  /** Passes on what is buffered, then closes the device link. Never rejects. */
  end(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.ending = true;
    if (this.link) return this.finish();
    if (this.queued === 0) {
      this.shutdown();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const giveUp = new Timer(this.o.clock);
      giveUp.start(this.o.endTimeoutMs ?? 30_000, () => {
        this.o.log.error(
          { device: this.where, bytes: this.queued },
          'forward device unreachable: buffered bytes not delivered',
        );
        this.shutdown();
        resolve();
      });
      this.endWaiters.push(() => {
        giveUp.stop();
        resolve();
      });
    });
  }

  destroy(): void {
    this.shutdown();
    this.link?.destroy();
  }

  private shutdown(): void {
    this.closed = true;
    this.retry.stop();
    this.queue = [];
    this.queued = 0;
    for (const w of this.endWaiters.splice(0)) w();
  }

  private async finish(): Promise<void> {
    const link = this.link!;
    this.flush();
    this.closed = true;
    this.retry.stop();
    await link.close().catch(() => undefined);
    for (const w of this.endWaiters.splice(0)) w();
  }

  private flush(): void {
    if (!this.link) return;
    for (const b of this.queue) this.link.write(b);
    this.queue = [];
    this.queued = 0;
  }

  private dial(): void {
    if (this.closed || this.dialing) return;
    this.dialing = true;
    (this.o.dial ?? dialDevice)(this.transport).then(
      (link) => {
        this.dialing = false;
        if (this.closed) {
          link.destroy();
          return;
        }
        this.link = link;
        this.o.log.debug({ device: this.where }, 'forward device connected');
        link.onData((b) => {
          for (const fn of this.dataListeners) fn(b);
        });
        link.onClose((err) => {
          if (this.link === link) this.link = undefined;
          if (this.closed) return;
          this.o.log.warn({ device: this.where, err: err?.message }, 'forward device connection lost; dialling again');
          this.retry.start(this.o.retryMs, () => this.dial());
        });
        this.flush();
        if (this.ending) void this.finish();
      },
      (err: Error) => {
        this.dialing = false;
        if (this.closed) return;
        this.o.log.warn({ device: this.where, err: err.message }, 'forward device unreachable; dialling again');
        this.retry.start(this.o.retryMs, () => this.dial());
      },
    );
  }
}

/** Prints bytes on a device through a connection of its own (slips when no register connection is open). */
export async function printOnce(
  transport: ForwardTransport,
  bytes: Uint8Array,
  dial: Dialer = dialDevice,
): Promise<void> {
  const link = await dial(transport);
  link.write(bytes);
  await link.close();
}
