/**
 * An open HID-to-UART cable as the bridge's ByteStream: writes are split into output reports (framing.ts) and
 * written one after another; input reports are joined back into bytes. A device error (cable pulled) ends the
 * stream with a DeviceError "unplugged" and then 'close'. Reports that are not well-formed data reports are
 * skipped and reported through `onProblem` (logged by the caller); they never end the stream.
 */
import { EventEmitter } from 'node:events';
import type { ByteStream } from '../byte-stream';
import { DeviceError, errorText, firstLine } from '../usb/device-error';
import type { HidHandle } from './backend';
import { decodeReport, encodeReports, type HidReportFormat } from './framing';

interface HidStreamEvents {
  data: [Buffer];
  error: [Error];
  close: [];
  end: [];
}

export class HidByteStream extends EventEmitter<HidStreamEvents> implements ByteStream {
  private closedFlag = false;
  private closing: Promise<void> | undefined;
  private failed = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly handle: HidHandle,
    private readonly format: HidReportFormat,
    /** "hid 10C4:EA80 /dev/hidraw3" */
    readonly description: string,
    private readonly onProblem: (problem: string) => void = () => undefined,
  ) {
    super();
    handle.on('data', (report: Buffer) => {
      if (this.closedFlag) return;
      const { payload, problem } = decodeReport(report, this.format);
      if (problem) this.onProblem(problem);
      if (payload.length > 0) this.emit('data', payload);
    });
    handle.on('error', (err: Error) => this.fail(this.unplugged(err)));
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  write(chunk: Uint8Array, cb?: (err?: Error | null) => void): boolean {
    if (this.closedFlag || this.closing) {
      const err = new DeviceError('unplugged', `${this.description} is closed`);
      if (cb) queueMicrotask(() => cb(err));
      return false;
    }
    const reports = encodeReports(chunk, this.format);
    this.writing = this.writing.then(async () => {
      try {
        for (const r of reports) {
          if (this.closedFlag) throw new DeviceError('unplugged', `${this.description} is closed`);
          await this.handle.write(r);
        }
        cb?.(null);
      } catch (e) {
        const err = e instanceof DeviceError ? e : this.unplugged(e instanceof Error ? e : new Error(String(e)));
        cb?.(err);
        this.fail(err);
      }
    });
    return true;
  }

  /** Sends what is queued, then closes. */
  end(): this {
    if (this.closedFlag || this.closing) return this;
    void this.writing.then(() => this.destroy());
    return this;
  }

  destroy(): this {
    if (this.closedFlag || this.closing) return this;
    this.closing = this.handle
      .close()
      .catch(() => undefined)
      .then(() => this.finish());
    return this;
  }

  private unplugged(err: Error): DeviceError {
    return new DeviceError(
      'unplugged',
      `${this.description} went away (unplugged?): ${firstLine(errorText(err))}`,
      errorText(err),
    );
  }

  private fail(err: Error): void {
    if (this.failed || this.closedFlag) return;
    this.failed = true;
    if (this.listenerCount('error') > 0) this.emit('error', err);
    this.destroy();
  }

  private finish(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.emit('close');
  }
}
