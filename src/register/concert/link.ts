/**
 * The Concert link protocol — read beside concert.md §3. Half-duplex: one session carries one message in one
 * direction, opened with ENQ and closed with EOT.
 *
 * Register → bridge (steps 1–5):            Bridge → register (steps 7–11):
 *   ECR ENQ          bridge ACK               bridge ENQ               ECR ACK   (2 s, ENQ repeated 3 times)
 *   ECR STX…ETX LRC  bridge ACK or NAK        bridge STX…ETX LRC       ECR ACK   (2 s, frame repeated 3 times)
 *   ECR EOT          → the request is served   bridge EOT
 *
 * Receiving: a frame with a bad parity, a bad LRC, a byte outside printable ASCII, a wrong length (the validator
 * says which lengths are right) or a gap of more than 3 s between its bytes is NAKed and the register may send it
 * again; after three NAKs in one session the link goes back to idle. A frame received again after our ACK (the
 * register did not hear it) is ACKed again and delivered once. EOT right after our ACK to ENQ closes an empty
 * session (pyTelium's liveness probe). The request is handed on only at the register's EOT: a register that never
 * closes the session has not learnt that we took it, so it is dropped after `eotWaitMs`.
 *
 * While `ready()` is false (a transaction runs, or the myPOS terminal is unreachable) an ENQ is not acknowledged
 * (`busyEnq`: silence by default, or NAK, or EOT) and nothing else the register sends is taken.
 *
 * Control characters are recognised with bit 7 cleared, so that they are read with or without a parity bit (§1,
 * §12 question 7). The LRC is read by position, never as a control character.
 */
import {
  ACK,
  checkFrame,
  ENQ,
  EOT,
  ETX,
  frameMessage,
  MAX_MESSAGE_BYTES,
  NAK,
  onLine,
  STX,
  type FrameFault,
  type LineMode,
} from './framing';
import { delay, realTimers, type TimerHandle, type Timers } from '../zvt/timers';

export interface ConcertLinkEvents {
  /** A request message the register sent and closed with EOT. */
  request(message: Buffer): void;
  /** A frame was NAKed. */
  rejected(fault: FrameFault | 'length', detail: string): void;
  /** Something worth a log line: an empty session, a dropped request, an unanswered ENQ. */
  note(text: string): void;
}

export interface ConcertLinkOptions {
  readonly line: 'auto' | LineMode;
  readonly controlParity: boolean;
  readonly busyEnq: 'silent' | 'nak' | 'eot';
  readonly turnaroundMs: number;
  readonly enqAckTimeoutMs: number;
  readonly enqRepeats: number;
  readonly frameAckTimeoutMs: number;
  readonly frameRepeats: number;
  readonly interByteTimeoutMs: number;
  readonly frameWaitMs: number;
  readonly eotWaitMs: number;
  readonly maxFrameFailures: number;
  /** Whether a request would be taken now (ENQ gets ACK). */
  readonly ready: () => boolean;
  /** Why a message (with good parity and LRC) is not a request, or undefined when it is one. */
  readonly validate: (message: Buffer) => string | undefined;
  readonly timers?: Timers;
}

/** How an answer session ended. */
export type SendOutcome =
  /** The register ACKed the answer frame: the commit point. */
  | 'acknowledged'
  /** The register never ACKed our ENQ (after the repeats). */
  | 'no-enq-ack'
  /** The register did not ACK the frame (NAK or silence after the repeats). */
  | 'no-frame-ack'
  /** The port went away. */
  | 'closed';

type State = 'idle' | 'awaitFrame' | 'frame' | 'lrc' | 'awaitEot' | 'sending';

export class ConcertLink {
  private state: State = 'idle';
  private raw: number[] = [];
  private failures = 0;
  private acked: Buffer | undefined;
  private timer: TimerHandle | undefined;
  private waiter: ((byte: number | undefined) => void) | undefined;
  private closed = false;
  private readonly timers: Timers;
  /** The line of the register's last good frame (auto), or the configured one. */
  private mode: LineMode;

  constructor(
    private readonly write: (bytes: Buffer) => void,
    private readonly events: ConcertLinkEvents,
    private readonly o: ConcertLinkOptions,
  ) {
    this.timers = o.timers ?? realTimers;
    this.mode = o.line === 'auto' ? '8N1' : o.line;
  }

  /** The line mode answers are sent in. */
  get lineMode(): LineMode {
    return this.mode;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  push(chunk: Uint8Array): void {
    for (const b of chunk) this.byte(b);
  }

  close(): void {
    this.closed = true;
    this.clearTimer();
    this.waiter?.(undefined);
    this.state = 'idle';
  }

  /**
   * Sends one message in its own session (steps 7–11). `beforeEot` runs once the register ACKed the frame and
   * before the closing EOT (the journal records the commit first).
   */
  async send(message: string, beforeEot?: () => Promise<void>): Promise<SendOutcome> {
    if (this.closed) return 'closed';
    this.resetReceive();
    this.state = 'sending';
    try {
      if (this.o.turnaroundMs > 0) await delay(this.timers, this.o.turnaroundMs);
      let ready = false;
      for (let i = 0; i <= this.o.enqRepeats && !ready; i++) {
        if (this.closed) return 'closed';
        ready = (await this.exchange(Buffer.from([ENQ]), this.o.enqAckTimeoutMs)) === ACK;
      }
      if (!ready) {
        this.out(Buffer.from([EOT]));
        return this.closed ? 'closed' : 'no-enq-ack';
      }
      const frame = frameMessage(message);
      for (let i = 0; i <= this.o.frameRepeats; i++) {
        if (this.closed) return 'closed';
        if ((await this.exchange(frame, this.o.frameAckTimeoutMs)) === ACK) {
          if (beforeEot) await beforeEot().catch(() => undefined);
          this.out(Buffer.from([EOT]));
          return 'acknowledged';
        }
      }
      this.out(Buffer.from([EOT]));
      return this.closed ? 'closed' : 'no-frame-ack';
    } finally {
      if (this.state === 'sending') this.state = 'idle';
    }
  }

  /** Writes `bytes` and resolves with the register's ACK or NAK, or undefined after `ms`. */
  private exchange(bytes: Buffer, ms: number): Promise<number | undefined> {
    return new Promise((resolve) => {
      const t = this.timers.after(ms, () => finish(undefined));
      const finish = (b: number | undefined): void => {
        t.cancel();
        this.waiter = undefined;
        resolve(b);
      };
      this.waiter = finish;
      this.out(bytes);
    });
  }

  // ---- receiving ----------------------------------------------------------------------------------------------

  private byte(b: number): void {
    const c = b & 0x7f;
    switch (this.state) {
      case 'sending':
        if (c === ACK || c === NAK) this.waiter?.(c);
        return;
      case 'idle':
        if (c === ENQ) this.onEnq();
        // A frame without ENQ is served as if the ENQ had been acknowledged (unless busy).
        else if (c === STX && this.o.ready()) this.startFrame(b);
        return;
      case 'awaitFrame':
        if (c === STX) this.startFrame(b);
        else if (c === EOT) {
          this.events.note('empty session (ENQ, ACK, EOT)');
          this.toIdle();
        } else if (c === ENQ) this.onEnq();
        return;
      case 'frame':
        if (b === ETX) {
          // ETX has an even number of one bits: it is 03 on the wire in 7E1 and in 8N1 alike.
          this.raw.push(b);
          this.state = 'lrc';
          this.armGap();
        } else if (c === STX) {
          this.startFrame(b); // the register started the frame again
        } else if (this.raw.length > MAX_MESSAGE_BYTES) {
          this.nak('too-long', `frame longer than ${MAX_MESSAGE_BYTES} bytes`);
        } else {
          this.raw.push(b);
          this.armGap();
        }
        return;
      case 'lrc':
        this.raw.push(b);
        this.endFrame();
        return;
      case 'awaitEot':
        if (c === EOT) {
          const message = this.acked!;
          this.toIdle();
          this.events.request(message);
        } else if (c === STX) this.startFrame(b);
        else if (c === ENQ) {
          this.events.note('ENQ instead of EOT: the register starts again; the request it sent is dropped');
          this.onEnq();
        }
        return;
    }
  }

  private onEnq(): void {
    if (!this.o.ready()) {
      this.events.note(
        `ENQ while not ready: ${this.o.busyEnq === 'silent' ? 'no answer' : this.o.busyEnq.toUpperCase()}`,
      );
      this.toIdle();
      if (this.o.busyEnq === 'nak') this.out(Buffer.from([NAK]));
      else if (this.o.busyEnq === 'eot') this.out(Buffer.from([EOT]));
      return;
    }
    this.resetReceive();
    this.state = 'awaitFrame';
    this.out(Buffer.from([ACK]));
    this.arm(this.o.frameWaitMs, () => this.toIdle());
  }

  private startFrame(b: number): void {
    this.raw = [b];
    this.state = 'frame';
    this.armGap();
  }

  private endFrame(): void {
    const raw = Uint8Array.from(this.raw);
    this.raw = [];
    const check = checkFrame(raw, this.o.line === 'auto' ? undefined : this.o.line);
    if (!check.ok) {
      this.nak(check.fault, check.detail);
      return;
    }
    const wrong = this.o.validate(check.message);
    if (wrong !== undefined) {
      this.nak('length', wrong);
      return;
    }
    this.mode = check.mode;
    // The same frame again after our ACK (the register did not hear it): ACKed again, delivered once.
    this.acked = check.message;
    this.failures = 0;
    this.state = 'awaitEot';
    this.out(Buffer.from([ACK]));
    this.arm(this.o.eotWaitMs, () => {
      this.events.note(`no EOT within ${this.o.eotWaitMs} ms after the request was acknowledged: request dropped`);
      this.toIdle();
    });
  }

  private nak(fault: FrameFault | 'length', detail: string): void {
    this.raw = [];
    this.failures++;
    this.out(Buffer.from([NAK]));
    this.events.rejected(fault, detail);
    if (this.failures >= this.o.maxFrameFailures) {
      this.events.note(`${this.failures} frames refused in one session: back to idle`);
      this.toIdle();
      return;
    }
    this.state = 'awaitFrame';
    this.acked = undefined;
    this.arm(this.o.frameWaitMs, () => this.toIdle());
  }

  private armGap(): void {
    this.arm(this.o.interByteTimeoutMs, () =>
      this.nak('gap', `no byte within ${this.o.interByteTimeoutMs} ms inside a frame`),
    );
  }

  private arm(ms: number, fn: () => void): void {
    this.clearTimer();
    this.timer = this.timers.after(ms, () => {
      this.timer = undefined;
      if (!this.closed) fn();
    });
  }

  private clearTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private resetReceive(): void {
    this.clearTimer();
    this.raw = [];
    this.acked = undefined;
    this.failures = 0;
  }

  private toIdle(): void {
    this.resetReceive();
    this.state = 'idle';
  }

  private out(bytes: Buffer): void {
    if (this.closed) return;
    try {
      this.write(onLine(bytes, this.mode, this.o.controlParity));
    } catch {
      // A failed write shows up as a missing ACK and ends the session like silence.
    }
  }
}
