import { BridgeError } from '../domain/errors';
import { opClassOf } from '../domain/settlement';
import type { Journal, PaymentRecord } from '../journal/journal';
import type { EscPosOptions, ReceiptRendering, ReceiptRequest, ReceiptWidth } from '../receipts/types';
import type { DayReports } from '../reports/day-reports';
import type { PaymentView, RegisterIdentity } from './api';
import { viewOf } from './views';

/**
 * What registers and the status page ask about payments: status, last, by receipt number, undelivered, recent,
 * receipts, a register's accounting period. Every answer reads the journal through the not-yet-durable overlay: a
 * payment whose outcome is committed but not yet flushed to disk (group commit) is shown as it was before, so nobody
 * is told an outcome a power cut could still take back.
 */
export interface ReceiptDefaults {
  width?: ReceiptWidth;
  escpos?: EscPosOptions;
  /** merchant.locale: a receipt's language unless the request names one */ locale?: string;
}

export interface QueriesOptions {
  readonly journal: Journal;
  readonly reports: DayReports;
  readonly receiptDefaults: ReceiptDefaults;
  /** True while the payment runs on its lane (its result goes to the register that waits for it). */
  readonly isRunning: (paymentId: string) => boolean;
}

export class Queries {
  /** Payments whose outcome is committed but not yet flushed to disk, as they were before it. */
  private readonly notYetDurable = new Map<string, PaymentRecord>();

  constructor(private readonly o: QueriesOptions) {}

  /** The overlay the payment run fills while a committed outcome waits for its flush. */
  readonly overlay = {
    hold: (before: PaymentRecord): void => void this.notYetDurable.set(before.id, before),
    release: (id: string): void => void this.notYetDurable.delete(id),
  };

  status(who: RegisterIdentity, ref: string): PaymentView | undefined {
    const records = this.allByRef(who.register, ref);
    const record = records.find((r) => r.opClass === 'payment') ?? records[0];
    return record ? viewOf(record, followUps(records)) : undefined;
  }

  last(who: RegisterIdentity): PaymentView | undefined {
    const r = this.o.journal.lastOfRegister(who.register);
    return r ? viewOf(this.reportable(r)) : undefined;
  }

  findByReceiptNo(who: RegisterIdentity, receiptNo: number): PaymentView | undefined {
    const r = this.o.journal.byReceiptNo(receiptNo);
    return r && r.register === who.register
      ? viewOf(this.reportable(r), followUps(this.allByRef(r.register, r.ref)))
      : undefined;
  }

  /**
   * Closes this register's accounting period (ZVT End-of-Day): the payments it received results for since its
   * previous close, then a new period starts.
   */
  closeDay(who: RegisterIdentity): PaymentView[] {
    const now = new Date().toISOString();
    const views = this.periodPayments(who, now);
    this.o.journal.setSetting(`last_close:${who.register}`, now);
    return views;
  }

  /** The payments of this register's open accounting period (what closeDay would return), without closing it. */
  periodPayments(who: RegisterIdentity, to = new Date().toISOString()): PaymentView[] {
    const from = this.o.journal.setting(`last_close:${who.register}`);
    const rows = this.o.journal
      .list({ register: who.register, ...(from ? { from } : {}), to, limit: 100_000 })
      .map((r) => this.reportable(r))
      .filter((r) => r.outcome !== null && r.deliveredAt !== null);
    return rows.reverse().map((r) => viewOf(r, followUps(this.allByRef(r.register, r.ref))));
  }

  /** Results of this register that were never delivered (and are not on their way to it now). */
  undelivered(who: RegisterIdentity): PaymentView[] {
    return this.o.journal
      .undelivered(who.register)
      .filter((r) => !this.o.isRunning(r.id))
      .map((r) => viewOf(r));
  }

  /** Recent payments for the status page. */
  recent(limit = 50): PaymentView[] {
    return this.o.journal.list({ limit }).map((r) => viewOf(this.reportable(r)));
  }

  receipt(who: RegisterIdentity, ref: string, request: ReceiptRequest = {}): ReceiptRendering | undefined {
    const records = this.allByRef(who.register, ref);
    const kind = request.kind;
    const record = kind
      ? records.find((r) => r.opClass === opClassOf(kind))
      : (records.find((r) => r.opClass === 'payment') ?? records[0]);
    return record ? this.receiptOf(record, request) : undefined;
  }

  receiptById(paymentId: string, request: ReceiptRequest = {}): ReceiptRendering | undefined {
    const stored = this.o.journal.get(paymentId);
    const record = stored && this.reportable(stored);
    if (!record || record.outcome === null || record.outcome === 'in_doubt') return undefined;
    return this.receiptOf(record, request);
  }

  private receiptOf(record: PaymentRecord, request: ReceiptRequest): ReceiptRendering {
    const defaults = this.o.receiptDefaults;
    const escpos = request.escpos === true ? (defaults.escpos ?? {}) : request.escpos;
    const locale = request.locale ?? defaults.locale;
    const rendering = this.o.reports.receipt(record, {
      ...request,
      width: request.width ?? defaults.width ?? 40,
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

  private allByRef(register: string, ref: string): PaymentRecord[] {
    return this.o.journal.allByRef(register, ref).map((r) => this.reportable(r));
  }

  /** A payment as it may be reported: without an outcome that is committed but not yet on disk. */
  private reportable(r: PaymentRecord): PaymentRecord {
    return this.notYetDurable.get(r.id) ?? r;
  }
}

function followUps(records: PaymentRecord[]): PaymentRecord[] {
  return records.filter((r) => r.opClass !== 'payment');
}
