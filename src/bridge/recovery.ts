import type { Journal, PaymentRecord } from '../journal/journal';
import type { Logger } from '../log/logger';
import type { TerminalOutcome } from '../terminal/driver';
import type { Lane } from './lane';
import * as lifecycle from './lifecycle';
import type { Settler } from './settlement';

/**
 * Recovery: payments left unfinished (by a crash, a lost answer, a settlement the terminal did not take) are resolved by
 * asking the terminal before the lane takes anything new. A lane that still has some in doubt tries again later, with
 * a delay doubling from `minMs` up to `maxMs`.
 */
export interface RecoveryOptions {
  readonly journal: Journal;
  readonly log: Logger;
  readonly settler: Settler;
  /** True while the payment runs on its lane (recovery leaves it to its run). */
  readonly isRunning: (paymentId: string) => boolean;
  /** A payment changed (receipt stored, watchers told). */
  readonly changed: (record: PaymentRecord) => void;
  readonly minMs: number;
  readonly maxMs: number;
}

export class Recovery {
  /** Per lane: the next retry's timer and the delay after it. */
  private readonly backoff = new Map<Lane, { timer: NodeJS.Timeout | undefined; delay: number }>();
  private closed = false;

  constructor(private readonly o: RecoveryOptions) {}

  /** Resolves every unfinished payment of a lane, in the lane's queue ahead of new work. */
  async recoverLane(lane: Lane, atStart: boolean): Promise<void> {
    await lane
      .run(async () => {
        lane.beginRecovery();
        let unresolved = 0;
        try {
          for (const r of this.o.journal.unresolved(lane.id)) {
            if (this.o.isRunning(r.id)) continue;
            if (!(await this.recoverOne(lane, r))) unresolved++;
          }
        } finally {
          lane.endRecovery(atStart);
        }
        if (unresolved > 0) this.schedule(lane);
        else this.backoffOf(lane).delay = this.o.minMs;
      }, true)
      .catch(() => {
        // A failure here (the journal refusing a write) leaves the payments unresolved: the next start asks again.
      });
  }

  /** Resolves one unfinished payment by asking the terminal; false when it stays in doubt. */
  async recoverOne(lane: Lane, r: PaymentRecord): Promise<boolean> {
    const { journal, settler } = this.o;
    if (r.outcome === null && !r.driverRef) {
      lifecycle.apply(journal, r.id, lifecycle.neverSent(r));
      this.o.changed(journal.get(r.id)!);
      return true;
    }
    if (r.settlement !== null && r.outcome === 'approved') {
      return settler.settle(
        lane,
        r,
        settler.decisionFromJournal(r),
        r.settlement === 'pending'
          ? 'the bridge restarted before the register accepted the approval'
          : 'settlement decided before the restart',
      );
    }
    journal.note(r.id, { type: 'recovery_lookup' });
    let found: TerminalOutcome | undefined;
    try {
      found = await lane.driver.lookup({
        kind: r.kind,
        reference: r.bridgeRef,
        ...(r.driverRef ? { driverRef: r.driverRef } : {}),
        amount: r.amount,
      });
    } catch (e) {
      this.o.log.warn({ err: e, ref: r.ref }, 'recovery lookup failed');
    }
    if (!found || found.outcome === 'in_doubt') {
      if (r.outcome !== 'in_doubt') {
        lifecycle.apply(journal, r.id, lifecycle.inDoubt(r));
        this.o.changed(journal.get(r.id)!);
      }
      return false;
    }
    const step = lifecycle.recovered(r, found);
    const updated = lifecycle.apply(journal, r.id, step);
    if (found.outcome === 'approved' && updated.originalId) lifecycle.markOriginal(journal, updated);
    this.o.changed(updated);
    if (step.settlement)
      return settler.settle(
        lane,
        updated,
        'cancel',
        'the approval reached the bridge only through recovery, after the register had stopped waiting',
      );
    return true;
  }

  /**
   * Status 20 on a new request (spec §8.2). The terminal refuses new work while a transaction of ours is open on it:
   * one whose settlement was decided but not done, or one still in doubt (its answer was lost; the terminal may hold it
   * approved and waiting for COMPLETE_TX).
   * The first is settled as decided, the second is looked up and decided by the documented rule (recoverOne).
   * 'cleared' when every such transaction was dealt with; 'unknown' when the journal has none on this terminal.
   */
  async settleOpenOnTerminal(lane: Lane, exceptId: string): Promise<'cleared' | 'failed' | 'unknown'> {
    const { journal, settler } = this.o;
    const open = journal.unresolved(lane.id).filter((r) => r.id !== exceptId && r.driverRef);
    if (open.length === 0) return 'unknown';
    let ok = true;
    for (const r of open) {
      const done =
        r.settlement !== null
          ? await settler.settle(lane, r, settler.decisionFromJournal(r), 'an open transaction blocked the terminal')
          : await this.recoverOne(lane, r);
      ok = done && ok;
    }
    return ok ? 'cleared' : 'failed';
  }

  /** Recovers the lane again after the current delay (doubling up to the maximum); once at a time per lane. */
  schedule(lane: Lane): void {
    const b = this.backoffOf(lane);
    if (this.closed || b.timer) return;
    const wait = b.delay;
    b.delay = Math.min(b.delay * 2, this.o.maxMs);
    b.timer = setTimeout(() => {
      b.timer = undefined;
      void this.recoverLane(lane, false);
    }, wait);
    b.timer.unref();
  }

  /** Runs recovery for these lanes now (operator action, tests). */
  async now(lanes: Lane[]): Promise<void> {
    await Promise.all(
      lanes.map((lane) => {
        this.cancelTimer(lane);
        return this.recoverLane(lane, false);
      }),
    );
  }

  /** The bridge is closing: no retry is scheduled any more. */
  close(): void {
    this.closed = true;
    for (const lane of this.backoff.keys()) this.cancelTimer(lane);
  }

  private cancelTimer(lane: Lane): void {
    const b = this.backoffOf(lane);
    if (b.timer) clearTimeout(b.timer);
    b.timer = undefined;
  }

  private backoffOf(lane: Lane): { timer: NodeJS.Timeout | undefined; delay: number } {
    let b = this.backoff.get(lane);
    if (!b) {
      b = { timer: undefined, delay: this.o.minMs };
      this.backoff.set(lane, b);
    }
    return b;
  }
}
