import type { Journal, PaymentRecord } from '../journal/journal';
import type { Logger } from '../log/logger';
import type { Delivery } from './api';
import { crashPoint } from './crash-points';
import type { Lane } from './lane';
import * as lifecycle from './lifecycle';
import type { SettleDecision } from './lifecycle';

/**
 * Settlement: what happens to an approval after the register got it. On two-phase links (IPP) the register's
 * acceptance decides COMPLETE_TX, anything else CANCEL_TX (spec §8.1); on links where an approval is final, a
 * listener's `requireAck` reverses an approval the register never acknowledged. Every decision is recorded, made
 * durable, and only then sent to the terminal — safe to repeat after a crash (recovery settles from the journal).
 */

/** Why an approval the register accepted is completed. */
const ACCEPTED = 'the register accepted the result';

/** How a wait for the register's delivery report ended. */
export type DeliveryWait = Delivery | 'timeout' | 'closed';

/**
 * The register's delivery reports for one running payment: how many handles were given out for it (the submitter and
 * every attached resend) and how many of them could not deliver, reports that came before anyone waited, and the wait.
 */
export class DeliveryWaiter {
  private handles = 1;
  private undeliverable = 0;
  private early: Delivery | undefined;
  private onReport: ((how: Delivery) => void) | undefined;
  private onClose: (() => void) | undefined;
  private closed = false;

  /** Another register connection holds this payment (an attached resend). */
  addHandle(): void {
    this.handles++;
  }

  /** The register adapter's report. One connection gone is not the answer while another may still take it. */
  report(how: Delivery): void {
    if (how === 'undeliverable') this.undeliverable++;
    if (this.onReport) this.onReport(how);
    else this.early = strongerDelivery(this.early, how);
  }

  /**
   * Waits for the register's answer: `timeoutMs` for a report; with `requireAckSeconds`, a written result then waits
   * that long for the acknowledgement (and counts as `written` when none comes).
   */
  wait(requireAckSeconds: number | undefined, timeoutMs: number): Promise<DeliveryWait> {
    if (this.closed) return Promise.resolve('closed');
    return new Promise((resolve) => {
      let ended = false;
      let timer: NodeJS.Timeout | undefined;
      let armed = false;
      const done = (how: DeliveryWait): void => {
        if (ended) return;
        ended = true;
        if (timer) clearTimeout(timer);
        this.onReport = undefined;
        this.onClose = undefined;
        resolve(how);
      };
      const arm = (ms: number): void => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => done(armed && requireAckSeconds !== undefined ? 'written' : 'timeout'), ms);
      };
      this.onReport = (how) => {
        if (how === 'undeliverable' && this.undeliverable < this.handles) return;
        if (how === 'written' && requireAckSeconds !== undefined) {
          // Written, now wait for the register's ack.
          armed = true;
          arm(requireAckSeconds * 1000);
          return;
        }
        done(how);
      };
      this.onClose = () => done('closed');
      arm(timeoutMs);
      if (this.early) this.onReport(this.early);
    });
  }

  /** The bridge is closing: a wait ends now with `closed` (the settlement is left to recovery at the next start). */
  close(): void {
    this.closed = true;
    this.onClose?.();
  }
}

/** A payment being settled: its record (kept current as the settlement is recorded) and its delivery reports. */
export interface Settling {
  record: PaymentRecord;
  readonly delivery: DeliveryWaiter;
}

export interface SettlerOptions {
  readonly journal: Journal;
  readonly log: Logger;
  /** Listener → seconds within which a register must `ack` an approved result, else it is reversed. */
  readonly requireAck: ((listener: string) => number | undefined) | undefined;
  /** How long an approved-open payment waits for the register adapter's delivery report before it is cancelled. */
  readonly deliveryTimeoutMs: number;
  /** The terminal did not take a settlement: try again later (recovery's backoff). */
  readonly retryLater: (lane: Lane) => void;
  /** Reverses an approval that is final on the terminal (the register refused it or never acknowledged it). */
  readonly reverse: (record: PaymentRecord, why: string) => Promise<void>;
  /** A payment changed (receipt stored, watchers told); `receiptChanged: false` when nothing on a receipt did. */
  readonly changed: (record: PaymentRecord, o?: { receiptChanged?: boolean }) => void;
}

export class Settler {
  constructor(private readonly o: SettlerOptions) {}

  /**
   * Records how a result reached the register and passes it on: to the running payment's waiter, or — for an
   * approval already final on a link without two-phase completion that the register rejected — to a reversal.
   */
  async recordDelivery(record: PaymentRecord, how: Delivery, running: Settling | undefined): Promise<void> {
    const { journal } = this.o;
    const at = new Date().toISOString();
    if (how === 'written' || how === 'acknowledged') {
      const steps: lifecycle.Step[] = [];
      if (!record.deliveredAt) steps.push(lifecycle.delivered(at));
      if (how === 'acknowledged' && !record.acknowledgedAt) steps.push(lifecycle.acknowledged(at));
      // A two-phase approval the register has now accepted is decided by this report: the decision goes into the
      // delivery's own commit (one commit less per sale), made durable before COMPLETE_TX goes out (settle).
      const decides = running !== undefined && record.settlement === 'pending' && this.accepts(how, record);
      if (decides) steps.push(lifecycle.settleDecision('complete', ACCEPTED));
      if (steps.length) {
        const updated = journal.updateSteps(record.id, steps, decides ? { durable: 'grouped' } : {});
        if (running) running.record = updated;
      }
    } else {
      journal.note(record.id, {
        type: how === 'rejected' ? 'rejected_by_register' : how === 'held' ? 'held_for_register' : 'undeliverable',
      });
    }
    crashPoint('after_delivery');
    if (running) {
      running.delivery.report(how);
    } else if (
      how === 'rejected' &&
      record.outcome === 'approved' &&
      record.settlement === null &&
      !record.reversedBy
    ) {
      // Approved and final on a link without two-phase completion: the register refused it → reverse it.
      await this.o.reverse(record, 'the register rejected the approved result');
      this.o.changed(journal.get(record.id)!);
      return;
    }
    // Delivery and acknowledgement change nothing a receipt shows.
    this.o.changed(journal.get(record.id)!, { receiptChanged: false });
  }

  /** IPP §8.1: the register's acceptance decides COMPLETE_TX, anything else CANCEL_TX. */
  async afterDelivery(lane: Lane, payment: Settling): Promise<void> {
    const listenerAck = this.requireAckSecondsFor(payment.record);
    const how = await payment.delivery.wait(listenerAck, this.o.deliveryTimeoutMs);
    if (how === 'closed') return;
    const decision: SettleDecision =
      how === 'held' || ((how === 'acknowledged' || how === 'written') && this.accepts(how, payment.record))
        ? 'complete'
        : 'cancel';
    const why =
      how === 'held'
        ? 'the register did not confirm the result; it can ask for it again'
        : decision === 'complete'
          ? ACCEPTED
          : how === 'written'
            ? `the register did not acknowledge within ${listenerAck} s`
            : how === 'rejected'
              ? 'the register rejected the result'
              : how === 'undeliverable'
                ? 'the register was not connected to receive the approval'
                : 'no delivery report from the register';
    await this.settle(lane, payment.record, decision, why, payment);
  }

  /** Links without two-phase completion: enforce requireAck by reversing an approved result the register never acknowledged. */
  async afterFinalApproval(payment: Settling): Promise<void> {
    const ackSeconds = this.requireAckSecondsFor(payment.record);
    if (ackSeconds === undefined || payment.record.kind === 'reversal' || payment.record.kind === 'preauth_cancel')
      return;
    const how = await payment.delivery.wait(ackSeconds, this.o.deliveryTimeoutMs);
    if (how === 'acknowledged' || how === 'closed') return;
    // The reversal is queued on the lane behind this payment: schedule it without awaiting.
    void this.o.reverse(
      payment.record,
      how === 'written'
        ? `the register did not acknowledge within ${ackSeconds} s`
        : 'the register did not receive the result',
    );
  }

  /** Records the decision, then acts on it, then records that it was done. Safe to repeat after a crash. */
  async settle(
    lane: Lane,
    record: PaymentRecord,
    decision: SettleDecision,
    why: string,
    payment?: Settling,
  ): Promise<boolean> {
    const { journal } = this.o;
    // The running payment's decision may already be recorded, with the register's delivery report (recordDelivery).
    let current =
      payment && record.settlement === decision
        ? record
        : lifecycle.apply(journal, record.id, lifecycle.settleDecision(decision, why), { durable: 'grouped' });
    if (payment) payment.record = current;
    // Write before act: the decision is on disk before COMPLETE_TX / CANCEL_TX goes out.
    await journal.durable();
    crashPoint('after_settle_decision');
    const r = await lane.driver
      .settle(current.driverRef!, decision)
      .catch((e: unknown) => ({ ok: false, message: (e as Error).message, nothingOpen: false }));
    if (!r.ok && !r.nothingOpen) {
      journal.note(record.id, { type: 'settle_failed', data: { decision, message: r.message } });
      this.o.retryLater(lane);
      return false;
    }
    current = lifecycle.apply(journal, record.id, lifecycle.settled(current, decision, why, r.message));
    if (decision === 'cancel')
      this.o.log.warn({ ref: record.ref, terminal: record.terminal }, `approved payment reversed: ${why}`);
    if (payment) payment.record = current;
    // Completing changes nothing a receipt shows; a cancel turns the approval into a reversal.
    this.o.changed(current, { receiptChanged: decision === 'cancel' });
    return true;
  }

  /** The documented rule after a crash: complete only what the register accepted; otherwise cancel (spec §8.1). */
  decisionFromJournal(r: PaymentRecord): SettleDecision {
    if (r.settlement === 'complete' || r.settlement === 'cancel') return r.settlement;
    const needsAck = this.requireAckSecondsFor(r) !== undefined;
    if (r.acknowledgedAt || (r.deliveredAt && !needsAck)) return 'complete';
    return 'cancel';
  }

  /** Whether this report is the register's acceptance of the result: an ack, or a written result where none is required. */
  private accepts(how: 'written' | 'acknowledged', record: PaymentRecord): boolean {
    return how === 'acknowledged' || this.requireAckSecondsFor(record) === undefined;
  }

  private requireAckSecondsFor(record: PaymentRecord): number | undefined {
    // The listener is not stored per payment; the register identity's listener part is its prefix.
    const listener = record.register.split('/')[0] ?? record.register;
    return this.o.requireAck?.(listener);
  }
}

function strongerDelivery(a: Delivery | undefined, b: Delivery): Delivery {
  const rank: Record<Delivery, number> = { undeliverable: 0, held: 1, written: 2, rejected: 3, acknowledged: 4 };
  return a === undefined || rank[b] >= rank[a] ? b : a;
}
