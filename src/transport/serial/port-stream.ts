/**
 * An open serial port as the bridge's ByteStream. It forwards bytes both ways and turns the library's events into
 * what the rest of the bridge can act on: a port that disappears (USB cable pulled, Bluetooth link lost, terminal
 * switched off) ends with a DeviceError "unplugged" naming the port, then 'close'. `end()` sends what is queued,
 * then closes the port; `destroy()` closes it at once. Serial ports have no half-close, so 'end' is never emitted.
 */
import { EventEmitter } from 'node:events';
import type { ByteStream } from '../byte-stream';
import { DeviceError, errorText, firstLine } from '../usb/device-error';
import type { RawSerialPort } from './backend';

interface SerialStreamEvents {
  data: [Buffer];
  error: [Error];
  close: [];
  end: [];
}

export class SerialByteStream extends EventEmitter<SerialStreamEvents> implements ByteStream {
  private closedFlag = false;
  private failed = false;

  constructor(
    private readonly port: RawSerialPort,
    readonly path: string,
  ) {
    super();
    port.on('data', (chunk: Buffer) => this.emit('data', chunk));
    port.on('error', (err: Error) => this.fail(this.translate(err)));
    port.on('close', (...args: unknown[]) => {
      const err = args[0] as (Error & { disconnected?: boolean }) | undefined;
      if (err?.disconnected) this.fail(this.unplugged(err));
      this.finish();
    });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  get isOpen(): boolean {
    return !this.closedFlag && this.port.isOpen;
  }

  write(chunk: Uint8Array, cb?: (err?: Error | null) => void): boolean {
    if (this.closedFlag) {
      const err = new DeviceError('unplugged', `serial port ${this.path} is closed`);
      if (cb) queueMicrotask(() => cb(err));
      return false;
    }
    try {
      this.port.write(chunk, (err?: Error | null) => cb?.(err ? this.translate(err) : null));
    } catch (e) {
      const err = this.translate(e instanceof Error ? e : new Error(String(e)));
      if (cb) queueMicrotask(() => cb(err));
    }
    return true;
  }

  end(): this {
    if (this.closedFlag) return this;
    this.port.drain(() => this.destroy());
    return this;
  }

  destroy(): this {
    if (this.closedFlag) return this;
    if (this.port.isOpen) this.port.close(() => this.finish());
    else {
      try {
        this.port.destroy();
      } catch {
        /* already gone */
      }
      this.finish();
    }
    return this;
  }

  /** Sets DTR/RTS; resolves false (with the reason) where the device cannot (a pty: "Inappropriate ioctl"). */
  setLines(flags: { dtr?: boolean; rts?: boolean }): Promise<{ ok: boolean; reason?: string }> {
    return new Promise((resolve) => {
      try {
        this.port.set(flags, (err) => resolve(err ? { ok: false, reason: firstLine(errorText(err)) } : { ok: true }));
      } catch (e) {
        resolve({ ok: false, reason: firstLine(errorText(e)) });
      }
    });
  }

  private unplugged(err: Error): DeviceError {
    return new DeviceError(
      'unplugged',
      `serial port ${this.path} went away (unplugged, out of Bluetooth range or switched off)`,
      errorText(err),
    );
  }

  private translate(err: Error): Error {
    if (err instanceof DeviceError) return err;
    if (
      /EIO|i\/o error|bad file descriptor|ENXIO|no such device|disconnected|device not configured|not open/i.test(
        err.message,
      )
    ) {
      return this.unplugged(err);
    }
    return new DeviceError('failed', `serial port ${this.path}: ${firstLine(err.message)}`, err.message);
  }

  private fail(err: Error): void {
    if (this.failed || this.closedFlag) return;
    this.failed = true;
    // EventEmitter throws an 'error' nobody listens to; a serial failure must never crash the process.
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  private finish(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.emit('close');
  }
}
