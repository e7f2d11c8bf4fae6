/**
 * End of day, reconciliation and receipts over the journal — the work behind the BridgeApi methods and the
 * `register-bridge reconcile` command. The bridge hands in how to reach each terminal without disturbing payments;
 * the CLI hands in drivers of its own.
 */
import { renameSync } from 'node:fs';
import { ensurePrivateDir, writePrivateFile } from '../os/private-files';
import { join } from 'node:path';
import type { Environment, Journal, PaymentRecord } from '../journal/journal';
import type { BatchCloseResult } from '../terminal/driver';
import { receiptData } from '../receipts/build';
import { renderReceipt } from '../receipts/index';
import type { ReceiptData, ReceiptRendering, ReceiptRequest, ReceiptSettings } from '../receipts/types';
import { businessDayOf, businessDayWindow, type BusinessDaySettings, type BusinessDayWindow } from './business-day';
import { fetchHostView, type HostAccess, type HostOptions } from './host';
import { reconcile, type HostView, type ReconciliationReport, type TerminalSource } from './reconcile';
import { dayTotals, type DayTotals } from './totals';
import { reconciliationCsv, reconciliationJson, totalsCsv, totalsJson } from '../shared/report-export';

export interface DayQuery {
  /** Business day `YYYY-MM-DD`; default the one running now. */
  readonly day?: string;
  /** Only this terminal's payments. */
  readonly terminal?: string;
  /** Only this register's payments (e.g. "pos/till-1"). */
  readonly register?: string;
  /**
   * myPOS's environment: "live" counts Live payments, "demo" Demo ones; the two are never added up together.
   * Payments of links without environments (IPP) count as the bridge's own environment, which is also the default:
   * Demo when every terminal is a Demo ePOS terminal, else Live.
   */
  readonly environment?: Environment;
}

export interface BatchOutcome extends BatchCloseResult {
  readonly terminal: string;
}

/** A closed day: its totals, what each terminal's batch did, and whether a reconciliation follows. */
export interface EndOfDayReport extends DayTotals {
  readonly closedAt: string;
  readonly batches: BatchOutcome[];
  /** "scheduled": a reconciliation of the day runs now and is stored when done; "off": not configured. */
  readonly reconciliation: 'scheduled' | 'off';
  /**
   * The same day's payments of the other environment (Demo beside a Live day, e.g. before a terminal went live),
   * totalled apart and never in the figures above; absent when there were none.
   */
  readonly otherEnvironment?: DayTotals;
}

export interface DayReportSettings {
  readonly businessDay?: BusinessDaySettings;
  readonly receipts?: ReceiptSettings;
  /** Directory for CSV/JSON exports (the data dir's `reports/`); unset: nothing written to files. */
  readonly exportDir?: string;
  /** Reconcile automatically after each end of day; default true. */
  readonly reconcileAfterEndOfDay?: boolean;
  readonly host?: HostOptions;
  readonly now?: () => Date;
}

/** Why a terminal's batch was not closed, per link (end of day §3 of docs/receipts.md). */
export function noBatchClose(driver: string): string {
  if (driver === 'ipp' || driver === 'simulator') {
    return 'IPP has no batch close in its public protocol (CLEAR_BATCH appears only in the myPOS SDK); the terminal settles with its host by itself';
  }
  if (driver === 'epos')
    return 'the myPOS API Gateway documents no batch close for ePOS terminals; myPOS settles them by itself';
  return 'this link has no batch close';
}

function isReceiptData(v: unknown): v is ReceiptData {
  return (
    !!v &&
    typeof v === 'object' &&
    (v as { version?: unknown }).version === 1 &&
    typeof (v as { paymentId?: unknown }).paymentId === 'string'
  );
}

export class DayReports {
  private readonly now: () => Date;

  constructor(
    private readonly journal: Journal,
    private readonly hosts: () => HostAccess[],
    private readonly settings: DayReportSettings = {},
  ) {
    this.now = settings.now ?? (() => new Date());
  }

  window(day?: string): BusinessDayWindow {
    return businessDayWindow(day, this.settings.businessDay, this.now());
  }

  businessDayOf(instant: Date): string {
    return businessDayOf(instant, this.settings.businessDay);
  }

  /** The bridge's environment: Demo when every terminal is a Demo ePOS terminal, else Live. */
  environment(): Environment {
    const hosts = this.hosts();
    return hosts.length > 0 && hosts.every((h) => h.driver?.info.environment === 'demo') ? 'demo' : 'live';
  }

  private originalOf = (r: PaymentRecord): PaymentRecord | undefined =>
    r.originalId ? this.journal.get(r.originalId) : undefined;

  /** Totals of a business day so far (nothing is closed). */
  totals(q: DayQuery = {}): DayTotals {
    const w = this.window(q.day);
    const own = this.environment();
    const environment = q.environment ?? own;
    // A payment without an environment (IPP, or recorded before environments were) is the bridge's own.
    const records = this.journal.createdBetween(w.from, w.to).filter((r) => (r.environment ?? own) === environment);
    return dayTotals(records, {
      environment,
      window: w,
      originalOf: this.originalOf,
      ...(q.terminal !== undefined ? { terminal: q.terminal } : {}),
      ...(q.register !== undefined ? { register: q.register } : {}),
      now: this.now(),
    });
  }

  /**
   * Closes a business day: totals, each terminal's batch where the link supports it, the report stored in the journal
   * (and exported), then — unless switched off — `afterClose` runs the day's reconciliation.
   */
  async endOfDay(q: DayQuery = {}, afterClose?: (day: string) => void): Promise<EndOfDayReport> {
    const totals = this.totals(q);
    const batches: BatchOutcome[] = [];
    for (const h of this.hosts()) {
      if (q.terminal !== undefined && h.terminal !== q.terminal) continue;
      const driver = h.driver;
      if (!driver?.closeBatch) {
        batches.push({
          terminal: h.terminal,
          closed: false,
          message: driver
            ? noBatchClose(driver.info.driver)
            : (h.unavailable ?? 'the terminal cannot be reached from here'),
        });
        continue;
      }
      const run = h.run ?? (<T>(fn: () => Promise<T>) => fn());
      try {
        batches.push({ terminal: h.terminal, ...(await run(() => driver.closeBatch!())) });
      } catch (e) {
        batches.push({ terminal: h.terminal, closed: false, message: `batch close failed: ${(e as Error).message}` });
      }
    }
    const reconcileAfter =
      this.settings.reconcileAfterEndOfDay !== false && q.register === undefined && q.terminal === undefined;
    const other = this.totals({ ...q, environment: (totals.environment ?? 'live') === 'live' ? 'demo' : 'live' });
    const hasOther = Object.values(other.counts).some((n) => n > 0);
    const report: EndOfDayReport = {
      ...totals,
      closedAt: this.now().toISOString(),
      batches,
      reconciliation: reconcileAfter ? 'scheduled' : 'off',
      ...(hasOther ? { otherEnvironment: other } : {}),
    };
    this.journal.recordDayClose('bridge', totals.businessDay, report);
    this.export(`end-of-day-${totals.businessDay}`, { json: totalsJson(report), csv: totalsCsv(report) });
    if (reconcileAfter) afterClose?.(totals.businessDay);
    return report;
  }

  /** The most recent end of day (any business day). */
  lastEndOfDay(): EndOfDayReport | undefined {
    return this.journal.lastDayClose('bridge')?.report as EndOfDayReport | undefined;
  }

  /** Reconciles a business day with each terminal's host; the report is stored in the journal and exported. */
  async reconcile(q: { day?: string } = {}): Promise<ReconciliationReport> {
    const w = this.window(q.day);
    // Each host knows only its own environment's payments: a terminal switched to Live today is reconciled with its
    // Live payments, its Demo ones (another host that shares nothing) are not expected there.
    const envOf = new Map(this.hosts().map((h) => [h.terminal, h.driver?.info.environment]));
    const records = this.journal
      .createdBetween(w.from, w.to)
      .filter(
        (r) =>
          r.environment === undefined || envOf.get(r.terminal) === undefined || r.environment === envOf.get(r.terminal),
      );
    const hosts = new Map<string, HostView>();
    const sources: TerminalSource[] = [];
    for (const h of this.hosts()) {
      const { view, source } = await fetchHostView(h, w, records, this.settings.host);
      hosts.set(h.terminal, view);
      sources.push(source);
    }
    const report = reconcile({
      window: w,
      records,
      hosts,
      sources,
      knownElsewhere: (tx) =>
        (tx.hostId !== undefined && this.journal.findByDriverRef(tx.hostId).length > 0) ||
        (tx.reference !== undefined && this.journal.findByBridgeRef(tx.reference) !== undefined),
      now: this.now(),
    });
    this.journal.saveReconciliation(w.day, report);
    this.export(`reconciliation-${w.day}`, { json: reconciliationJson(report), csv: reconciliationCsv(report) });
    return report;
  }

  latestReconciliation(day?: string): ReconciliationReport | undefined {
    return this.journal.latestReconciliation(day)?.report as ReconciliationReport | undefined;
  }

  // ---------------------------------------------------------------- receipts

  /** A final record's receipt data, stored with the payment (refreshed when the payment's state changes). */
  storeReceipt(record: PaymentRecord): void {
    if (record.outcome === null || record.outcome === 'in_doubt') return;
    this.journal.putReceipt(record.id, receiptData(record, this.originalOf(record), this.settings.receipts));
  }

  /** The receipt of a record: the stored one, else built from the journal now. Undefined while the outcome is open. */
  receipt(record: PaymentRecord, request: ReceiptRequest = {}): ReceiptRendering | undefined {
    if (record.outcome === null || record.outcome === 'in_doubt') return undefined;
    const stored = this.journal.receipt(record.id);
    const data =
      isReceiptData(stored) && stored.outcome === record.outcome
        ? stored
        : receiptData(record, this.originalOf(record), this.settings.receipts);
    return renderReceipt(data, request);
  }

  private export(name: string, files: { json: string; csv: string }): void {
    const dir = this.settings.exportDir;
    if (!dir) return;
    ensurePrivateDir(dir);
    for (const [ext, text] of Object.entries(files)) {
      const target = join(dir, `${name}.${ext}`);
      const tmp = `${target}.tmp`;
      writePrivateFile(tmp, text);
      renameSync(tmp, target);
    }
  }
}
