import { EventEmitter } from 'node:events';
import { BridgeError } from '../domain/errors';
import type { PaymentRequest } from '../domain/payment';
import { opClassOf } from '../domain/settlement';
import type { TransactionKind } from '../domain/vocabulary';
import type { Journal, PaymentRecord } from '../journal/journal';
import type { Logger } from '../log/logger';
import { DayReports, type DayQuery, type EndOfDayReport } from '../reports/day-reports';
import type { HostAccess } from '../reports/host';
import type { DayTotals } from '../reports/totals';
import type { ReconciliationReport } from '../reports/reconcile';
import type {
  BridgeApi,
  CancelAnswer,
  Delivery,
  PaymentHandle,
  PaymentObserver,
  PaymentView,
  RegisterIdentity,
  TerminalView,
} from './api';
import { Admissions, checkRef } from './admission';
import { crashPoint } from './crash-points';
import { Lane, Lanes } from './lane';
import { PaymentRunner } from './payment-run';
import { Queries } from './queries';
import { Recovery } from './recovery';
import { Settler } from './settlement';
import { viewOf } from './views';
import type { BridgeEvents, BridgeOptions } from './options';

export type { BridgeEvents, BridgeOptions, BridgeTerminal } from './options';

/**
 * The bridge: one lane per terminal, write before act, idempotent refs, two-phase settlement and recovery. This file
 * is the facade that builds the lanes and wires the steps of a payment's life together (docs/architecture.md):
 *
 *   admission.ts → payment-run.ts (on lane.ts) → settlement.ts → recovery.ts, all recording through lifecycle.ts;
 *   queries.ts answers what registers and the status page ask.
 *
 * Order of every payment (each step committed to the journal before the next one happens):
 *   intent (queued) → driver reference (sent) → stages → outcome → result handed to the register →
 *   delivery reported by the register adapter → settlement decision → settlement done.
 * After a restart, `start()` asks each terminal about every unresolved payment before the lane takes new work.
 */

export class Bridge extends EventEmitter<BridgeEvents> implements BridgeApi {
  readonly version: string;
  /** End of day, reconciliation and receipts over the journal. */
  readonly reports: DayReports;
  private readonly journal: Journal;
  private readonly log: Logger;
  private readonly lanes = new Lanes();
  private readonly admissions: Admissions;
  private readonly runner: PaymentRunner;
  private readonly recovery: Recovery;
  private readonly settler: Settler;
  private readonly queries: Queries;
  private readonly healthIntervalMs: number;
  private readonly probeIntervalMs: number | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: BridgeOptions) {
    super();
    const { journal, log } = options;
    this.version = options.version;
    this.journal = journal;
    this.log = log;
    this.healthIntervalMs = options.healthIntervalMs ?? 30_000;
    this.probeIntervalMs = options.probeIntervalMs;
    this.reports = new DayReports(journal, () => this.hostAccess(), options.reports ?? {});
    if (options.terminals.length === 0) throw new BridgeError('config_invalid', 'at least one terminal is needed');
    const changed = (record: PaymentRecord, o?: { receiptChanged?: boolean }): void => this.changed(record, o);
    this.settler = new Settler({
      journal,
      log,
      requireAck: options.requireAck,
      deliveryTimeoutMs: options.deliveryTimeoutMs ?? 300_000,
      retryLater: (lane) => this.recovery.schedule(lane),
      reverse: (record, why) => this.autoReversal(record, why),
      changed,
    });
    this.recovery = new Recovery({
      journal,
      log,
      settler: this.settler,
      isRunning: (id) => this.runner.running(id) !== undefined,
      changed,
      minMs: options.recoveryMinMs ?? 2000,
      maxMs: options.recoveryMaxMs ?? 60_000,
    });
    this.queries = new Queries({
      journal,
      reports: this.reports,
      receiptDefaults: options.receiptDefaults ?? {},
      isRunning: (id) => this.runner.running(id) !== undefined,
    });
    this.runner = new PaymentRunner({
      journal,
      log,
      settler: this.settler,
      recovery: this.recovery,
      overlay: this.queries.overlay,
      changed,
      onStage: (e) => void this.emit('stage', e),
      busyRetries: options.busyRetries ?? 3,
      busyBackoffMs: options.busyBackoffMs ?? 1000,
      inDoubtLookups: options.inDoubtLookups ?? 3,
      inDoubtLookupDelayMs: options.inDoubtLookupDelayMs ?? 1000,
    });
    for (const t of options.terminals) {
      const lane: Lane = new Lane({
        id: t.driver.info.id,
        driver: t.driver,
        currency: t.currency ?? t.driver.info.currency,
        log,
        onChange: (view) => void this.emit('terminal', view),
        onBackOnline: () => {
          if (journal.unresolved(lane.id).length > 0) this.recovery.schedule(lane);
        },
      });
      this.lanes.add(lane);
    }
    this.admissions = new Admissions(journal, this.lanes);
  }

  /** Recovery first, per terminal, then the lanes take new work. Resolves when every terminal was asked once. */
  async start(): Promise<void> {
    const lanes = this.lanes.all();
    await Promise.all(lanes.map((lane) => this.recovery.recoverLane(lane, true)));
    if (this.healthIntervalMs > 0) {
      this.healthTimer = setInterval(() => void this.checkHealth(), this.healthIntervalMs);
      this.healthTimer.unref();
    }
    void this.checkHealth();
    for (const lane of lanes)
      lane.startProbing(this.probeIntervalMs ?? (this.healthIntervalMs > 0 ? lane.driver.info.probeIntervalMs : 0));
  }

  /**
   * Stops the bridge before the journal closes: no timer fires any more, payments waiting for the register's delivery
   * report stop waiting (their settlement is decided by recovery at the next start, as after a crash), queued work that
   * has not started is dropped, the drivers are closed, and this resolves once the work running on each lane has ended
   * — so nothing writes to the journal after it.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.recovery.close();
    this.runner.close();
    const lanes = this.lanes.all();
    const idle = lanes.map((lane) => lane.stop());
    await Promise.all(lanes.map((l) => l.driver.close().catch(() => undefined)));
    await Promise.all(idle);
  }

  // ---------------------------------------------------------------- payments

  async submit(who: RegisterIdentity, request: PaymentRequest, observer?: PaymentObserver): Promise<PaymentHandle> {
    const admission = this.admissions.admit(who, request);
    if ('known' in admission) return this.attach(admission.known, request, observer);
    const { lane, ref, opClass, amount, tip, originalId } = admission.admitted;
    let record: PaymentRecord;
    try {
      // Grouped: made durable with the driver reference before the first byte goes to the terminal (beforeSend).
      const environment = lane.driver.info.environment;
      record = this.journal.insertIntent(
        {
          register: who.register,
          ref,
          kind: request.kind,
          amount,
          tip,
          terminal: lane.id,
          ...(originalId ? { originalId } : {}),
          ...(environment ? { environment } : {}),
        },
        { durable: 'grouped' },
      );
    } catch (e) {
      // Two connections raced with the same ref: the loser attaches to the winner.
      const again = this.journal.findByRef(who.register, ref, opClass);
      if (again) return this.attach(again, request, observer);
      throw e;
    }
    crashPoint('after_intent');
    // A reversal voids the terminal's last transaction: it goes ahead of queued payments so that it still is.
    const job = this.runner.start(lane, record, observer, request.kind === 'reversal');
    return { id: record.id, attached: false, result: job.promise };
  }

  private attach(existing: PaymentRecord, request: PaymentRequest, observer?: PaymentObserver): PaymentHandle {
    this.admissions.checkAttach(existing, request);
    return this.runner.attach(existing, observer);
  }

  async cancel(who: RegisterIdentity, ref: string): Promise<CancelAnswer> {
    const records = this.journal.allByRef(who.register, checkRef(ref));
    const record = records.find((r) => r.opClass === 'payment') ?? records[records.length - 1];
    if (!record) throw new BridgeError('unknown_ref', `no payment with ref "${ref}" is known for this register`);
    return this.runner.cancel(record);
  }

  async delivery(who: RegisterIdentity, ref: string, how: Delivery, kind?: TransactionKind): Promise<void> {
    const records = this.journal.allByRef(who.register, ref);
    const record = kind ? records.find((r) => r.opClass === opClassOf(kind)) : records[records.length - 1];
    if (!record || record.outcome === null) return;
    await this.settler.recordDelivery(record, how, this.runner.running(record.id));
  }

  /** The automatic reversal of an approval the register refused or never acknowledged, on the lane like any other. */
  private async autoReversal(record: PaymentRecord, why: string): Promise<void> {
    this.journal.note(record.id, { type: 'auto_reversal', data: { why } });
    try {
      const handle = await this.submit(
        { listener: record.register, register: record.register, terminal: record.terminal },
        { kind: 'reversal', ref: record.ref },
      );
      await handle.result;
    } catch (e) {
      this.log.error({ err: e, ref: record.ref }, `could not reverse an unacknowledged payment: ${why}`);
      this.journal.note(record.id, { type: 'auto_reversal_failed', data: { message: (e as Error).message } });
    }
  }

  /** Runs recovery for every terminal now (operator action, tests). */
  async recoverNow(): Promise<void> {
    await this.recovery.now(this.lanes.all());
  }

  /** Every operation is allowed by the bridge itself; a listener's money-out policy narrows it (policyApi). */
  permit(): void {}

  // ---------------------------------------------------------------- queries (queries.ts)

  readonly status: BridgeApi['status'] = (who, ref) => this.queries.status(who, ref);
  readonly last: BridgeApi['last'] = (who) => this.queries.last(who);
  readonly findByReceiptNo: BridgeApi['findByReceiptNo'] = (who, no) => this.queries.findByReceiptNo(who, no);
  readonly closeDay: BridgeApi['closeDay'] = async (who) => this.queries.closeDay(who);
  readonly periodPayments = (who: RegisterIdentity, to?: string): PaymentView[] => this.queries.periodPayments(who, to);
  readonly undelivered: BridgeApi['undelivered'] = (who) => this.queries.undelivered(who);
  readonly receipt: BridgeApi['receipt'] = (who, ref, request) => this.queries.receipt(who, ref, request);
  readonly receiptById: BridgeApi['receiptById'] = (id, request) => this.queries.receiptById(id, request);
  /** Recent payments for the UI. */
  readonly recent = (limit = 50): PaymentView[] => this.queries.recent(limit);

  terminals(): TerminalView[] {
    return this.lanes.all().map((l) => l.view());
  }

  terminalFor(who: RegisterIdentity, requested?: string): TerminalView {
    return this.lanes.for(who, requested).view();
  }

  // ---------------------------------------------------------------- end of day, reconciliation

  dayTotals(query: DayQuery = {}): DayTotals {
    return this.reports.totals(query);
  }

  async endOfDay(query: DayQuery = {}): Promise<EndOfDayReport> {
    const report = await this.reports.endOfDay(query, (day) => {
      if (this.closed) return;
      this.reconcile({ day }).catch((e: unknown) =>
        this.log.error({ err: e, day }, 'reconciliation after end of day failed'),
      );
    });
    this.log.info({ day: report.businessDay, open: report.inDoubt.length }, 'end of day closed');
    this.emit('endOfDay', report);
    return report;
  }

  async reconcile(query: { day?: string } = {}): Promise<ReconciliationReport> {
    const report = await this.reports.reconcile(query);
    this.log.info(
      { day: report.businessDay, ...report.summary },
      report.clean ? 'reconciliation: journal and host agree' : 'reconciliation found discrepancies',
    );
    this.emit('reconciliation', report);
    return report;
  }

  latestReconciliation(day?: string): ReconciliationReport | undefined {
    return this.reports.latestReconciliation(day);
  }

  /** Each terminal for reconciliation and batch close; terminal calls wait for the lane like payments do. */
  private hostAccess(): HostAccess[] {
    return this.lanes.all().map((lane) => ({
      terminal: lane.id,
      driver: lane.driver,
      run: <T>(fn: () => Promise<T>): Promise<T> => lane.run(fn),
    }));
  }

  // ---------------------------------------------------------------- health and events

  private async checkHealth(): Promise<void> {
    await Promise.all(this.lanes.all().map((lane) => lane.checkHealth()));
  }

  /**
   * Tells observers of a payment's change and keeps its stored receipt in step. `receiptChanged: false` where the
   * change touched only delivery, acknowledgement or settlement of a completed payment (none of them is on a
   * receipt): building and comparing the receipt again cost ~0.3 ms per change on the sale's path.
   */
  private changed(record: PaymentRecord, o: { receiptChanged?: boolean } = {}): void {
    if (o.receiptChanged !== false) {
      try {
        // The receipt goes into the journal with the payment as soon as its outcome is final (and follows later changes).
        this.reports.storeReceipt(record);
      } catch (e) {
        this.log.warn({ err: e, ref: record.ref }, 'receipt could not be stored');
      }
    }
    // Nothing is built for nobody: with the status page and metrics off, no one listens.
    if (this.listenerCount('payment') > 0) this.emit('payment', viewOf(record));
  }
}
