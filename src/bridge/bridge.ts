import { EventEmitter } from 'node:events';
import { BridgeError } from '../domain/errors';
import { money, sameMoney, type Money } from '../domain/money';
import { STAGE_MESSAGES, isFinalOutcome, type Outcome, type Stage, type TransactionKind } from '../domain/vocabulary';
import type { PaymentRequest, PaymentResult } from '../domain/payment';
import { opClassOf, type Durability, type Journal, type PaymentRecord } from '../journal/journal';
import type { Logger } from '../log/logger';
import type { TerminalCommand, TerminalDriver, TerminalHealth, TerminalOutcome } from '../terminal/driver';
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
import { SerialQueue } from './serial-queue';
import { resultOf, viewOf } from './views';
import { crashPoint } from './crash-points';
import { scrubCardData } from '../log/redact';
import { DayReports, type DayQuery, type DayReportSettings, type EndOfDayReport } from '../reports/day-reports';
import type { HostAccess } from '../reports/host';
import type { DayTotals } from '../reports/totals';
import type { ReconciliationReport } from '../reports/reconcile';
import type { EscPosOptions, ReceiptRendering, ReceiptRequest, ReceiptWidth } from '../receipts/types';

/**
 * Orchestration: one lane per terminal, write before act, idempotent refs, two-phase settlement and recovery.
 *
 * Order of every payment (each step committed to the journal before the next one happens):
 *   intent (queued) → driver reference (sent) → stages → outcome → result handed to the register →
 *   delivery reported by the register adapter → settlement decision → settlement done.
 * After a restart, `start()` asks each terminal about every unresolved payment before the lane takes new work.
 */

export interface BridgeTerminal {
  readonly driver: TerminalDriver;
  /** Terminal currency; requests in another currency are refused with currency_mismatch. */
  readonly currency?: string;
}

export interface BridgeOptions {
  journal: Journal;
  terminals: BridgeTerminal[];
  log: Logger;
  version: string;
  /** Listener → seconds within which a register must `ack` an approved result, else it is reversed. */
  requireAck?: (listener: string) => number | undefined;
  /** BUSY answers are retried this many times with backoff. */
  busyRetries?: number;
  busyBackoffMs?: number;
  /**
   * How long an approved-open payment waits for the register adapter's delivery report before it is cancelled.
   * Adapters report as soon as they know; a ZVT register may take up to 255 s (BMP 01) to confirm.
   */
  deliveryTimeoutMs?: number;
  /** Background recovery of in_doubt payments: first delay and cap (doubling). */
  recoveryMinMs?: number;
  recoveryMaxMs?: number;
  /** Health check interval (PING); 0 disables periodic checks. */
  healthIntervalMs?: number;
  /**
   * Liveness probes of idle terminals whose driver offers them (TerminalInfo.probeIntervalMs): a vanished terminal
   * shows offline within seconds. Default: the driver's interval while health checks run, none when they are off.
   * 0 disables them.
   */
  probeIntervalMs?: number;
  /** After a lost answer: how many immediate lookups before the result is in_doubt, and the delay step between them. */
  inDoubtLookups?: number;
  inDoubtLookupDelayMs?: number;
  /** End of day, reconciliation and receipt settings (config `merchant`, `receipts`, `businessDay`, `reports`). */
  reports?: DayReportSettings;
  /** Receipt defaults: width when a request names none, and the ESC/POS printer's settings. */
  receiptDefaults?: {
    width?: ReceiptWidth;
    escpos?: EscPosOptions;
    /** merchant.locale: a receipt's language unless the request names one */ locale?: string;
  };
}

interface Job {
  record: PaymentRecord;
  readonly observers: Set<PaymentObserver>;
  readonly abort: AbortController;
  readonly promise: Promise<PaymentResult>;
  resolve(result: PaymentResult): void;
  started: boolean;
  cancelRequested: boolean;
  /** Set while an approved-open payment waits for the register's delivery report. */
  delivery?: (how: Delivery) => void;
  /** Delivery reports that arrived before the lane asked for one. */
  earlyDelivery?: Delivery;
  /** Handles given out for this payment (the submitter and every attached resend) and how many could not deliver. */
  handles: number;
  undeliverable: number;
  /** Last progress sent to observers (repeats are not sent again). */
  lastStage?: Stage;
  lastMessage?: string;
}

class Lane {
  readonly queue = new SerialQueue();
  state: TerminalView['state'] = 'recovering';
  current: Job | undefined;
  health: TerminalHealth | undefined;
  recoveryTimer: NodeJS.Timeout | undefined;
  probeTimer: NodeJS.Timeout | undefined;
  recoveryDelay: number;
  constructor(
    readonly id: string,
    readonly driver: TerminalDriver,
    readonly currency: string | undefined,
    recoveryMinMs: number,
  ) {
    this.recoveryDelay = recoveryMinMs;
  }
}

export interface BridgeEvents {
  payment: [PaymentView];
  stage: [{ id: string; ref: string; register: string; terminal: string; stage: Stage; message: string }];
  terminal: [TerminalView];
  /** A business day was closed. */
  endOfDay: [EndOfDayReport];
  /** A reconciliation report was stored (after end of day, or on request). */
  reconciliation: [ReconciliationReport];
}

export class Bridge extends EventEmitter<BridgeEvents> implements BridgeApi {
  readonly version: string;
  private readonly journal: Journal;
  private readonly log: Logger;
  private readonly lanes = new Map<string, Lane>();
  private readonly jobs = new Map<string, Job>();
  /** Payments whose outcome is committed but not yet flushed to disk (group commit), as they were before it. */
  private readonly notYetDurable = new Map<string, PaymentRecord>();
  private readonly opts: Required<
    Omit<
      BridgeOptions,
      'journal' | 'terminals' | 'log' | 'version' | 'requireAck' | 'reports' | 'receiptDefaults' | 'probeIntervalMs'
    >
  > &
    Pick<BridgeOptions, 'requireAck' | 'probeIntervalMs'>;
  /** End of day, reconciliation and receipts over the journal. */
  readonly reports: DayReports;
  private readonly receiptDefaults: NonNullable<BridgeOptions['receiptDefaults']>;
  private healthTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: BridgeOptions) {
    super();
    this.version = options.version;
    this.journal = options.journal;
    this.log = options.log;
    this.opts = {
      requireAck: options.requireAck,
      probeIntervalMs: options.probeIntervalMs,
      busyRetries: options.busyRetries ?? 3,
      busyBackoffMs: options.busyBackoffMs ?? 1000,
      deliveryTimeoutMs: options.deliveryTimeoutMs ?? 300_000,
      recoveryMinMs: options.recoveryMinMs ?? 2000,
      recoveryMaxMs: options.recoveryMaxMs ?? 60_000,
      healthIntervalMs: options.healthIntervalMs ?? 30_000,
      inDoubtLookups: options.inDoubtLookups ?? 3,
      inDoubtLookupDelayMs: options.inDoubtLookupDelayMs ?? 1000,
    };
    this.reports = new DayReports(this.journal, () => this.hostAccess(), options.reports ?? {});
    this.receiptDefaults = options.receiptDefaults ?? {};
    if (options.terminals.length === 0) throw new BridgeError('config_invalid', 'at least one terminal is needed');
    for (const t of options.terminals) {
      this.lanes.set(
        t.driver.info.id,
        new Lane(t.driver.info.id, t.driver, t.currency ?? t.driver.info.currency, this.opts.recoveryMinMs),
      );
    }
  }

  /** Recovery first, per terminal, then the lanes take new work. Resolves when every terminal was asked once. */
  async start(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((lane) => this.recoverLane(lane, true)));
    if (this.opts.healthIntervalMs > 0) {
      this.healthTimer = setInterval(() => void this.checkHealth(), this.opts.healthIntervalMs);
      this.healthTimer.unref();
    }
    void this.checkHealth();
    for (const lane of this.lanes.values()) {
      const every =
        this.opts.probeIntervalMs ?? (this.opts.healthIntervalMs > 0 ? lane.driver.info.probeIntervalMs : 0);
      if (!every || !lane.driver.probe) continue;
      lane.probeTimer = setInterval(() => void this.probe(lane), every);
      lane.probeTimer.unref();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.healthTimer) clearInterval(this.healthTimer);
    for (const lane of this.lanes.values()) {
      if (lane.recoveryTimer) clearTimeout(lane.recoveryTimer);
      if (lane.probeTimer) clearInterval(lane.probeTimer);
    }
    await Promise.all([...this.lanes.values()].map((l) => l.driver.close().catch(() => undefined)));
  }

  // ---------------------------------------------------------------- BridgeApi

  terminals(): TerminalView[] {
    return [...this.lanes.values()].map((l) => this.terminalView(l));
  }

  terminalFor(who: RegisterIdentity, requested?: string): TerminalView {
    return this.terminalView(this.laneFor(who, requested));
  }

  async submit(who: RegisterIdentity, request: PaymentRequest, observer?: PaymentObserver): Promise<PaymentHandle> {
    const ref = checkRef(request.ref);
    const opClass = opClassOf(request.kind);
    const existing = this.journal.findByRef(who.register, ref, opClass);
    if (existing) return this.attach(existing, request, observer);

    let lane: Lane;
    let amount: Money;
    let tip = 0;
    let originalId: string | undefined;
    if (opClass === 'payment') {
      lane = this.laneFor(who, request.terminal);
      this.refuseIfOffline(lane);
      if (!request.amount) throw new BridgeError('invalid_amount', `${request.kind} needs an amount`);
      amount = money(request.amount.minor, request.amount.currency);
      if (amount.minor === 0) throw new BridgeError('invalid_amount', 'amount must be greater than zero');
      tip = request.tip === undefined ? 0 : money(request.tip, amount.currency, 'tip').minor;
      if (tip > 0 && request.kind === 'refund') throw new BridgeError('invalid_amount', 'a refund has no tip');
      if (lane.currency && lane.currency !== amount.currency) {
        throw new BridgeError(
          'currency_mismatch',
          `terminal ${lane.id} takes ${lane.currency}, not ${amount.currency}`,
        );
      }
    } else {
      const original = this.journal.findByRef(who.register, ref, 'payment');
      if (!original) throw new BridgeError('unknown_ref', `no payment with ref "${ref}" is known for this register`);
      lane = this.laneOf(original.terminal);
      this.refuseIfOffline(lane);
      this.checkFollowUp(request, original, lane);
      amount = original.amount;
      if (request.kind === 'completion') {
        if (!request.amount) throw new BridgeError('invalid_amount', 'completion needs an amount');
        amount = money(request.amount.minor, request.amount.currency);
        if (amount.currency !== original.amount.currency)
          throw new BridgeError('currency_mismatch', `the pre-authorisation was in ${original.amount.currency}`);
        if (amount.minor === 0) throw new BridgeError('invalid_amount', 'amount must be greater than zero');
      }
      originalId = original.id;
    }

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
    const job = this.newJob(record, observer);
    this.emitPayment(record);
    this.stage(job, 'queued');
    // A reversal voids the terminal's last transaction: it goes ahead of queued payments so that it still is.
    lane.queue.push(() => this.run(lane, job), job, request.kind === 'reversal');
    this.emitTerminal(lane);
    return { id: record.id, attached: false, result: job.promise };
  }

  async cancel(who: RegisterIdentity, ref: string): Promise<CancelAnswer> {
    const records = this.journal.allByRef(who.register, checkRef(ref));
    const record = records.find((r) => r.opClass === 'payment') ?? records[records.length - 1];
    if (!record) throw new BridgeError('unknown_ref', `no payment with ref "${ref}" is known for this register`);
    const job = this.jobs.get(record.id);
    if (job && !job.started) {
      const lane = this.laneOf(record.terminal);
      if (lane.queue.withdraw(job)) {
        this.finish(job, {
          outcome: 'cancelled',
          fields: {},
          message: 'Cancelled by the register before it reached the terminal',
          cancelTookEffect: true,
        });
        this.emitTerminal(lane);
        return {
          tookEffect: true,
          pending: false,
          message: 'Cancelled before it reached the terminal; nothing was charged',
          outcome: 'cancelled',
        };
      }
    }
    if (job && job.record.settlement === null && !isFinalOutcome(job.record.outcome)) {
      job.cancelRequested = true;
      this.journal.note(record.id, 'cancel_requested');
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
    const current = this.journal.get(record.id)!;
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

  async delivery(who: RegisterIdentity, ref: string, how: Delivery, kind?: TransactionKind): Promise<void> {
    const records = this.journal.allByRef(who.register, ref);
    const record = kind ? records.find((r) => r.opClass === opClassOf(kind)) : records[records.length - 1];
    if (!record || record.outcome === null) return;
    const at = new Date().toISOString();
    if (how === 'written' || how === 'acknowledged') {
      if (!record.deliveredAt) this.journal.update(record.id, { deliveredAt: at }, { type: 'delivered' });
      if (how === 'acknowledged' && !record.acknowledgedAt)
        this.journal.update(record.id, { acknowledgedAt: at }, { type: 'acknowledged' });
    } else {
      this.journal.note(
        record.id,
        how === 'rejected' ? 'rejected_by_register' : how === 'held' ? 'held_for_register' : 'undeliverable',
      );
    }
    crashPoint('after_delivery');
    const job = this.jobs.get(record.id);
    if (job) {
      if (how === 'undeliverable') job.undeliverable++;
      if (job.delivery) job.delivery(how);
      else job.earlyDelivery = strongerDelivery(job.earlyDelivery, how);
    } else if (
      how === 'rejected' &&
      record.outcome === 'approved' &&
      record.settlement === null &&
      !record.reversedBy
    ) {
      // Approved and final on a link without two-phase completion: the register refused it → reverse it.
      await this.internalReversal(record, 'the register rejected the approved result');
      this.emitPayment(this.journal.get(record.id)!);
      return;
    }
    // Delivery and acknowledgement change nothing a receipt shows.
    this.emitPayment(this.journal.get(record.id)!, { receiptChanged: false });
  }

  status(who: RegisterIdentity, ref: string): PaymentView | undefined {
    const records = this.journal.allByRef(who.register, ref).map((r) => this.reportable(r));
    const record = records.find((r) => r.opClass === 'payment') ?? records[0];
    return record ? viewOf(record, this.followUps(records)) : undefined;
  }

  last(who: RegisterIdentity): PaymentView | undefined {
    const r = this.journal.lastOfRegister(who.register);
    return r ? viewOf(this.reportable(r)) : undefined;
  }

  findByReceiptNo(who: RegisterIdentity, receiptNo: number): PaymentView | undefined {
    const r = this.journal.byReceiptNo(receiptNo);
    return r && r.register === who.register
      ? viewOf(
          this.reportable(r),
          this.followUps(this.journal.allByRef(r.register, r.ref).map((x) => this.reportable(x))),
        )
      : undefined;
  }

  /** A payment as it may be reported to a register: without an outcome that is committed but not yet on disk. */
  private reportable(r: PaymentRecord): PaymentRecord {
    return this.notYetDurable.get(r.id) ?? r;
  }

  /**
   * Closes this register's accounting period (ZVT End-of-Day): the payments it received results for since its
   * previous close, then a new period starts.
   */
  async closeDay(who: RegisterIdentity): Promise<PaymentView[]> {
    const now = new Date().toISOString();
    const views = this.periodPayments(who, now);
    this.journal.setSetting(`last_close:${who.register}`, now);
    return views;
  }

  /** The payments of this register's open accounting period (what closeDay would return), without closing it. */
  periodPayments(who: RegisterIdentity, to = new Date().toISOString()): PaymentView[] {
    const from = this.journal.setting(`last_close:${who.register}`);
    const rows = this.journal
      .list({ register: who.register, ...(from ? { from } : {}), to, limit: 100_000 })
      .filter((r) => r.outcome !== null && r.deliveredAt !== null);
    return rows.reverse().map((r) => viewOf(r, this.followUps(this.journal.allByRef(r.register, r.ref))));
  }

  undelivered(who: RegisterIdentity): PaymentView[] {
    return this.journal
      .undelivered(who.register)
      .filter((r) => !this.jobs.has(r.id))
      .map((r) => viewOf(r));
  }

  // ---------------------------------------------------------------- receipts, end of day, reconciliation

  receipt(who: RegisterIdentity, ref: string, request: ReceiptRequest = {}): ReceiptRendering | undefined {
    const records = this.journal.allByRef(who.register, ref).map((r) => this.reportable(r));
    const record = request.kind
      ? records.find((r) => r.opClass === opClassOf(request.kind!))
      : (records.find((r) => r.opClass === 'payment') ?? records[0]);
    return record ? this.receiptOf(record, request) : undefined;
  }

  receiptById(paymentId: string, request: ReceiptRequest = {}): ReceiptRendering | undefined {
    const record = this.journal.get(paymentId);
    if (!record || record.outcome === null || record.outcome === 'in_doubt') return undefined;
    return this.receiptOf(record, request);
  }

  private receiptOf(record: PaymentRecord, request: ReceiptRequest): ReceiptRendering {
    const escpos = request.escpos === true ? (this.receiptDefaults.escpos ?? {}) : request.escpos;
    const locale = request.locale ?? this.receiptDefaults.locale;
    const rendering = this.reports.receipt(record, {
      ...request,
      width: request.width ?? this.receiptDefaults.width ?? 40,
      ...(locale ? { locale } : {}),
      ...(escpos ? { escpos } : {}),
    });
    if (!rendering) {
      throw new BridgeError(
        'receipt_unavailable',
        `payment "${record.ref}" has no final outcome yet (${record.outcome ?? 'still running'}); ask again when it has`,
      );
    }
    return rendering;
  }

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
    return [...this.lanes.values()].map((lane) => ({
      terminal: lane.id,
      driver: lane.driver,
      run: <T>(fn: () => Promise<T>): Promise<T> =>
        new Promise<T>((resolve, reject) => lane.queue.push(() => fn().then(resolve, reject))),
    }));
  }

  /** Recent payments for the UI. */
  recent(limit = 50): PaymentView[] {
    return this.journal.list({ limit }).map((r) => viewOf(r));
  }

  // ---------------------------------------------------------------- lanes and jobs

  private laneFor(who: RegisterIdentity, requested?: string): Lane {
    const id = requested ?? who.terminal;
    if (id === undefined) return this.lanes.values().next().value as Lane;
    const lane = this.lanes.get(id);
    if (!lane) throw new BridgeError('unknown_terminal', `no terminal "${id}" is configured`);
    return lane;
  }

  private laneOf(id: string): Lane {
    const lane = this.lanes.get(id);
    if (!lane) throw new BridgeError('unknown_terminal', `terminal "${id}" of this payment is no longer configured`);
    return lane;
  }

  private checkFollowUp(request: PaymentRequest, original: PaymentRecord, lane: Lane): void {
    if (original.outcome !== 'approved') {
      throw new BridgeError(
        'not_reversible',
        `payment "${original.ref}" is ${original.outcome ?? 'still running'}, not approved`,
      );
    }
    if (original.reversedBy) throw new BridgeError('not_reversible', `payment "${original.ref}" was already reversed`);
    if (request.kind === 'reversal') {
      if (original.kind === 'preauth')
        throw new BridgeError('not_reversible', 'a pre-authorisation is released with preauth_cancel, not reversed');
      const last = this.journal.lastSentOnTerminal(lane.id);
      if (lane.driver.info.reversal !== 'any' && last && last.id !== original.id) {
        throw new BridgeError(
          'not_reversible',
          `only the last transaction on terminal ${lane.id} can be reversed; "${original.ref}" is not the last one: refund it instead`,
        );
      }
    } else {
      if (original.kind !== 'preauth')
        throw new BridgeError('not_reversible', `payment "${original.ref}" is not a pre-authorisation`);
      if (!original.result?.preauthCode)
        throw new BridgeError('not_reversible', `the terminal gave no pre-authorisation code for "${original.ref}"`);
    }
  }

  private attach(existing: PaymentRecord, request: PaymentRequest, observer?: PaymentObserver): PaymentHandle {
    const conflict =
      existing.kind !== request.kind ||
      (request.amount !== undefined &&
        opClassOf(request.kind) === 'payment' &&
        !sameMoney(existing.amount, request.amount)) ||
      (request.kind === 'completion' && request.amount !== undefined && !sameMoney(existing.amount, request.amount)) ||
      ((request.tip ?? 0) !== existing.tip && opClassOf(request.kind) === 'payment');
    if (conflict) {
      throw new BridgeError(
        'ref_conflict',
        `ref "${existing.ref}" is already used for a ${existing.kind} of ${existing.amount.minor} ${existing.amount.currency}${existing.tip ? ` (tip ${existing.tip})` : ''}`,
        {
          amount: existing.amount.minor,
          currency: existing.amount.currency,
        },
      );
    }
    const job = this.jobs.get(existing.id);
    if (job) {
      if (observer) job.observers.add(observer);
      job.handles++;
      this.journal.note(existing.id, 'attached');
      return { id: existing.id, attached: true, result: job.promise };
    }
    const current = this.journal.get(existing.id)!;
    this.journal.note(existing.id, 'resent_known_result');
    return { id: existing.id, attached: true, result: Promise.resolve(resultOf(current)) };
  }

  private newJob(record: PaymentRecord, observer?: PaymentObserver): Job {
    let resolve!: (r: PaymentResult) => void;
    const promise = new Promise<PaymentResult>((res) => (resolve = res));
    const job: Job = {
      record,
      observers: new Set(observer ? [observer] : []),
      abort: new AbortController(),
      promise,
      resolve,
      started: false,
      cancelRequested: false,
      handles: 1,
      undeliverable: 0,
    };
    this.jobs.set(record.id, job);
    return job;
  }

  private stage(job: Job, stage: Stage, message?: string): void {
    const text = message ?? STAGE_MESSAGES[stage];
    if (job.lastStage === stage && job.lastMessage === text) return;
    job.lastStage = stage;
    job.lastMessage = text;
    if (job.record.stage !== stage) {
      // Progress only: recovery decides on intent, driver reference, outcome and settlement, never on the stage.
      job.record = this.journal.update(job.record.id, { stage }, { type: 'stage', data: { stage, message: text } });
    }
    for (const o of job.observers) {
      try {
        o.stage?.({ ref: job.record.ref, stage, message: text });
      } catch (e) {
        this.log.warn({ err: e, ref: job.record.ref }, 'stage observer failed');
      }
    }
    this.emit('stage', {
      id: job.record.id,
      ref: job.record.ref,
      register: job.record.register,
      terminal: job.record.terminal,
      stage,
      message: text,
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
    const original = this.journal.get(record.originalId)!;
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

  /** One payment on its lane: the terminal is this job's until the outcome is settled. */
  private async run(lane: Lane, job: Job): Promise<void> {
    job.started = true;
    lane.current = job;
    lane.state = 'busy';
    this.emitTerminal(lane);
    try {
      let outcome = await this.execute(lane, job);
      for (
        let attempt = 0;
        outcome.refused?.code === 'terminal_busy' && attempt < this.opts.busyRetries && !job.abort.signal.aborted;
        attempt++
      ) {
        this.journal.note(job.record.id, 'terminal_busy', { attempt: attempt + 1 });
        await delay(this.opts.busyBackoffMs * 2 ** attempt);
        outcome = await this.execute(lane, job);
      }
      if (outcome.refused?.code === 'not_completed_last_tx') {
        this.journal.note(job.record.id, 'terminal_has_open_transaction');
        const open = await this.settleOpenOnTerminal(lane, job.record.id);
        outcome =
          open === 'cleared'
            ? await this.execute(lane, job)
            : {
                ...outcome,
                message:
                  open === 'unknown'
                    ? 'The terminal holds an unfinished transaction the bridge does not know; finish or cancel it on the terminal'
                    : 'The terminal holds an unfinished earlier transaction that the bridge knows but could not finish yet (the terminal did not confirm); send the payment again: the bridge finishes that one first',
              };
      }
      if (outcome.outcome === 'in_doubt') outcome = await this.lookupNow(lane, job, outcome);
      if (job.abort.signal.aborted && outcome.refused) {
        outcome = {
          ...outcome,
          outcome: 'cancelled',
          cancelTookEffect: true,
          message: 'Cancelled by the register; nothing was charged',
        };
      }
      await this.finishGrouped(job, outcome);
      if (outcome.needsSettlement && outcome.outcome === 'approved') await this.settleAfterDelivery(lane, job);
      else if (outcome.outcome === 'approved' && outcome.needsSettlement !== true) await this.afterFinalApproval(job);
      if (job.record.outcome === 'in_doubt') this.scheduleRecovery(lane);
    } catch (e) {
      if (e instanceof BridgeError && !job.record.driverRef) {
        // The driver refused the command before sending anything (e.g. not the terminal's last transaction).
        this.log.warn({ ref: job.record.ref, code: e.code }, e.message);
        this.finish(job, {
          outcome: 'failed',
          fields: {},
          message: e.message,
          refused: { code: e.code, status: e.code, retryable: false },
        });
        return;
      }
      this.log.error({ err: e, ref: job.record.ref }, 'payment failed inside the bridge');
      if (!isFinalOutcome(job.record.outcome) && job.record.outcome !== 'in_doubt') {
        this.finish(job, {
          outcome: job.record.driverRef ? 'in_doubt' : 'failed',
          fields: {},
          message: job.record.driverRef
            ? 'The bridge lost track of the payment; asking the terminal'
            : `The bridge could not send the payment: ${(e as Error).message}`,
        });
        if (job.record.driverRef) this.scheduleRecovery(lane);
      }
    } finally {
      this.jobs.delete(job.record.id);
      lane.current = undefined;
      if (lane.state === 'busy') lane.state = 'ready';
      this.emitTerminal(lane);
    }
  }

  private async execute(lane: Lane, job: Job): Promise<TerminalOutcome> {
    if (job.abort.signal.aborted) {
      return {
        outcome: 'cancelled',
        fields: {},
        cancelTookEffect: true,
        message: 'Cancelled by the register before it reached the terminal',
      };
    }
    return lane.driver.execute(this.commandOf(job.record), {
      signal: job.abort.signal,
      stage: (stage, message) => this.stage(job, stage, message),
      beforeSend: async (driverRef) => {
        job.record = this.journal.update(
          job.record.id,
          { driverRef, stage: 'sent' },
          { type: 'sent', data: { driverRef } },
          { durable: 'grouped' },
        );
        // Write before act: the intent and the driver reference are on disk before the driver writes its first byte.
        await this.journal.durable();
        crashPoint('after_send_commit');
        this.stage(job, 'sent');
      },
    });
  }

  /**
   * The answer was lost (link dropped, timer expired): ask the terminal right away, a few times, while the
   * register is still waiting, before handing it an in_doubt result (spec §8.3: GET_STATUS after a lost answer).
   */
  private async lookupNow(lane: Lane, job: Job, lostOutcome: TerminalOutcome): Promise<TerminalOutcome> {
    const driverRef = lostOutcome.driverRef ?? job.record.driverRef ?? undefined;
    this.journal.note(job.record.id, 'answer_lost', { message: lostOutcome.message });
    this.stage(job, 'recovering');
    for (let attempt = 0; attempt < this.opts.inDoubtLookups; attempt++) {
      if (attempt > 0) await delay(this.opts.inDoubtLookupDelayMs * attempt);
      try {
        const found = await lane.driver.lookup({
          kind: job.record.kind,
          reference: job.record.bridgeRef,
          ...(driverRef ? { driverRef } : {}),
          amount: job.record.amount,
        });
        if (found && found.outcome !== 'in_doubt') {
          this.journal.note(job.record.id, 'recovered_by_lookup', { outcome: found.outcome, attempt: attempt + 1 });
          return {
            ...found,
            ...(driverRef ? { driverRef } : {}),
            ...(job.cancelRequested ? { cancelTookEffect: found.outcome !== 'approved' } : {}),
          };
        }
      } catch (e) {
        this.log.warn({ err: e, ref: job.record.ref }, 'lookup after a lost answer failed');
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
    this.notYetDurable.set(before.id, before);
    try {
      await this.journal.durable();
    } catch (e) {
      this.log.error({ err: e, ref: job.record.ref }, 'the outcome could not be made durable in the journal');
      const message = `The terminal answered ${outcome.outcome}, but the bridge could not record it on disk (${(e as Error).message}); check the payment on the terminal before taking it again`;
      job.resolve({ ...recorded.result, outcome: 'in_doubt', message });
      // Nothing more is done for it here (no completion on the terminal); the journal is in trouble and says so.
      throw e;
    } finally {
      this.notYetDurable.delete(before.id);
    }
    crashPoint('after_outcome_commit');
    this.announceOutcome(job, outcome, recorded);
  }

  private recordOutcome(
    job: Job,
    outcome: TerminalOutcome,
    durable: Durability,
  ): { result: PaymentResult; stage: Stage; settlement: 'pending' | null } {
    const settlement = outcome.outcome === 'approved' && outcome.needsSettlement ? 'pending' : null;
    const stage: Stage = settlement ? 'approved_open' : 'done';
    const result = buildResult(job.record, outcome);
    job.record = this.journal.update(
      job.record.id,
      {
        outcome: outcome.outcome,
        stage,
        settlement,
        result,
        message: outcome.message,
        ...(outcome.driverRef && !job.record.driverRef ? { driverRef: outcome.driverRef } : {}),
        ...(outcome.raw ? { raw: { ...outcome.raw } } : {}),
      },
      {
        type: 'outcome',
        data: { outcome: outcome.outcome, message: outcome.message, refused: outcome.refused ?? null, settlement },
      },
      { durable },
    );
    if (outcome.outcome === 'approved' && job.record.originalId) this.markOriginal(job.record);
    return { result, stage, settlement };
  }

  private announceOutcome(
    job: Job,
    outcome: TerminalOutcome,
    { result, stage, settlement }: { result: PaymentResult; stage: Stage; settlement: 'pending' | null },
  ): void {
    this.emitPayment(job.record);
    for (const o of job.observers) {
      try {
        o.stage?.({ ref: job.record.ref, stage, message: settlement ? STAGE_MESSAGES.approved_open : outcome.message });
      } catch {
        // observers are best effort
      }
    }
    job.resolve(result);
  }

  private markOriginal(followUp: PaymentRecord): void {
    if (followUp.kind === 'reversal' || followUp.kind === 'preauth_cancel') {
      this.journal.update(
        followUp.originalId!,
        { reversedBy: followUp.id },
        { type: 'reversed', data: { by: followUp.id, kind: followUp.kind } },
      );
    } else if (followUp.kind === 'completion') {
      this.journal.note(followUp.originalId!, 'preauth_completed', { by: followUp.id, amount: followUp.amount.minor });
    }
  }

  /** IPP §8.1: the register's acceptance decides COMPLETE_TX, anything else CANCEL_TX. */
  private async settleAfterDelivery(lane: Lane, job: Job): Promise<void> {
    const listenerAck = this.requireAckSecondsFor(job.record);
    const how = await this.awaitDelivery(job, listenerAck);
    const decision: 'complete' | 'cancel' =
      how === 'acknowledged' || how === 'held' || (how === 'written' && listenerAck === undefined)
        ? 'complete'
        : 'cancel';
    const why =
      how === 'held'
        ? 'the register did not confirm the result; it can ask for it again'
        : decision === 'complete'
          ? 'the register accepted the result'
          : how === 'written'
            ? `the register did not acknowledge within ${listenerAck} s`
            : how === 'rejected'
              ? 'the register rejected the result'
              : how === 'undeliverable'
                ? 'the register was not connected to receive the approval'
                : 'no delivery report from the register';
    await this.settle(lane, job.record, decision, why, job);
  }

  private requireAckSecondsFor(record: PaymentRecord): number | undefined {
    // The listener is not stored per payment; the register identity's listener part is its prefix.
    const listener = record.register.split('/')[0] ?? record.register;
    return this.opts.requireAck?.(listener);
  }

  private awaitDelivery(job: Job, requireAckSeconds: number | undefined): Promise<Delivery | 'timeout'> {
    return new Promise((resolve) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const done = (how: Delivery | 'timeout'): void => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        job.delivery = undefined;
        resolve(how);
      };
      let armed = false;
      const arm = (ms: number): void => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => done(armed && requireAckSeconds !== undefined ? 'written' : 'timeout'), ms);
      };
      const onReport = (how: Delivery): void => {
        // One connection gone is not the answer while another holder of the same payment may still take it.
        if (how === 'undeliverable' && job.undeliverable < job.handles) return;
        if (how === 'written' && requireAckSeconds !== undefined) {
          // Written, now wait for the register's ack.
          armed = true;
          arm(requireAckSeconds * 1000);
          return;
        }
        done(how);
      };
      job.delivery = onReport;
      arm(this.opts.deliveryTimeoutMs);
      if (job.earlyDelivery) onReport(job.earlyDelivery);
    });
  }

  /** Records the decision, then acts on it, then records that it was done. Safe to repeat after a crash. */
  private async settle(
    lane: Lane,
    record: PaymentRecord,
    decision: 'complete' | 'cancel',
    why: string,
    job?: Job,
  ): Promise<boolean> {
    let current = this.journal.update(
      record.id,
      { settlement: decision, stage: decision === 'complete' ? 'confirming' : 'cancelling' },
      { type: 'settle_decision', data: { decision, why } },
      { durable: 'grouped' },
    );
    if (job) job.record = current;
    // Write before act: the decision is on disk before COMPLETE_TX / CANCEL_TX goes out.
    await this.journal.durable();
    crashPoint('after_settle_decision');
    const r = await lane.driver
      .settle(current.driverRef!, decision)
      .catch((e: unknown) => ({ ok: false, message: (e as Error).message, nothingOpen: false }));
    if (!r.ok && !r.nothingOpen) {
      this.journal.note(record.id, 'settle_failed', { decision, message: r.message });
      this.scheduleRecovery(lane);
      return false;
    }
    if (decision === 'complete') {
      current = this.journal.update(
        record.id,
        { settlement: 'completed', stage: 'done' },
        { type: 'settled', data: { decision, message: r.message } },
      );
    } else {
      const result = {
        ...(current.result ?? resultOf(current)),
        outcome: 'cancelled' as Outcome,
        message: `Reversed on the terminal: ${why}`,
      };
      current = this.journal.update(
        record.id,
        { settlement: 'cancelled', stage: 'done', outcome: 'cancelled', result, message: result.message },
        { type: 'settled', data: { decision, why, message: r.message } },
      );
      this.log.warn({ ref: record.ref, terminal: record.terminal }, `approved payment reversed: ${why}`);
    }
    if (job) job.record = current;
    // Completing changes nothing a receipt shows; a cancel turns the approval into a reversal.
    this.emitPayment(current, { receiptChanged: decision === 'cancel' });
    return true;
  }

  /** Links without two-phase completion: enforce requireAck by reversing an approved result the register never acknowledged. */
  private async afterFinalApproval(job: Job): Promise<void> {
    const ackSeconds = this.requireAckSecondsFor(job.record);
    if (ackSeconds === undefined || job.record.kind === 'reversal' || job.record.kind === 'preauth_cancel') return;
    const how = await this.awaitDelivery(job, ackSeconds);
    if (how === 'acknowledged') return;
    // The reversal is queued on the lane behind this job: schedule it without awaiting.
    void this.internalReversal(
      job.record,
      how === 'written'
        ? `the register did not acknowledge within ${ackSeconds} s`
        : 'the register did not receive the result',
    );
  }

  private async internalReversal(record: PaymentRecord, why: string): Promise<void> {
    this.journal.note(record.id, 'auto_reversal', { why });
    try {
      const handle = await this.submit(
        { listener: record.register, register: record.register, terminal: record.terminal },
        { kind: 'reversal', ref: record.ref },
      );
      await handle.result;
    } catch (e) {
      this.log.error({ err: e, ref: record.ref }, `could not reverse an unacknowledged payment: ${why}`);
      this.journal.note(record.id, 'auto_reversal_failed', { message: (e as Error).message });
    }
  }

  /**
   * Status 20 on a new request (spec §8.2). The terminal refuses new work while a transaction of ours is open on it:
   * one whose settlement was decided but not done, or one still in doubt (its answer was lost; the terminal may hold it
   * approved and waiting for COMPLETE_TX).
   * The first is settled as decided, the second is looked up and decided by the documented rule (recoverOne).
   * 'cleared' when every such transaction was dealt with; 'unknown' when the journal has none on this terminal.
   */
  private async settleOpenOnTerminal(lane: Lane, exceptId: string): Promise<'cleared' | 'failed' | 'unknown'> {
    const open = this.journal.unresolved(lane.id).filter((r) => r.id !== exceptId && r.driverRef);
    if (open.length === 0) return 'unknown';
    let ok = true;
    for (const r of open) {
      const done =
        r.settlement !== null
          ? await this.settle(lane, r, this.decisionFromJournal(r), 'an open transaction blocked the terminal')
          : await this.recoverOne(lane, r);
      ok = done && ok;
    }
    return ok ? 'cleared' : 'failed';
  }

  /** The documented rule after a crash: complete only what the register accepted; otherwise cancel (spec §8.1). */
  private decisionFromJournal(r: PaymentRecord): 'complete' | 'cancel' {
    if (r.settlement === 'complete' || r.settlement === 'cancel') return r.settlement;
    const needsAck = this.requireAckSecondsFor(r) !== undefined;
    if (r.acknowledgedAt || (r.deliveredAt && !needsAck)) return 'complete';
    return 'cancel';
  }

  // ---------------------------------------------------------------- recovery

  private async recoverLane(lane: Lane, atStart: boolean): Promise<void> {
    const work = async (): Promise<void> => {
      const before = lane.state;
      lane.state = 'recovering';
      this.emitTerminal(lane);
      let unresolved = 0;
      for (const r of this.journal.unresolved(lane.id)) {
        if (this.jobs.has(r.id)) continue;
        if (!(await this.recoverOne(lane, r))) unresolved++;
      }
      lane.state = before === 'offline' ? 'offline' : 'ready';
      if (atStart) lane.state = 'ready';
      this.emitTerminal(lane);
      if (unresolved > 0) this.scheduleRecovery(lane);
      else lane.recoveryDelay = this.opts.recoveryMinMs;
    };
    await new Promise<void>((resolve) => lane.queue.push(() => work().finally(resolve), undefined, true));
  }

  /** Resolves one unfinished payment by asking the terminal; false when it stays in doubt. */
  private async recoverOne(lane: Lane, r: PaymentRecord): Promise<boolean> {
    if (r.outcome === null && !r.driverRef) {
      this.journal.update(
        r.id,
        {
          outcome: 'failed',
          stage: 'done',
          message: 'Not sent to the terminal before the bridge stopped; nothing was charged',
          result: {
            ...resultOf(r),
            outcome: 'failed',
            message: 'Not sent to the terminal before the bridge stopped; nothing was charged',
          },
        },
        { type: 'recovered', data: { outcome: 'failed', reason: 'never_sent' } },
      );
      this.emitPayment(this.journal.get(r.id)!);
      return true;
    }
    if (r.settlement !== null && r.outcome === 'approved') {
      return this.settle(
        lane,
        r,
        this.decisionFromJournal(r),
        r.settlement === 'pending'
          ? 'the bridge restarted before the register accepted the approval'
          : 'settlement decided before the restart',
      );
    }
    this.journal.note(r.id, 'recovery_lookup');
    let found: TerminalOutcome | undefined;
    try {
      found = await lane.driver.lookup({
        kind: r.kind,
        reference: r.bridgeRef,
        ...(r.driverRef ? { driverRef: r.driverRef } : {}),
        amount: r.amount,
      });
    } catch (e) {
      this.log.warn({ err: e, ref: r.ref }, 'recovery lookup failed');
    }
    if (!found || found.outcome === 'in_doubt') {
      if (r.outcome !== 'in_doubt') {
        const message = 'The terminal could not tell yet what happened; the bridge keeps asking';
        this.journal.update(
          r.id,
          {
            outcome: 'in_doubt',
            stage: 'recovering',
            message,
            result: { ...resultOf(r), outcome: 'in_doubt', message },
          },
          { type: 'in_doubt' },
        );
        this.emitPayment(this.journal.get(r.id)!);
      }
      return false;
    }
    const result = buildResult(r, found);
    // An approval found only now was never accepted by the register (it got in_doubt at most): by the documented
    // rule it is reversed. The decision is recorded with the outcome, so no one is ever shown it as approved.
    const settlement = found.outcome === 'approved' && found.needsSettlement ? 'cancel' : null;
    const updated = this.journal.update(
      r.id,
      // The register has not seen this outcome yet (at most an in_doubt one): it is delivered anew.
      {
        outcome: found.outcome,
        stage: settlement ? 'cancelling' : 'done',
        settlement,
        result,
        message: found.message,
        deliveredAt: null,
        ...(found.raw ? { raw: { ...found.raw } } : {}),
      },
      { type: 'recovered', data: { outcome: found.outcome, settlement } },
    );
    if (found.outcome === 'approved' && updated.originalId) this.markOriginal(updated);
    this.emitPayment(updated);
    if (settlement)
      return this.settle(
        lane,
        updated,
        'cancel',
        'the approval reached the bridge only through recovery, after the register had stopped waiting',
      );
    return true;
  }

  private scheduleRecovery(lane: Lane): void {
    if (this.closed || lane.recoveryTimer) return;
    const wait = lane.recoveryDelay;
    lane.recoveryDelay = Math.min(lane.recoveryDelay * 2, this.opts.recoveryMaxMs);
    lane.recoveryTimer = setTimeout(() => {
      lane.recoveryTimer = undefined;
      void this.recoverLane(lane, false);
    }, wait);
    lane.recoveryTimer.unref();
  }

  /** Runs recovery for every terminal now (operator action, tests). */
  async recoverNow(): Promise<void> {
    await Promise.all(
      [...this.lanes.values()].map((l) => {
        if (l.recoveryTimer) clearTimeout(l.recoveryTimer);
        l.recoveryTimer = undefined;
        return this.recoverLane(l, false);
      }),
    );
  }

  // ---------------------------------------------------------------- health and views

  private async checkHealth(): Promise<void> {
    await Promise.all(
      [...this.lanes.values()].map(async (lane) => {
        if (lane.queue.running || lane.queue.length > 0) return;
        let health: TerminalHealth;
        await new Promise<void>((resolve) =>
          lane.queue.push(async () => {
            try {
              health = await lane.driver.health();
            } catch (e) {
              health = { online: false, checkedAt: new Date().toISOString(), message: (e as Error).message };
            }
            this.applyHealth(lane, health, true);
            resolve();
          }),
        );
      }),
    );
  }

  /**
   * A terminal's answer to a health check or probe: the lane goes offline or back to ready (never while it is busy
   * or recovering), the change is logged once and shown, and payments left open on it are recovered when it returns.
   * A probe's answer (`full` false) keeps what the last health check learnt about the terminal.
   */
  private applyHealth(lane: Lane, health: TerminalHealth, full: boolean): void {
    const wasOffline = lane.state === 'offline';
    const before = lane.health;
    lane.health =
      full || !before
        ? health
        : health.online === before.online
          ? before
          : { ...before, online: health.online, checkedAt: health.checkedAt, message: health.message };
    if (lane.state !== 'busy' && lane.state !== 'recovering') lane.state = health.online ? 'ready' : 'offline';
    if (!wasOffline && lane.state === 'offline')
      this.log.warn({ terminal: lane.id, message: health.message }, 'terminal offline');
    if (wasOffline && lane.state === 'ready')
      this.log.info({ terminal: lane.id, message: health.message }, 'terminal back online');
    if (full || lane.health !== before) this.emitTerminal(lane);
    if (wasOffline && health.online && this.journal.unresolved(lane.id).length > 0) this.scheduleRecovery(lane);
  }

  /** The idle liveness probe: only when nothing runs or waits on the terminal, through its queue like any request. */
  private async probe(lane: Lane): Promise<void> {
    if (
      this.closed ||
      !lane.driver.probe ||
      lane.queue.running ||
      lane.queue.length > 0 ||
      lane.state === 'busy' ||
      lane.state === 'recovering'
    )
      return;
    await new Promise<void>((resolve) =>
      lane.queue.push(async () => {
        try {
          const health = await lane.driver.probe!().catch((e: unknown): TerminalHealth => ({
            online: false,
            checkedAt: new Date().toISOString(),
            message: (e as Error).message,
          }));
          if (!this.closed) this.applyHealth(lane, health, false);
        } finally {
          resolve();
        }
      }),
    );
  }

  /**
   * A terminal known to be offline takes nothing: the register hears terminal_offline at once instead of waiting for
   * a connection that will not come, and nothing is recorded (the same ref can be sent again when it is back). The
   * terminal is probed again right away, so a terminal that has just returned is ready for the next try.
   */
  private refuseIfOffline(lane: Lane): void {
    if (lane.state !== 'offline') return;
    void this.probe(lane);
    throw new BridgeError(
      'terminal_offline',
      `terminal ${lane.id} is offline: ${lane.health?.message ?? 'it does not answer'}`,
    );
  }

  private terminalView(lane: Lane): TerminalView {
    return {
      id: lane.id,
      driver: lane.driver.info.driver,
      link: lane.driver.info.link,
      state: lane.state,
      queue: lane.queue.length,
      ...(lane.current ? { currentRef: lane.current.record.ref } : {}),
      ...(lane.health?.online ? { lastSeen: lane.health.checkedAt } : {}),
      ...(lane.health ? { message: lane.health.message } : {}),
      ...(lane.health?.terminalId ? { terminalId: lane.health.terminalId } : {}),
      ...(lane.currency ? { currency: lane.currency } : {}),
    };
  }

  private followUps(records: PaymentRecord[]): PaymentRecord[] {
    return records.filter((r) => r.opClass !== 'payment');
  }

  /**
   * Tells observers of a payment's change and keeps its stored receipt in step. `receiptChanged: false` where the
   * change touched only delivery, acknowledgement or settlement of a completed payment (none of them is on a
   * receipt): building and comparing the receipt again cost ~0.3 ms per change on the sale's path.
   */
  private emitPayment(record: PaymentRecord, o: { receiptChanged?: boolean } = {}): void {
    if (o.receiptChanged !== false) {
      try {
        // The receipt goes into the journal with the payment as soon as its outcome is final (and follows later changes).
        this.reports.storeReceipt(record);
      } catch (e) {
        this.log.warn({ err: e, ref: record.ref }, 'receipt could not be stored');
      }
    }
    this.emit('payment', viewOf(record));
  }

  private emitTerminal(lane: Lane): void {
    this.emit('terminal', this.terminalView(lane));
  }
}

function buildResult(record: PaymentRecord, outcome: TerminalOutcome): PaymentResult {
  return scrubCardData({
    ...outcome.fields,
    ref: record.ref,
    kind: record.kind,
    outcome: outcome.outcome,
    amount: record.amount,
    ...(record.tip ? { tip: record.tip } : {}),
    terminal: record.terminal,
    message: outcome.message,
    receiptNo: record.receiptNo,
    ...(outcome.cancelTookEffect !== undefined ? { cancelTookEffect: outcome.cancelTookEffect } : {}),
  });
}

const REF_RE = /^[\x21-\x7e][\x20-\x7e]{0,63}$/;

function checkRef(ref: unknown): string {
  if (typeof ref !== 'string' || !REF_RE.test(ref) || ref !== ref.trim()) {
    throw new BridgeError(
      'invalid_ref',
      'ref must be 1–64 printable ASCII characters without leading or trailing spaces',
    );
  }
  return ref;
}

function strongerDelivery(a: Delivery | undefined, b: Delivery): Delivery {
  const rank: Record<Delivery, number> = { undeliverable: 0, held: 1, written: 2, rejected: 3, acknowledged: 4 };
  return a === undefined || rank[b] >= rank[a] ? b : a;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
