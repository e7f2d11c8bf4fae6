/**
 * The ECR17 link on one connection — ecr17.md §2 (LRC modes and their detection, ACK/NAK frames) and §3 (every
 * application frame answered with ACK or NAK, up to three resends on NAK or silence, progress frames outside the
 * acknowledgement logic). The session decides ACK or NAK for a frame whose LRC is good (it must decode it first);
 * the link NAKs by itself a frame whose LRC matches no mode, and a frame cut short.
 */
import type { ByteStream } from '../../transport/byte-stream';
import { realTimers, type TimerHandle, type Timers } from '../zvt/timers';
import { FrameReader, ackFrame, frame, nakFrame, progressFrame } from './framing';
import { modeOf, type LrcMode } from './lrc';

/**
 * The LRC coverage of one register (§2 detection): the mode the first frame's LRC matches is used at once; two
 * consistent frames fix it. A frame that matches no mode is NAKed, and so is, once fixed, a frame in another mode —
 * a single-bit error in bits 0 or 1 mimics another mode — unless three in a row agree on the same other mode (the
 * register was reconfigured): then that mode is learnt instead.
 */
export class LrcLearner {
  private fixedMode: LrcMode | undefined;
  private candidate: LrcMode | undefined;
  private agreeing = 0;
  private other: { mode: LrcMode; count: number } | undefined;

  constructor(private readonly configured: LrcMode | 'auto') {
    if (configured !== 'auto') this.fixedMode = configured;
  }

  /** The mode our frames use: the learnt or configured one, the candidate while learning, else `std`. */
  get mode(): LrcMode {
    return this.fixedMode ?? this.candidate ?? 'std';
  }

  get learnt(): boolean {
    return this.fixedMode !== undefined;
  }

  /** Checks a received frame; `ok` false means NAK it. `mode` is the mode to answer this frame in. */
  check(message: Uint8Array, lrcByte: number): { ok: boolean; mode: LrcMode; changed?: LrcMode } {
    const m = modeOf(message, lrcByte);
    if (this.configured !== 'auto') return { ok: m === this.configured, mode: this.configured };
    if (m === undefined) return { ok: false, mode: this.mode };
    if (this.fixedMode !== undefined) {
      if (m === this.fixedMode) {
        this.other = undefined;
        return { ok: true, mode: m };
      }
      this.other = this.other?.mode === m ? { mode: m, count: this.other.count + 1 } : { mode: m, count: 1 };
      if (this.other.count < 3) return { ok: false, mode: this.fixedMode };
      this.fixedMode = m;
      this.other = undefined;
      return { ok: true, mode: m, changed: m };
    }
    if (this.candidate === m) this.agreeing++;
    else {
      this.candidate = m;
      this.agreeing = 1;
    }
    if (this.agreeing >= 2) {
      this.fixedMode = m;
      return { ok: true, mode: m, changed: m };
    }
    return { ok: true, mode: m };
  }
}

export type SendOutcome =
  /** The register acknowledged the frame. */
  | 'acked'
  /** NAK or silence after every resend. */
  | 'unacknowledged'
  /** The register sent a new command instead of acknowledging: it has moved on. */
  | 'superseded'
  | 'closed';

export interface LinkEvents {
  /** A frame with a good LRC: the session decodes it and answers `ack` or `nak`. */
  message(message: Buffer): void;
  /** A frame the link NAKed itself (bad LRC, cut short, unfinished); for the log. */
  rejected(reason: string): void;
  /** A new LRC mode was learnt; for the log. */
  learnt?(mode: LrcMode): void;
  closed(): void;
}

export interface LinkOptions {
  readonly ackTimeoutMs: number;
  readonly retries: number;
  readonly frameTimeoutMs: number;
  readonly timers?: Timers;
}

interface PendingSend {
  resolve(outcome: SendOutcome): void;
}

export class Ecr17Link {
  private readonly reader = new FrameReader();
  private readonly timers: Timers;
  private stall: TimerHandle | undefined;
  private pending: PendingSend | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private closedFlag = false;
  /** Mode of the frame being answered (ACK/NAK go back in the mode the frame came in). */
  private answerMode: LrcMode;

  constructor(
    private readonly stream: ByteStream,
    private readonly lrc: LrcLearner,
    private readonly events: LinkEvents,
    private readonly options: LinkOptions,
  ) {
    this.timers = options.timers ?? realTimers;
    this.answerMode = lrc.mode;
    const onData = (chunk: Buffer): void => this.onData(chunk);
    const onClose = (): void => {
      if (this.closedFlag) return;
      this.closedFlag = true;
      this.stall?.cancel();
      stream.off('data', onData);
      this.pending?.resolve('closed');
      events.closed();
    };
    stream.on('data', onData);
    stream.on('close', onClose);
    stream.on('error', () => onClose());
    // A register that closes its side has ended the conversation: close ours too.
    stream.on('end', () => {
      onClose();
      stream.destroy();
    });
    this.onCloseHook = onClose;
  }

  private readonly onCloseHook: () => void;

  get closed(): boolean {
    return this.closedFlag;
  }

  private onData(chunk: Buffer): void {
    let frames;
    try {
      frames = this.reader.push(chunk);
    } catch {
      this.reader.discard();
      return;
    }
    this.stall?.cancel();
    this.stall = undefined;
    if (this.reader.pending > 0) {
      this.stall = this.timers.after(this.options.frameTimeoutMs, () => {
        this.stall = undefined;
        const n = this.reader.discard();
        if (n > 0 && !this.closedFlag) {
          this.events.rejected(`unfinished frame (${n} bytes) dropped after ${this.options.frameTimeoutMs} ms`);
          this.write(nakFrame(this.lrc.mode));
        }
      });
    }
    for (const f of frames) {
      switch (f.type) {
        case 'ack':
          this.pending?.resolve('acked');
          break;
        case 'nak':
          this.pendingNak?.();
          break;
        case 'broken':
          this.events.rejected(f.reason);
          this.write(nakFrame(this.lrc.mode));
          break;
        case 'message': {
          const c = this.lrc.check(f.message, f.check);
          if (c.changed) this.events.learnt?.(c.changed);
          if (!c.ok) {
            this.events.rejected(
              `LRC ${hex(f.check)} does not match ${this.lrc.learnt ? `the register's mode (${this.lrc.mode})` : 'any LRC mode'}`,
            );
            this.write(nakFrame(c.mode));
            break;
          }
          this.answerMode = c.mode;
          this.events.message(f.message);
          break;
        }
      }
    }
  }

  private pendingNak: (() => void) | undefined;

  /** ACK the frame just received. */
  ack(): void {
    this.write(ackFrame(this.answerMode));
  }

  /** NAK the frame just received (unknown code, wrong terminal ID, bad layout, busy). */
  nak(): void {
    this.write(nakFrame(this.answerMode));
  }

  /** A progress frame (SOH … EOT): never acknowledged. */
  progress(text: string): void {
    this.write(progressFrame(text));
  }

  /** Sends an application message and waits for its acknowledgement, resending on NAK or silence (§3). */
  send(message: string): Promise<SendOutcome> {
    const run = this.chain.then(() => this.sendNow(message));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** The register sent a new command while we waited for its ACK: stop resending. */
  supersede(): void {
    this.pending?.resolve('superseded');
  }

  /** Ends the TCP connection (after the final acknowledgement of a payment, §1). */
  end(): void {
    if (this.closedFlag) return;
    try {
      this.stream.end();
    } catch {
      this.stream.destroy();
    }
  }

  /** Gives up the connection at once. */
  drop(): void {
    if (this.closedFlag) return;
    this.stream.destroy();
    this.onCloseHook();
  }

  private sendNow(message: string): Promise<SendOutcome> {
    if (this.closedFlag) return Promise.resolve('closed');
    return new Promise<SendOutcome>((resolve) => {
      let tries = 0;
      let timer: TimerHandle | undefined;
      let done = false;
      const finish = (o: SendOutcome): void => {
        if (done) return;
        done = true;
        timer?.cancel();
        if (this.pending === entry) this.pending = undefined;
        this.pendingNak = undefined;
        resolve(o);
      };
      const attempt = (): void => {
        if (done) return;
        if (this.closedFlag) return finish('closed');
        if (tries > this.options.retries) return finish('unacknowledged');
        tries++;
        timer?.cancel();
        this.write(frame(message, this.lrc.mode));
        timer = this.timers.after(this.options.ackTimeoutMs, attempt);
      };
      const entry: PendingSend = { resolve: finish };
      this.pending = entry;
      this.pendingNak = attempt;
      attempt();
    });
  }

  private write(bytes: Buffer): void {
    if (this.closedFlag) return;
    try {
      this.stream.write(bytes);
    } catch {
      // a failed write shows up as a missing ACK, or as the connection closing
    }
  }
}

function hex(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, '0');
}
