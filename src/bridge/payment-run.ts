import { BridgeError } from '../domain/errors';
import type { PaymentResult } from '../domain/payment';
import { STAGE_MESSAGES, isFinalOutcome, type Stage } from '../domain/vocabulary';
import type { Durability, Journal, PaymentRecord } from '../journal/journal';
import type { Logger } from '../log/logger';
import type { TerminalCommand, TerminalOutcome } from '../terminal/driver';
import type { CancelAnswer, PaymentHandle, PaymentObserver } from './api';
import { crashPoint } from './crash-points';
import type { Lane } from './lane';
import * as lifecycle from './lifecycle';
import type { Recovery } from './recovery';
import type { Settler } from './settlement';
import { Job } from './job';

/**
 * Running one payment on its lane: the terminal is the payment's until its outcome is settled. BUSY answers are
 * retried, a terminal holding an open transaction has it finished first, a lost answer is looked up at once, and the
 * outcome is recorded (durable) before the register hears it.
 */

/** Where a committed outcome waits, as the payment was before it, until the journal has made it durable (queries.ts). */
export interface OutcomeOverlay {
  hold(before: PaymentRecord): void;
  release(id: string): void;
}

export interface StageEvent {
  id: string;
  ref: string;
  register: string;
  terminal: string;
  stage: Stage;
  message: string;
}

export interface PaymentRunOptions {
  readonly journal: Journal;
  readonly log: Logger;
  readonly settler: Settler;
  readonly recovery: Recovery;
  readonly overlay: OutcomeOverlay;
  /** A payment changed (receipt stored, watchers told). */
  readonly changed: (record: PaymentRecord) => void;
  /** Progress of a payment, for the status page. */
  readonly onStage: (e: StageEvent) => void;
  readonly busyRetries: number;
  readonly busyBackoffMs: number;
  /** After a lost answer: how many immediate lookups before the result is in_doubt, and the delay step between them. */
  readonly inDoubtLookups: number;
  readonly inDoubtLookupDelayMs: number;
}

export class PaymentRunner {
  private readonly jobs = new Map<string, Job>();
  private closed = false;

  constructor(private readonly o: PaymentRunOptions) {}

  /** The running (or queued) payment with this journal id. */
  running(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** Queues a recorded intent on its lane (a reversal goes first: it voids the terminal's last transaction). */
  start(lane: Lane, record: PaymentRecord, observer: PaymentObserver | undefined, urgent: boolean): Job {
    const job = new Job(record, lane, observer);
    this.jobs.set(record.id, job);
    this.o.changed(record);
    this.progress(job, 'queued');
    lane.queue.push(() => this.run(job), job, urgent);
    lane.announce();
    return job;
  }

  /** A resend of a known ref: it follows the running payment, or gets the recorded result. */
  attach(existing: PaymentRecord, observer: PaymentObserver | undefined): PaymentHandle {
    const job = this.jobs.get(existing.id);
    if (job) {
      if (observer) job.observers.add(observer);
      job.delivery.addHandle();
      this.o.journal.note(existing.id, { type: 'attached' });
      return { id: existing.id, attached: true, result: job.promise };
    }
    const current = this.o.journal.get(existing.id)!;
    this.o.journal.note(existing.id, { type: 'resent_known_result' });
    return { id: existing.id, attached: true, result: Promise.resolve(lifecycle.resultOf(current)) };
  }

  /** A register's cancel: withdrawn while queued, aborted while running, or too late. */
  async cancel(record: PaymentRecord): Promise<CancelAnswer> {
    const job = this.jobs.get(record.id);
    if (job && !job.started && job.lane.queue.withdraw(job)) {
      this.finish(job, {
        outcome: 'cancelled',
        fields: {},
        message: 'Cancelled by the register before it reached the terminal',
        cancelTookEffect: true,
      });
      job.lane.announce();
      return {
        tookEffect: true,
        pending: false,
        message: 'Cancelled before it reached the terminal; nothing was charged',
        outcome: 'cancelled',
      };
    }
    if (job && job.record.settlement === null && !isFinalOutcome(job.record.outcome)) {
      job.cancelRequested = true;
      this.o.journal.note(record.id, { type: 'cancel_requested' });
      job.abort.abort();
      const result = await job.promise;
      const took = result.cancelTookEffect === true;
      return {
        tookEffect: took,
        pending: false,
        outcome: result.outcome,
        message: took ? 'Cancelled; nothing was charged' : `Too late: the payment is ${result.outcome}`,
      };
    }
    const current = this.o.journal.get(record.id)!;
    if (current.outcome === 'in_doubt') {
      return {
        tookEffect: false,
        pending: false,
        outcome: 'in_doubt',
        message: 'The payment is in doubt; the bridge is asking the terminal. Ask status later.',
      };
    }
    return {
      tookEffect: false,
      pending: false,
      ...(current.outcome ? { outcome: current.outcome } : {}),
      message:
        current.outcome === 'approved'
          ? 'Too late: the payment is approved; send a reversal to undo it'
          : `Too late: the payment is ${current.outcome ?? current.stage}`,
    };
  }

  /** The bridge is closing: waits for delivery end now (their settlement is left to recovery), no more lookups. */
  close(): void {
    this.closed = true;
    for (const job of this.jobs.values()) job.delivery.close();
  }

  /** Progress: recorded (once per change), told to the payment's observers and the status page. */
  private progress(job: Job, stage: Stage, message?: string): void {
    const text = message ?? STAGE_MESSAGES[stage];
    if (job.lastStage === stage && job.lastMessage === text) return;
    job.lastStage = stage;
    job.lastMessage = text;
    if (job.record.stage !== stage) {
      // Progress only: recovery decides on intent, driver reference, outcome and settlement, never on the stage. It
      // rides on the journal's next commit instead of taking one of its own (journal.progress).
      this.o.journal.progress(job.record.id, lifecycle.stage(stage, text).event);
      job.record = { ...job.record, stage };
    }
    for (const o of job.observers) {
      try {
        o.stage?.({ ref: job.record.ref, stage, message: text });
      } catch (e) {
        this.o.log.warn({ err: e, ref: job.record.ref }, 'stage observer failed');
      }
    }
    const r = job.record;
    this.o.onStage({ id: r.id, ref: r.ref, register: r.register, terminal: r.terminal, stage, message: text });
  }

  /** One payment on its lane: the terminal is this job's until the outcome is settled. */
  private async run(job: Job): Promise<void> {
    const { lane } = job;
    const { journal, settler, recovery } = this.o;
    job.started = true;
    lane.beginJob(job.record.ref);
    try {
      let outcome = await this.execute(job);
      for (
        let attempt = 0;
        outcome.refused?.code === 'terminal_busy' && attempt < this.o.busyRetries && !job.abort.signal.aborted;
        attempt++
      ) {
        journal.note(job.record.id, { type: 'terminal_busy', data: { attempt: attempt + 1 } });
        await delay(this.o.busyBackoffMs * 2 ** attempt);
        outcome = await this.execute(job);
      }
      if (outcome.refused?.code === 'not_completed_last_tx') {
        journal.note(job.record.id, { type: 'terminal_has_open_transaction' });
        const open = await recovery.settleOpenOnTerminal(lane, job.record.id);
        outcome =
          open === 'cleared'
            ? await this.execute(job)
            : {
                ...outcome,
                message:
                  open === 'unknown'
                    ? 'The terminal holds an unfinished transaction the bridge does not know; finish or cancel it on the terminal'
                    : 'The terminal holds an unfinished earlier transaction that the bridge knows but could not finish yet (the terminal did not confirm); send the payment again: the bridge finishes that one first',
              };
      }
      if (outcome.outcome === 'in_doubt') outcome = await this.lookupNow(job, outcome);
      if (job.abort.signal.aborted && outcome.refused) {
        outcome = {
          ...outcome,
          outcome: 'cancelled',
          cancelTookEffect: true,
          message: 'Cancelled by the register; nothing was charged',
        };
      }
      await this.finishGrouped(job, outcome);
      if (outcome.needsSettlement && outcome.outcome === 'approved') await settler.afterDelivery(lane, job);
      else if (outcome.outcome === 'approved' && outcome.needsSettlement !== true)
        await settler.afterFinalApproval(job);
      if (job.record.outcome === 'in_doubt') recovery.schedule(lane);
    } catch (e) {
      if (e instanceof BridgeError && !job.record.driverRef) {
        // The driver refused the command before sending anything (e.g. not the terminal's last transaction).
        this.o.log.warn({ ref: job.record.ref, code: e.code }, e.message);
        this.finish(job, {
          outcome: 'failed',
          fields: {},
          message: e.message,
          refused: { code: e.code, status: e.code, retryable: false },
        });
        return;
      }
      this.o.log.error({ err: e, ref: job.record.ref }, 'payment failed inside the bridge');
      if (!isFinalOutcome(job.record.outcome) && job.record.outcome !== 'in_doubt') {
        this.finish(job, {
          outcome: job.record.driverRef ? 'in_doubt' : 'failed',
          fields: {},
          message: job.record.driverRef
            ? 'The bridge lost track of the payment; asking the terminal'
            : `The bridge could not send the payment: ${(e as Error).message}`,
        });
        if (job.record.driverRef) recovery.schedule(lane);
      }
    } finally {
      this.jobs.delete(job.record.id);
      lane.endJob();
    }
  }

  private async execute(job: Job): Promise<TerminalOutcome> {
    if (job.abort.signal.aborted) {
      return {
        outcome: 'cancelled',
        fields: {},
        cancelTookEffect: true,
        message: 'Cancelled by the register before it reached the terminal',
      };
    }
    return job.lane.driver.execute(this.commandOf(job.record), {
      signal: job.abort.signal,
      stage: (stage, message) => this.progress(job, stage, message),
      beforeSend: async (driverRef) => {
        job.record = lifecycle.apply(this.o.journal, job.record.id, lifecycle.sent(driverRef), { durable: 'grouped' });
        // Write before act: the intent and the driver reference are on disk before the driver writes its first byte.
        await this.o.journal.durable();
        crashPoint('after_send_commit');
        this.progress(job, 'sent');
      },
    });
  }

  private commandOf(record: PaymentRecord): TerminalCommand {
    const base = {
      kind: record.kind,
      reference: record.bridgeRef,
      amount: record.amount,
      ...(record.tip ? { tip: record.tip } : {}),
    };
    if (!record.originalId) return base;
    const original = this.o.journal.get(record.originalId)!;
    return {
      ...base,
      original: {
        reference: original.bridgeRef,
        ...(original.driverRef ? { driverRef: original.driverRef } : {}),
        ...(original.result?.preauthCode ? { preauthCode: original.result.preauthCode } : {}),
        amount: original.amount,
      },
    };
  }

  /**
   * The answer was lost (link dropped, timer expired): ask the terminal right away, a few times, while the
   * register is still waiting, before handing it an in_doubt result (spec §8.3: GET_STATUS after a lost answer).
   * Not while the bridge closes: recovery asks at the next start.
   */
  private async lookupNow(job: Job, lostOutcome: TerminalOutcome): Promise<TerminalOutcome> {
    const driverRef = lostOutcome.driverRef ?? job.record.driverRef ?? undefined;
    this.o.journal.note(job.record.id, { type: 'answer_lost', data: { message: lostOutcome.message } });
    this.progress(job, 'recovering');
    for (let attempt = 0; attempt < this.o.inDoubtLookups && !this.closed; attempt++) {
      if (attempt > 0) await delay(this.o.inDoubtLookupDelayMs * attempt);
      try {
        const found = await job.lane.driver.lookup({
          kind: job.record.kind,
          reference: job.record.bridgeRef,
          ...(driverRef ? { driverRef } : {}),
          amount: job.record.amount,
        });
        if (found && found.outcome !== 'in_doubt') {
          this.o.journal.note(job.record.id, {
            type: 'recovered_by_lookup',
            data: { outcome: found.outcome, attempt: attempt + 1 },
          });
          return {
            ...found,
            ...(driverRef ? { driverRef } : {}),
            ...(job.cancelRequested ? { cancelTookEffect: found.outcome !== 'approved' } : {}),
          };
        }
      } catch (e) {
        this.o.log.warn({ err: e, ref: job.record.ref }, 'lookup after a lost answer failed');
      }
    }
    return lostOutcome;
  }

  /** Records the outcome (committed with its own fsync) and only then hands the result to the register. */
  private finish(job: Job, outcome: TerminalOutcome): void {
    crashPoint('after_terminal_outcome');
    const recorded = this.recordOutcome(job, outcome, true);
    crashPoint('after_outcome_commit');
    this.announceOutcome(job, outcome, recorded);
  }

  /**
   * The same on the sale's own path, with group commit: the outcome is committed, the journal's group flush made
   * durable (awaited, off the JavaScript thread, shared with the other lanes), and only then the register hears it.
   * Should the disk refuse the flush, the register hears in_doubt: the terminal's answer is known but not safely
   * recorded, so the payment must not be taken again before it is checked.
   */
  private async finishGrouped(job: Job, outcome: TerminalOutcome): Promise<void> {
    crashPoint('after_terminal_outcome');
    const before = job.record;
    const recorded = this.recordOutcome(job, outcome, 'grouped');
    // Until the flush, whoever asks about this payment (a register's status request, a receipt) sees it as before.
    this.o.overlay.hold(before);
    try {
      await this.o.journal.durable();
    } catch (e) {
      this.o.log.error({ err: e, ref: job.record.ref }, 'the outcome could not be made durable in the journal');
      const message = `The terminal answered ${outcome.outcome}, but the bridge could not record it on disk (${(e as Error).message}); check the payment on the terminal before taking it again`;
      job.resolve({ ...recorded.result, outcome: 'in_doubt', message });
      // Nothing more is done for it here (no completion on the terminal); the journal is in trouble and says so.
      throw e;
    } finally {
      this.o.overlay.release(before.id);
    }
    crashPoint('after_outcome_commit');
    this.announceOutcome(job, outcome, recorded);
  }

  private recordOutcome(
    job: Job,
    outcome: TerminalOutcome,
    durable: Durability,
  ): { result: PaymentResult; stage: Stage; settlement: 'pending' | null } {
    const step = lifecycle.outcome(job.record, outcome);
    job.record = lifecycle.apply(this.o.journal, job.record.id, step, { durable });
    if (outcome.outcome === 'approved' && job.record.originalId) lifecycle.markOriginal(this.o.journal, job.record);
    return step;
  }

  private announceOutcome(
    job: Job,
    outcome: TerminalOutcome,
    { result, stage, settlement }: { result: PaymentResult; stage: Stage; settlement: 'pending' | null },
  ): void {
    this.o.changed(job.record);
    for (const o of job.observers) {
      try {
        o.stage?.({ ref: job.record.ref, stage, message: settlement ? STAGE_MESSAGES.approved_open : outcome.message });
      } catch {
        // observers are best effort
      }
    }
    job.resolve(result);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
