/**
 * Keeps one device open: opens it, hands the open stream on, and when it closes (cable pulled, terminal switched
 * off, read error) opens it again — after a short pause that doubles on every failed attempt up to a cap, or at
 * once when the USB layer reports that something was plugged in. Used by serial and HID register listeners.
 *
 * Each distinct failure is logged once at warn level in plain words (e.g. "permission denied … dialout"); the same
 * failure repeating is logged at debug level only, so an unplugged cable does not flood the log.
 */
import { EventEmitter } from 'node:events';
import type { ByteStream } from '../byte-stream';
import type { Logger } from '../../log/logger';
import { silentLogger } from '../../log/logger';
import { errorText } from './device-error';

/** Runs `fn` after `ms`; returns a function that cancels it. Injectable so tests can drive the backoff. */
export type After = (ms: number, fn: () => void) => () => void;

export const realAfter: After = (ms, fn) => {
  const t = setTimeout(fn, ms);
  t.unref?.();
  return () => clearTimeout(t);
};

export type SupervisorState = 'opening' | 'open' | 'waiting' | 'closed';

export interface DeviceSupervisorOptions {
  /** "serial /dev/ttyUSB0", "hid 10C4:EA80" — for logs and the status page. */
  readonly description: string;
  readonly open: () => Promise<ByteStream>;
  /** Called with every stream that was opened (the first, and each after a re-open). */
  readonly onStream: (stream: ByteStream) => void;
  /** First pause before trying again; doubles per failure. Default 1000 ms. */
  readonly minDelayMs?: number;
  /** Longest pause. Default 30 s. */
  readonly maxDelayMs?: number;
  /** Subscribes to "a USB device was plugged in"; an event ends the pause at once. Returns an unsubscribe function. */
  readonly plugEvents?: (onAttach: () => void) => () => void;
  readonly after?: After;
  readonly log?: Logger;
}

export interface DeviceSupervisorEvents {
  open: [ByteStream];
  /** The open stream went away (unplugged, closed, failed). */
  lost: [Error | undefined];
  /** An attempt to open failed; another follows after `delayMs`. */
  failed: [Error, number];
}

export class DeviceSupervisor extends EventEmitter<DeviceSupervisorEvents> {
  private stateValue: SupervisorState = 'waiting';
  private current: ByteStream | undefined;
  private cancelWait: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private delay: number;
  private lastLogged: string | undefined;
  private lastErrorValue: Error | undefined;
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private readonly after: After;
  private readonly log: Logger;

  constructor(private readonly o: DeviceSupervisorOptions) {
    super();
    this.minDelay = o.minDelayMs ?? 1000;
    this.maxDelay = Math.max(this.minDelay, o.maxDelayMs ?? 30_000);
    this.delay = this.minDelay;
    this.after = o.after ?? realAfter;
    this.log = o.log ?? silentLogger();
  }

  get state(): SupervisorState {
    return this.stateValue;
  }

  /** The last reason the device could not be opened or was lost; cleared when it is open. */
  get lastError(): Error | undefined {
    return this.lastErrorValue;
  }

  get stream(): ByteStream | undefined {
    return this.current;
  }

  /** Starts the first attempt (does not wait for it). */
  start(): void {
    if (this.stateValue === 'closed') return;
    if (this.o.plugEvents && !this.unsubscribe) {
      try {
        this.unsubscribe = this.o.plugEvents(() => this.wake());
      } catch (e) {
        this.log.debug(
          { device: this.o.description, err: errorText(e) },
          'USB plug events are not available; re-opening on a timer only',
        );
      }
    }
    void this.attempt();
  }

  /** Ends a pause and tries again now (a USB device was plugged in, or an operator asked). */
  wake(): void {
    if (this.stateValue !== 'waiting') return;
    this.cancelWait?.();
    this.cancelWait = undefined;
    // Something was plugged in: if this attempt comes too early (the port node appears a moment after the USB
    // device), the next one follows after the shortest pause, not after a long backoff.
    this.delay = this.minDelay;
    void this.attempt();
  }

  async close(): Promise<void> {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    this.cancelWait?.();
    this.cancelWait = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    const s = this.current;
    this.current = undefined;
    if (s) await destroyAndWait(s);
  }

  private async attempt(): Promise<void> {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'opening';
    let stream: ByteStream;
    try {
      stream = await this.o.open();
    } catch (e) {
      if (this.isClosed()) return;
      const err = e instanceof Error ? e : new Error(String(e));
      this.lastErrorValue = err;
      const wait = this.delay;
      this.delay = Math.min(this.delay * 2, this.maxDelay);
      this.report(err, wait);
      this.emit('failed', err, wait);
      this.pause(wait);
      return;
    }
    if (this.isClosed()) {
      await destroyAndWait(stream);
      return;
    }
    this.delay = this.minDelay;
    this.lastErrorValue = undefined;
    if (this.lastLogged !== undefined) this.log.info({ device: this.o.description }, 'device open again');
    this.lastLogged = undefined;
    this.current = stream;
    this.stateValue = 'open';
    let failure: Error | undefined;
    const onError = (err: Error): void => {
      failure ??= err;
      // A device error ends the stream; 'close' follows and re-opening starts from there.
      try {
        stream.destroy();
      } catch {
        /* already gone */
      }
    };
    const onClose = (err?: unknown): void => {
      stream.off('error', onError);
      stream.off('close', onClose);
      if (this.current !== stream) return;
      this.current = undefined;
      const reason = failure ?? (err instanceof Error ? err : undefined);
      this.lastErrorValue = reason;
      this.emit('lost', reason);
      if (this.stateValue === 'closed') return;
      this.log.warn(
        { device: this.o.description, err: reason ? errorText(reason) : undefined },
        'device closed; opening it again',
      );
      this.lastLogged = 'lost';
      this.pause(this.minDelay);
    };
    stream.on('error', onError);
    stream.on('close', onClose);
    this.emit('open', stream);
    this.o.onStream(stream);
  }

  /** A method, not a field read: the state changes while an attempt awaits. */
  private isClosed(): boolean {
    return this.stateValue === 'closed';
  }

  private pause(ms: number): void {
    this.stateValue = 'waiting';
    this.cancelWait = this.after(ms, () => {
      this.cancelWait = undefined;
      void this.attempt();
    });
  }

  private report(err: Error, wait: number): void {
    const text = errorText(err);
    const fields = { device: this.o.description, err: text, retryInMs: wait };
    if (text !== this.lastLogged) this.log.warn(fields, 'device not available');
    else this.log.debug(fields, 'device still not available');
    this.lastLogged = text;
  }
}

/** Destroys a stream and waits (briefly) for its 'close', so the OS handle is free when this resolves. */
export function destroyAndWait(stream: ByteStream, maxWaitMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, maxWaitMs);
    t.unref?.();
    function done(): void {
      clearTimeout(t);
      stream.off('close', done);
      resolve();
    }
    const flag = stream as unknown as { destroyed?: boolean; closed?: boolean; isOpen?: boolean };
    if (flag.closed === true || (flag.destroyed === true && flag.isOpen === false)) return done();
    stream.on('close', done);
    stream.on('error', () => undefined);
    try {
      stream.destroy();
    } catch {
      done();
    }
  });
}
