/**
 * The PT's side of the ZVT master/slave rule (zvt.md §4) on one connection: which command is being served, our
 * replies (80 00 00 / 84 xx 00), and the messages the register must answer (04 FF, 04 0F, 06 D1/D3, 06 0F, 06 1E) —
 * sent one at a time, in order, each waiting up to its timer (T3, or the goods-issue timeout) for 80 00 / 84 xx. An
 * expired T3 or a transmission error loses the operation and drops the link (on TCP the socket closes).
 */
import type { Logger } from '../../log/logger';
import { commandName, isPositiveReply, type Apdu } from './apdu';
import type { ApduLink } from './link';
import { ACK_APDU } from './messages';
import type { ZvtResult } from './result-codes';
import type { TimerHandle, Timers } from './timers';

/** How the register answered one of our messages. */
export type EcrAnswer =
  | { kind: 'answer'; apdu: Apdu }
  | { kind: 'timeout' }
  | { kind: 'closed' }
  | { kind: 'transmission'; message: string }
  /** The register sent Abort (06 B0) while we waited for its answer to 04 0F. */
  | { kind: 'aborted' };

/** One command being served; while it exists the PT holds master rights (or is about to). */
export interface Operation {
  readonly name: string;
  /** The register cannot be reached any more for this operation: say nothing more. */
  lost: boolean;
  /** We answered 80 00 00 to a command that hands master rights to us: it must end with 06 0F or 06 1E. */
  master: boolean;
}

interface Pending {
  readonly op: Operation;
  /** Our closing message (06 0F / 06 1E): its answer hands master rights back. */
  readonly final: boolean;
  resolve(a: EcrAnswer): void;
}

export interface DialogueSetup {
  readonly link: ApduLink;
  readonly timers: Timers;
  readonly log: Logger;
  /** T3: how long the register may take to answer one of our messages. */
  readonly t3Ms: number;
  /** 06 1E for a result code (the session adds its currency and texts). */
  readonly abortMessage: (r: ZvtResult) => Buffer;
  /** The operation was lost (T3, transmission error): a running payment is cancelled before the link drops. */
  readonly onLost: () => void;
}

export class EcrDialogue {
  /** The command being served, if any. */
  current: Operation | undefined;
  private pending: Pending | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly s: DialogueSetup) {}

  /** The link is gone: nothing more can be said. */
  get closed(): boolean {
    return this.s.link.closed;
  }

  /** An answer (80 00 / 84 xx) from the register to the message it was waiting on. */
  onReply(a: Apdu): void {
    const p = this.pending;
    if (!p) {
      this.s.log.debug({ reply: commandName(a) }, 'reply without a pending message ignored');
      return;
    }
    // Master rights go back with the answer to our closing message: a command right behind it is served.
    if (p.final && this.current === p.op) this.current = undefined;
    p.resolve({ kind: 'answer', apdu: a });
  }

  /** The connection closed: the operation is lost and the message waiting for an answer gets none. */
  onClosed(): void {
    if (this.current) this.current.lost = true;
    this.pending?.resolve({ kind: 'closed' });
  }

  /** The register aborted (06 B0) while we waited for its answer to 04 0F. */
  abortPending(): void {
    this.pending?.resolve({ kind: 'aborted' });
  }

  /** 80 00 00 to a command that hands master rights to us (§4). */
  accept(op: Operation): Promise<void> {
    op.master = true;
    return this.reply(ACK_APDU);
  }

  /** A reply to a register command (80 00 00 / 84 xx 00): sent, never answered. */
  async reply(bytes: Buffer): Promise<void> {
    if (this.s.link.closed) return;
    try {
      await this.s.link.send(bytes);
    } catch (e) {
      this.s.log.warn({ reason: (e as Error).message }, 'reply could not be sent');
    }
  }

  /** A reply that ends the command (84 xx refusals, Log-Off): master rights never left the register, so the next
   *  command may follow at once. */
  finalReply(op: Operation, bytes: Buffer): Promise<void> {
    if (this.current === op) this.current = undefined;
    return this.reply(bytes);
  }

  /** Our closing message (06 0F / 06 1E): returns true when the register acknowledged it. */
  async close(op: Operation, bytes: Buffer): Promise<boolean> {
    const ans = await this.exchange(op, bytes, this.s.t3Ms, true);
    return this.checkAnswer(op, ans) && ans.kind === 'answer' && isPositiveReply(ans.apdu);
  }

  /** 06 1E with a result code (and our CC with 6F, TLV 1F16/1F17 with a text). */
  finishAbort(op: Operation, r: ZvtResult): Promise<boolean> {
    return this.close(op, this.s.abortMessage(r));
  }

  /** False when the register did not answer (T3, transmission error, link closed); the operation is then lost. */
  checkAnswer(op: Operation, ans: EcrAnswer): boolean {
    if (ans.kind === 'timeout') {
      this.lose(op, `no answer within T3 (${this.s.t3Ms} ms)`);
      return false;
    }
    if (ans.kind === 'transmission') {
      this.lose(op, ans.message);
      return false;
    }
    return ans.kind !== 'closed';
  }

  /** §4: an expired T3 (or a transmission error) aborts the operation; on TCP the socket is closed. */
  lose(op: Operation, reason: string): void {
    if (op.lost) return;
    op.lost = true;
    this.s.log.warn({ command: op.name, reason }, 'register stopped answering: operation aborted');
    this.s.onLost();
    this.s.link.drop();
  }

  /** A message the register must answer with 80 00 / 84 xx; sent one at a time, in order. */
  exchange(op: Operation, bytes: Buffer, timeoutMs: number, final = false): Promise<EcrAnswer> {
    const run = this.chain.then(() => this.exchangeNow(op, bytes, timeoutMs, final));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private exchangeNow(op: Operation, bytes: Buffer, timeoutMs: number, final: boolean): Promise<EcrAnswer> {
    if (this.s.link.closed || op.lost) return Promise.resolve({ kind: 'closed' });
    return new Promise<EcrAnswer>((resolve) => {
      let timer: TimerHandle | undefined;
      let done = false;
      const entry: Pending = {
        op,
        final,
        resolve: (answer) => {
          if (done) return;
          done = true;
          timer?.cancel();
          if (this.pending === entry) this.pending = undefined;
          resolve(answer);
        },
      };
      this.pending = entry;
      this.s.link.send(bytes).then(
        () => {
          // The register's timer runs from when the message reached it (serial: from the ACK).
          if (!done) timer = this.s.timers.after(timeoutMs, () => entry.resolve({ kind: 'timeout' }));
        },
        (e: unknown) => entry.resolve({ kind: 'transmission', message: (e as Error).message }),
      );
    });
  }
}
