/**
 * The journal's records: a payment as the bridge reads it, the changes it writes, and how a row of the payments table
 * becomes a record (journal.ts does the reading and writing).
 */
import type { Money } from '../domain/money';
import type { Outcome, Stage, TransactionKind } from '../domain/vocabulary';
import type { PaymentResult } from '../domain/payment';
import type { OpClass, Settlement } from '../domain/settlement';

export interface PaymentRecord {
  readonly id: string;
  readonly register: string;
  readonly ref: string;
  readonly opClass: OpClass;
  readonly kind: TransactionKind;
  readonly amount: Money;
  readonly tip: number;
  readonly terminal: string;
  readonly originalId: string | null;
  readonly bridgeRef: string;
  readonly driverRef: string | null;
  readonly receiptNo: number;
  readonly stage: Stage;
  readonly outcome: Outcome | null;
  readonly settlement: Settlement | null;
  readonly result: PaymentResult | null;
  readonly raw: Record<string, string> | null;
  readonly message: string;
  readonly deliveredAt: string | null;
  readonly acknowledgedAt: string | null;
  readonly reversedBy: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The myPOS environment of the terminal it ran on (ePOS terminals); absent for links without one. */
  readonly environment?: Environment;
}

/** myPOS's two environments, which share nothing (credentials, merchants, terminals, payments). */
export type Environment = 'demo' | 'live';

/** A terminal switched from one environment to the other, with the check that allowed it. */
export interface EnvironmentSwitch {
  readonly terminal: string;
  readonly from: Environment;
  readonly to: Environment;
  readonly at: string;
  readonly check: unknown;
}

export interface NewPayment {
  register: string;
  ref: string;
  kind: TransactionKind;
  amount: Money;
  tip: number;
  terminal: string;
  originalId?: string;
  environment?: Environment;
}

export interface PaymentPatch {
  stage?: Stage;
  outcome?: Outcome | null;
  settlement?: Settlement | null;
  driverRef?: string;
  result?: PaymentResult;
  raw?: Record<string, string>;
  message?: string;
  deliveredAt?: string | null;
  acknowledgedAt?: string;
  reversedBy?: string;
}

export interface PaymentUpdateOptions {
  /**
   * `true`: the commit takes its own fsync; `'grouped'`: it is made durable by the next group flush, and the caller
   * awaits `journal.durable()` before acting on it (wal-flusher.ts); `false`: it rides on whatever flush or fsync
   * comes next. Default: the rule of durability.ts for the event's type (bridge/lifecycle.ts names them) — false only for changes recovery can redo
   * (progress stages, delivery to the register, the settled mark after COMPLETE_TX), true otherwise. The write-ahead
   * log is appended in order, so any flush makes everything before it durable and a power cut loses only commits
   * since the last one. (A killed process loses nothing either way: the OS still has the pages.)
   */
  durable?: Durability;
}

/** See Journal.tx: own fsync, group flush awaited by the caller, or riding on the next flush. */
export type Durability = boolean | 'grouped';

export interface JournalEvent {
  readonly seq: number;
  readonly paymentId: string;
  readonly at: string;
  readonly type: string;
  readonly data: unknown;
}

export interface ListQuery {
  ref?: string;
  register?: string;
  outcome?: Outcome | 'open';
  from?: string;
  to?: string;
  amount?: number;
  terminal?: string;
  limit?: number;
}

/** A stored day close or reconciliation report. */
export interface StoredReport {
  readonly seq: number;
  readonly businessDay: string;
  readonly at: string;
  readonly report: unknown;
}

export type Row = Record<string, unknown>;

/** The column of each field a change may set. */
export const COLUMNS: Record<keyof PaymentPatch, string> = {
  stage: 'stage',
  outcome: 'outcome',
  settlement: 'settlement',
  driverRef: 'driver_ref',
  result: 'result_json',
  raw: 'raw_json',
  message: 'message',
  deliveredAt: 'delivered_at',
  acknowledgedAt: 'acknowledged_at',
  reversedBy: 'reversed_by',
};

/** Columns stored exactly as given: identifiers and timestamps, never free text that could carry card data. */
export const VERBATIM_COLUMNS: ReadonlySet<keyof PaymentPatch> = new Set([
  'driverRef',
  'reversedBy',
  'deliveredAt',
  'acknowledgedAt',
  'stage',
  'outcome',
  'settlement',
]);

function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

export function toRecord(r: Row): PaymentRecord {
  return {
    id: String(r.id),
    register: String(r.register),
    ref: String(r.ref),
    opClass: String(r.op_class) as OpClass,
    kind: String(r.kind) as TransactionKind,
    amount: { minor: Number(r.amount), currency: String(r.currency) },
    tip: Number(r.tip),
    terminal: String(r.terminal),
    originalId: str(r.original_id),
    bridgeRef: String(r.bridge_ref),
    driverRef: str(r.driver_ref),
    receiptNo: Number(r.receipt_no),
    stage: String(r.stage) as Stage,
    outcome: str(r.outcome) as Outcome | null,
    settlement: str(r.settlement) as Settlement | null,
    result: r.result_json == null ? null : (JSON.parse(String(r.result_json)) as PaymentResult),
    raw: r.raw_json == null ? null : (JSON.parse(String(r.raw_json)) as Record<string, string>),
    message: String(r.message ?? ''),
    deliveredAt: str(r.delivered_at),
    acknowledgedAt: str(r.acknowledged_at),
    reversedBy: str(r.reversed_by),
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
    ...(r.environment === 'demo' || r.environment === 'live' ? { environment: r.environment } : {}),
  };
}

export function patchSummary(patch: PaymentPatch): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || k === 'raw') continue;
    out[k] = v;
  }
  return out;
}
