/**
 * Reconciliation: the journal's payments of one business day against the host's record of the same day, sorted
 * into matched, missing at the host, missing in the journal, amount mismatch, status mismatch, in_doubt still open,
 * and unverified (the host could not be asked). Pure: the host's side is fetched beforehand (host.ts).
 *
 * Comparison is on whether money moved. Journal: approved (charged), reversed (approved, then voided), not charged
 * (declined, cancelled, failed), open (in_doubt, running, or approved but not yet confirmed with the terminal).
 * Host: approved, reversed, declined (not charged), unknown (words we cannot read: always reported).
 *
 *   journal \ host   | no record        | approved                    | reversed / declined | unknown
 *   approved         | missing_at_host  | matched, or amount_mismatch | status_mismatch     | status_mismatch
 *   reversed         | matched          | status_mismatch             | matched             | status_mismatch
 *   not charged      | matched          | status_mismatch             | matched             | status_mismatch
 *   open             | in_doubt (whatever the host says; its word is attached)
 *
 * Amounts: the host's amount must equal the journal's amount, or amount + tip (whether the host's amount includes
 * the tip is not documented: mypos-api-gateway.md §12.6, mypos-ipp.md §14.5), in the same currency.
 * Host records not matched to a journal payment of the day are "missing in the journal" when their time falls in
 * the business day (or is not given) and no journal payment of another day carries their id or reference.
 *
 * Totals per currency (checked by tests, to the cent): what the journal says was charged and what the host says was
 * charged over the compared items (in_doubt and unverified ones are not compared), and their difference, which is
 * exactly the sum of the discrepancies' own differences (matched items differ by 0):
 *   host.minor − journal.minor = difference = Σ item.difference
 * (an item whose amounts cannot be set against each other — another currency, a host amount that could not be read
 * exactly — has no difference of its own and is flagged as amount_mismatch; its readable sides still count).
 * Amounts are gross (sales, refunds and completions alike, tip included unless the host shows the amount without it):
 * the host's list does not say which way money moved.
 */
import type { Money } from '../domain/money';
import type { TransactionKind } from '../domain/vocabulary';
import type { PaymentRecord } from '../journal/journal';
import type { HostStatus, HostTransaction } from '../terminal/driver';
import type { BusinessDayWindow } from './business-day';
import { isOpen } from './totals';
import { coreText, said, type CoreText } from '../i18n/say';
import { zonedInstant } from '../domain/time-zone';

export const RECON_KINDS = [
  'matched',
  'missing_at_host',
  'missing_in_journal',
  'amount_mismatch',
  'status_mismatch',
  'in_doubt',
  'unverified',
] as const;
export type ReconKind = (typeof RECON_KINDS)[number];
export type JournalStatus = 'approved' | 'reversed' | 'not_charged' | 'open';

/** Kinds that move (or hold) money and appear in a host's record; follow-ups show as the original's status. */
export const RECONCILED_KINDS: ReadonlySet<TransactionKind> = new Set(['sale', 'refund', 'preauth', 'completion']);

export interface ReconItem {
  readonly kind: ReconKind;
  readonly terminal: string;
  readonly paymentId?: string;
  readonly register?: string;
  readonly ref?: string;
  readonly journalKind?: TransactionKind;
  readonly journalStatus?: JournalStatus;
  readonly journalAmount?: Money;
  readonly tip?: number;
  readonly createdAt?: string;
  readonly hostStatus?: HostStatus;
  readonly hostStatusText?: string;
  readonly hostAmount?: Money;
  readonly hostAmountText?: string;
  readonly hostId?: string;
  readonly reference?: string;
  readonly hostAt?: string | null;
  /**
   * Minor units the host shows charged minus what the journal shows charged, for a compared item in one currency
   * (0 when matched). Absent for in_doubt, unverified, and items whose amounts cannot be set against each other.
   */
  readonly difference?: number;
  readonly note: string;
  /** The note as a coded text, which the page writes in its language. */
  readonly noteCode?: CoreText;
}

/** Charged amounts of the compared items of one currency. */
export interface ReconTotals {
  readonly currency: string;
  /** Items the journal shows charged (approved, not reversed), and their amount. */
  readonly journal: { count: number; minor: number };
  /** Items the host shows charged with an amount it gave exactly, and their amount. */
  readonly host: { count: number; minor: number };
  /** host.minor − journal.minor. */
  readonly difference: number;
}

export interface TerminalSource {
  readonly terminal: string;
  /** host_list: the host's transaction list; terminal_lookup: the terminal asked per payment; none: not asked. */
  readonly source: 'host_list' | 'terminal_lookup' | 'none';
  /** False when the host could not be read (its items are then unverified). */
  readonly ok: boolean;
  readonly message: string;
}

export interface ReconciliationReport {
  readonly businessDay: string;
  readonly from: string;
  readonly to: string;
  readonly timeZone: string;
  readonly cutoffHour: number;
  readonly generatedAt: string;
  readonly terminals: TerminalSource[];
  readonly matched: ReconItem[];
  readonly missingAtHost: ReconItem[];
  readonly missingInJournal: ReconItem[];
  readonly amountMismatch: ReconItem[];
  readonly statusMismatch: ReconItem[];
  readonly inDoubt: ReconItem[];
  readonly unverified: ReconItem[];
  readonly summary: Record<ReconKind, number>;
  /** Per currency, sorted by code. */
  readonly totals: ReconTotals[];
  /** No discrepancy and nothing open. */
  readonly clean: boolean;
}

/** The host's side for one terminal. */
export type HostView =
  /** The host's list for the day with a margin of a day either side (items are matched across midnight). */
  | { readonly kind: 'list'; readonly transactions: readonly HostTransaction[] }
  /** Answers per journal payment id: a transaction, null (the host has no record), undefined (could not tell). */
  | { readonly kind: 'lookup'; readonly results: ReadonlyMap<string, HostTransaction | null | undefined> }
  | { readonly kind: 'none' };

export interface ReconcileInput {
  readonly window: BusinessDayWindow;
  /** Journal records created in the window (any kind). */
  readonly records: readonly PaymentRecord[];
  /** The host's side per journal terminal id; a terminal without an entry is unverified. */
  readonly hosts: ReadonlyMap<string, HostView>;
  readonly sources: readonly TerminalSource[];
  /** True when a journal payment outside the day carries this host record's id or reference. */
  readonly knownElsewhere?: (tx: HostTransaction) => boolean;
  readonly now?: Date;
}

export function journalStatus(r: PaymentRecord): JournalStatus {
  if (isOpen(r)) return 'open';
  if (r.outcome === 'approved') return r.reversedBy ? 'reversed' : 'approved';
  return 'not_charged';
}

/** A host timestamp as an instant: with an offset as given, without one in the business day's time zone. */
export function hostInstant(at: string | null, timeZone: string): number | undefined {
  if (!at) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(at.trim());
  if (!m) return undefined;
  if (m[8]) {
    const t = Date.parse(at.trim());
    return Number.isNaN(t) ? undefined : t;
  }
  const parts = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6]),
  };
  return zonedInstant(parts, timeZone).getTime();
}

function amountsAgree(r: PaymentRecord, host: HostTransaction): boolean {
  if (!host.amount || host.amount.currency !== r.amount.currency) return false;
  return host.amount.minor === r.amount.minor || (r.tip > 0 && host.amount.minor === r.amount.minor + r.tip);
}

/** A note of the `recon` texts: its English words and its code. */
function note(text: CoreText): { note: string; noteCode: CoreText } {
  return said('note', text);
}

function compare(
  r: PaymentRecord,
  js: Exclude<JournalStatus, 'open'>,
  host: HostTransaction | null,
): { kind: ReconKind; note: string; noteCode: CoreText } {
  if (host === null) {
    if (js === 'approved') return { kind: 'missing_at_host', ...note(coreText('recon.missingAtHost')) };
    return {
      kind: 'matched',
      ...(js === 'reversed' ? note(coreText('recon.reversedNothingToPay')) : note(coreText('recon.notChargedNothing'))),
    };
  }
  if (host.status === 'unknown')
    return {
      kind: 'status_mismatch',
      ...note(coreText('recon.statusNotUnderstood', { status: host.statusText })),
    };
  if (host.status === 'approved') {
    if (js !== 'approved')
      return {
        kind: 'status_mismatch',
        ...(js === 'reversed'
          ? note(coreText('recon.reversedHostCharged'))
          : note(coreText('recon.notChargedHostCharged'))),
      };
    if (amountsAgree(r, host)) return { kind: 'matched', ...note(coreText('recon.same')) };
    return {
      kind: 'amount_mismatch',
      ...(host.amount
        ? note(coreText('recon.otherAmount'))
        : note(coreText('recon.amountUnreadable', { amount: host.amountText ?? '' }))),
    };
  }
  if (js === 'approved')
    return {
      kind: 'status_mismatch',
      ...note(coreText('recon.hostShows', { status: [coreText(`recon.hostStatus.${host.status}`)] })),
    };
  return { kind: 'matched', ...note(coreText('recon.neitherCharged')) };
}

function hostFields(host: HostTransaction | null | undefined): Partial<ReconItem> {
  if (!host) return {};
  return {
    hostStatus: host.status,
    hostStatusText: host.statusText,
    ...(host.amount ? { hostAmount: host.amount } : {}),
    ...(host.amountText !== undefined ? { hostAmountText: host.amountText } : {}),
    ...(host.hostId ? { hostId: host.hostId } : {}),
    ...(host.reference ? { reference: host.reference } : {}),
    hostAt: host.at,
  };
}

function journalFields(r: PaymentRecord, js: JournalStatus): Partial<ReconItem> {
  return {
    paymentId: r.id,
    register: r.register,
    ref: r.ref,
    journalKind: r.kind,
    journalStatus: js,
    journalAmount: r.amount,
    ...(r.tip ? { tip: r.tip } : {}),
    createdAt: r.createdAt,
  };
}

/** Index of a host list by every key a journal record can be matched on. */
class HostIndex {
  private readonly used = new Set<HostTransaction>();
  private readonly byId = new Map<string, HostTransaction[]>();
  private readonly byRef = new Map<string, HostTransaction[]>();
  private readonly byRrn = new Map<string, HostTransaction[]>();
  constructor(readonly items: readonly HostTransaction[]) {
    const put = (m: Map<string, HostTransaction[]>, k: string | undefined, t: HostTransaction): void => {
      if (!k) return;
      const list = m.get(k) ?? [];
      list.push(t);
      m.set(k, list);
    };
    for (const t of items) {
      put(this.byId, t.hostId, t);
      put(this.byRef, t.reference, t);
      put(this.byRrn, t.rrn, t);
    }
  }

  /** The host record of a journal payment: by the driver's id, the bridge's reference, then the RRN. */
  take(r: PaymentRecord): HostTransaction | null {
    const candidates = [
      ...(r.driverRef ? (this.byId.get(r.driverRef) ?? []) : []),
      ...(this.byRef.get(r.bridgeRef) ?? []),
      ...(r.result?.rrn ? (this.byRrn.get(r.result.rrn) ?? []) : []),
    ];
    const hit = candidates.find((t) => !this.used.has(t));
    if (!hit) return null;
    this.used.add(hit);
    return hit;
  }

  unused(): HostTransaction[] {
    return this.items.filter((t) => !this.used.has(t));
  }
}

export function reconcile(input: ReconcileInput): ReconciliationReport {
  const w = input.window;
  const items: ReconItem[] = [];
  const indexes = new Map<string, HostIndex>();
  for (const [terminal, view] of input.hosts)
    if (view.kind === 'list') indexes.set(terminal, new HostIndex(view.transactions));

  for (const r of input.records) {
    if (!RECONCILED_KINDS.has(r.kind) || r.createdAt < w.from || r.createdAt >= w.to) continue;
    const js = journalStatus(r);
    const view = input.hosts.get(r.terminal) ?? { kind: 'none' as const };
    const base = { terminal: r.terminal, ...journalFields(r, js) };
    let host: HostTransaction | null | undefined;
    if (view.kind === 'list') host = indexes.get(r.terminal)!.take(r);
    else if (view.kind === 'lookup') host = view.results.get(r.id);
    else host = undefined;
    if (js === 'open') {
      items.push({
        ...base,
        ...hostFields(host),
        kind: 'in_doubt',
        ...(r.outcome === null
          ? note(coreText('recon.stillRunning'))
          : r.outcome === 'in_doubt'
            ? note(coreText('recon.inDoubt'))
            : note(coreText('recon.notConfirmed'))),
      });
      continue;
    }
    if (host === undefined) {
      if (!r.driverRef && js === 'not_charged')
        items.push({ ...base, kind: 'matched', ...note(coreText('recon.neverReached')) });
      else
        items.push({
          ...base,
          kind: 'unverified',
          ...(view.kind === 'none' ? note(coreText('recon.hostNotAsked')) : note(coreText('recon.hostCouldNotTell'))),
        });
      continue;
    }
    const c = compare(r, js, host);
    items.push({ ...base, ...hostFields(host), kind: c.kind, note: c.note, noteCode: c.noteCode });
  }

  const from = Date.parse(w.from);
  const to = Date.parse(w.to);
  for (const [terminal, index] of indexes) {
    for (const tx of index.unused()) {
      const t = hostInstant(tx.at, w.timeZone);
      if (t !== undefined && (t < from || t >= to)) continue;
      if (input.knownElsewhere?.(tx)) continue;
      items.push({
        terminal,
        ...hostFields(tx),
        kind: 'missing_in_journal',
        ...(tx.at ? note(coreText('recon.unknownToJournal')) : note(coreText('recon.unknownToJournalNoTime'))),
      });
    }
  }

  const withDifferences = items.map((i) => {
    const d = itemDifference(i);
    return d === undefined ? i : { ...i, difference: d };
  });
  const of = (k: ReconKind): ReconItem[] => withDifferences.filter((i) => i.kind === k);
  const summary = Object.fromEntries(RECON_KINDS.map((k) => [k, of(k).length])) as Record<ReconKind, number>;
  return {
    businessDay: w.day,
    from: w.from,
    to: w.to,
    timeZone: w.timeZone,
    cutoffHour: w.cutoffHour,
    generatedAt: (input.now ?? new Date()).toISOString(),
    terminals: [...input.sources],
    matched: of('matched'),
    missingAtHost: of('missing_at_host'),
    missingInJournal: of('missing_in_journal'),
    amountMismatch: of('amount_mismatch'),
    statusMismatch: of('status_mismatch'),
    inDoubt: of('in_doubt'),
    unverified: of('unverified'),
    summary,
    totals: reconTotals(withDifferences),
    clean:
      summary.missing_at_host +
        summary.missing_in_journal +
        summary.amount_mismatch +
        summary.status_mismatch +
        summary.in_doubt ===
      0,
  };
}

const COMPARED: ReadonlySet<ReconKind> = new Set([
  'matched',
  'missing_at_host',
  'missing_in_journal',
  'amount_mismatch',
  'status_mismatch',
]);

/** What the journal shows charged for an item: amount + tip, or the amount alone when the host shows it without the tip. */
function journalCharged(i: ReconItem): Money | undefined {
  if (i.journalStatus !== 'approved' || !i.journalAmount) return undefined;
  const tip = i.tip ?? 0;
  const hostLeftTipOut =
    tip > 0 && i.hostAmount?.currency === i.journalAmount.currency && i.hostAmount.minor === i.journalAmount.minor;
  return { minor: i.journalAmount.minor + (hostLeftTipOut ? 0 : tip), currency: i.journalAmount.currency };
}

function hostCharged(i: ReconItem): Money | undefined {
  return i.hostStatus === 'approved' ? i.hostAmount : undefined;
}

function itemDifference(i: ReconItem): number | undefined {
  if (!COMPARED.has(i.kind)) return undefined;
  const j = journalCharged(i);
  const h = hostCharged(i);
  if (i.hostStatus === 'approved' && !h) return undefined; // the host's amount could not be read
  if (j && h) return j.currency === h.currency ? h.minor - j.minor : undefined;
  return (h?.minor ?? 0) - (j?.minor ?? 0);
}

function reconTotals(items: readonly ReconItem[]): ReconTotals[] {
  const by = new Map<string, { journal: { count: number; minor: number }; host: { count: number; minor: number } }>();
  const of = (currency: string) => {
    let t = by.get(currency);
    if (!t) by.set(currency, (t = { journal: { count: 0, minor: 0 }, host: { count: 0, minor: 0 } }));
    return t;
  };
  for (const i of items) {
    if (!COMPARED.has(i.kind)) continue;
    const j = journalCharged(i);
    const h = hostCharged(i);
    if (j) {
      const t = of(j.currency).journal;
      t.count++;
      t.minor += j.minor;
    }
    if (h) {
      const t = of(h.currency).host;
      t.count++;
      t.minor += h.minor;
    }
  }
  return [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, t]) => ({
      currency,
      journal: t.journal,
      host: t.host,
      difference: t.host.minor - t.journal.minor,
    }));
}
