/**
 * One link between the simulated terminal and a client: a TCP socket or an attached byte stream (serial line).
 * Keeps the link's framing state and lets the terminal write, drop or close it without ever throwing.
 */
import { abortiveClose, type ClosableSocket } from '../../transport/abortive-close';
import type { ByteStream } from '../../transport/byte-stream';
import { IppFrameSplitter } from './ipp-frames';

/** One link to a client: a TCP socket or an attached byte stream (serial). */
export class SimConnection {
  readonly frames = new IppFrameSplitter();
  closed = false;
  /** The client half-closed (TCP FIN): answer what is under way, then close our side too. */
  inputEnded = false;
  partialTimer: NodeJS.Timeout | undefined;
  private readonly closeWaiters: Array<() => void> = [];

  constructor(
    readonly id: number,
    readonly stream: ByteStream,
    /** Whether "dropping" the link means closing it (TCP) or just not answering (serial port). */
    readonly closable: boolean,
  ) {}

  write(bytes: Buffer): boolean {
    if (this.closed) return false;
    try {
      this.stream.write(bytes);
      return true;
    } catch {
      return false;
    }
  }

  drop(): void {
    if (this.closable) this.destroy();
  }

  end(): void {
    if (this.closed) return;
    try {
      this.stream.end();
    } catch {
      /* already gone */
    }
  }

  destroy(): void {
    if (this.closed) return;
    try {
      // A TCP socket closes with a reset; a serial port (no reset) just closes.
      abortiveClose(this.stream as ByteStream & ClosableSocket);
    } catch {
      /* already gone */
    }
    this.markClosed();
  }

  markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.partialTimer) clearTimeout(this.partialTimer);
    for (const w of this.closeWaiters.splice(0)) w();
  }

  markInputEnded(): void {
    this.inputEnded = true;
    for (const w of this.closeWaiters.splice(0)) w();
  }

  /** Resolves when the client closes the link or stops sending (half-close). */
  whenGone(): Promise<void> {
    if (this.closed || this.inputEnded) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }
}
