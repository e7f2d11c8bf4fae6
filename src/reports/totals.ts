/**
 * End-of-day totals from the journal: per currency, per card scheme and per transaction type, in integer minor
 * units. Each payment counts on the business day it was made; a reversal counts on the day it was made (usually the
 * same day) and nets out the payment it voided. Open payments (in_doubt, still running, or approved but not yet
 * confirmed with the terminal) are listed apart and are in no total.
 *
 * Balances (checked by tests, to the cent):
 *   net = sales − reversals − refunds + refundReversals           (per currency and per scheme)
 *   currency net = Σ scheme nets = Σ type nets
 */
import type { PaymentRecord } from '../journal/journal';
import type { Outcome, TransactionKind } from '../domain/vocabulary';
import { TRANSACTION_KINDS } from '../domain/vocabulary';
import type { BusinessDayWindow } from './business-day';

export interface Sum {
  count: number;
  /** Minor units. */
  minor: number;
}

export interface SchemeTotals {
  readonly scheme: string;
  readonly sales: Sum;
  readonly refunds: Sum;
  readonly reversals: Sum;
  readonly refundReversals: Sum;
  readonly net: number;
}

export interface TypeTotals {
  readonly kind: TransactionKind;
  /** Approved ones. */
  readonly approved: Sum;
  readonly declined: number;
  readonly cancelled: number;
  readonly failed: number;
  /** Signed contribution to the currency's net. */
  readonly net: number;
}

export interface CurrencyTotals {
  readonly currency: string;
  /** Approved sales and pre-authorisation completions, tips included (also those reversed later). */
  readonly sales: Sum;
  /** Tips inside `sales`. */
  readonly tips: Sum;
  /** Approved refunds. */
  readonly refunds: Sum;
  /** Approved reversals of sales and completions (amount voided, tip included). */
  readonly reversals: Sum;
  /** Approved reversals of refunds. */
  readonly refundReversals: Sum;
  /** Approved pre-authorisations (holds; not in `net`). */
  readonly preauths: Sum;
  /** Money taken: sales − reversals − refunds + refundReversals. May be negative. */
  readonly net: number;
  readonly schemes: SchemeTotals[];
  readonly types: TypeTotals[];
}

export interface OpenItem {
  readonly id: string;
  readonly register: string;
  readonly ref: string;
  readonly kind: TransactionKind;
  readonly terminal: string;
  readonly minor: number;
  readonly currency: string;
  readonly outcome: Outcome | 'running';
  readonly settlement: string | null;
  readonly createdAt: string;
  readonly message: string;
}

export interface DayTotals {
  readonly businessDay: string;
  readonly from: string;
  readonly to: string;
  readonly timeZone: string;
  readonly cutoffHour: number;
  readonly generatedAt: string;
  /** "demo" for the totals of myPOS Demo payments; absent: Live and links without environments. Never both in one. */
  readonly environment?: 'demo';
  /** Filters the totals were made with. */
  readonly terminal?: string;
  readonly register?: string;
  readonly currencies: CurrencyTotals[];
  /** Payments without a final word yet: in no total. */
  readonly inDoubt: OpenItem[];
  readonly counts: { approved: number; declined: number; cancelled: number; failed: number; open: number };
}

/** Not final for accounting: no outcome, in_doubt, or approved while the terminal's completion is not done. */
export function isOpen(r: PaymentRecord): boolean {
  if (r.outcome === null || r.outcome === 'in_doubt') return true;
  return (
    r.outcome === 'approved' && (r.settlement === 'pending' || r.settlement === 'complete' || r.settlement === 'cancel')
  );
}

export const UNKNOWN_SCHEME = 'UNKNOWN';

function schemeOf(r: PaymentRecord, original: PaymentRecord | undefined): string {
  const s = r.result?.cardScheme ?? original?.result?.cardScheme;
  return typeof s === 'string' && s.trim() ? s.trim().toUpperCase() : UNKNOWN_SCHEME;
}

const zero = (): Sum => ({ count: 0, minor: 0 });
const add = (s: Sum, minor: number): void => {
  s.count++;
  s.minor += minor;
};

interface MutableScheme {
  sales: Sum;
  refunds: Sum;
  reversals: Sum;
  refundReversals: Sum;
}

interface MutableCurrency extends MutableScheme {
  tips: Sum;
  preauths: Sum;
  schemes: Map<string, MutableScheme>;
  types: Map<TransactionKind, { approved: Sum; declined: number; cancelled: number; failed: number; net: number }>;
}

export interface TotalsOptions {
  readonly window: BusinessDayWindow;
  /** Recorded in the totals: whose payments `records` are (Live when absent). */
  readonly environment?: 'live' | 'demo';
  /** The payment a follow-up acts on (may be of another day). */
  readonly originalOf: (r: PaymentRecord) => PaymentRecord | undefined;
  readonly terminal?: string;
  readonly register?: string;
  readonly now?: Date;
}

/** Totals of the records of one business day (`records` are those created inside the window). */
export function dayTotals(records: readonly PaymentRecord[], options: TotalsOptions): DayTotals {
  const w = options.window;
  const currencies = new Map<string, MutableCurrency>();
  const inDoubt: OpenItem[] = [];
  const counts = { approved: 0, declined: 0, cancelled: 0, failed: 0, open: 0 };
  const currencyOf = (code: string): MutableCurrency => {
    let c = currencies.get(code);
    if (!c) {
      c = {
        sales: zero(),
        tips: zero(),
        refunds: zero(),
        reversals: zero(),
        refundReversals: zero(),
        preauths: zero(),
        schemes: new Map(),
        types: new Map(),
      };
      currencies.set(code, c);
    }
    return c;
  };
  for (const r of records) {
    if (r.createdAt < w.from || r.createdAt >= w.to) continue;
    if (options.terminal !== undefined && r.terminal !== options.terminal) continue;
    if (options.register !== undefined && r.register !== options.register) continue;
    if (isOpen(r)) {
      counts.open++;
      inDoubt.push({
        id: r.id,
        register: r.register,
        ref: r.ref,
        kind: r.kind,
        terminal: r.terminal,
        minor: r.amount.minor,
        currency: r.amount.currency,
        outcome: r.outcome ?? 'running',
        settlement: r.settlement,
        createdAt: r.createdAt,
        message: r.message,
      });
      continue;
    }
    const c = currencyOf(r.amount.currency);
    let type = c.types.get(r.kind);
    if (!type) {
      type = { approved: zero(), declined: 0, cancelled: 0, failed: 0, net: 0 };
      c.types.set(r.kind, type);
    }
    const outcome = r.outcome as Exclude<Outcome, 'in_doubt'>;
    if (outcome !== 'approved') {
      counts[outcome]++;
      type[outcome]++;
      continue;
    }
    counts.approved++;
    const original = r.originalId ? options.originalOf(r) : undefined;
    const schemeName = schemeOf(r, original);
    let scheme = c.schemes.get(schemeName);
    if (!scheme) {
      scheme = { sales: zero(), refunds: zero(), reversals: zero(), refundReversals: zero() };
      c.schemes.set(schemeName, scheme);
    }
    const total = r.amount.minor + r.tip;
    switch (r.kind) {
      case 'sale':
      case 'completion':
        add(c.sales, total);
        add(scheme.sales, total);
        add(type.approved, total);
        type.net += total;
        if (r.tip > 0) add(c.tips, r.tip);
        break;
      case 'refund':
        add(c.refunds, total);
        add(scheme.refunds, total);
        add(type.approved, total);
        type.net -= total;
        break;
      case 'reversal': {
        // The amount voided is the original's, tip included (the reversal record carries the amount only).
        const voided = original ? original.amount.minor + original.tip : r.amount.minor;
        add(type.approved, voided);
        if (original?.kind === 'refund') {
          add(c.refundReversals, voided);
          add(scheme.refundReversals, voided);
          type.net += voided;
        } else {
          add(c.reversals, voided);
          add(scheme.reversals, voided);
          type.net -= voided;
        }
        break;
      }
      case 'preauth':
        add(c.preauths, r.amount.minor);
        add(type.approved, r.amount.minor);
        break;
      case 'preauth_cancel':
        add(type.approved, r.amount.minor);
        break;
    }
  }
  const net = (s: MutableScheme): number =>
    s.sales.minor - s.reversals.minor - s.refunds.minor + s.refundReversals.minor;
  const out: CurrencyTotals[] = [...currencies.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, c]) => ({
      currency,
      sales: c.sales,
      tips: c.tips,
      refunds: c.refunds,
      reversals: c.reversals,
      refundReversals: c.refundReversals,
      preauths: c.preauths,
      net: net(c),
      schemes: [...c.schemes.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([scheme, s]) => ({ scheme, ...s, net: net(s) })),
      types: TRANSACTION_KINDS.filter((k) => c.types.has(k)).map((k) => ({ kind: k, ...c.types.get(k)! })),
    }));
  return {
    businessDay: w.day,
    from: w.from,
    to: w.to,
    timeZone: w.timeZone,
    cutoffHour: w.cutoffHour,
    generatedAt: (options.now ?? new Date()).toISOString(),
    // Live is what a day's totals always were: only Demo totals say whose they are.
    ...(options.environment === 'demo' ? { environment: 'demo' as const } : {}),
    ...(options.terminal !== undefined ? { terminal: options.terminal } : {}),
    ...(options.register !== undefined ? { register: options.register } : {}),
    currencies: out,
    inDoubt,
    counts,
  };
}
