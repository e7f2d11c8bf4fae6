/**
 * CSV and JSON of end-of-day totals and reconciliation reports. Amounts are written exactly from minor units with
 * the currency's exponent (and as minor units in JSON). CSV cells that a spreadsheet would read as a formula are
 * quoted away; a negative amount stays a number.
 *
 * Shared by the core (the `reconcile` command, the end of day's files) and the status page (its download buttons
 * make the same files from the report it already shows, without asking the bridge again): pure formatting that
 * imports only types from the reports and the money arithmetic from the domain, never Node or the bridge. (Serving
 * the files from the core instead would add four API methods for text the page can make from what it holds.)
 */
import { toDecimal, type Money } from '../domain/money';
import type { DayTotals } from '../reports/totals';
import type { ReconciliationReport, ReconItem, ReconKind } from '../reports/reconcile';

function cell(v: string | number | undefined | null): string {
  const s = v === undefined || v === null ? '' : String(v);
  const risky = /^[=+@\t\r]/.test(s) || (/^-/.test(s) && !/^-[0-9]+(\.[0-9]+)?$/.test(s));
  const safe = risky ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || risky ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function row(values: Array<string | number | undefined | null>): string {
  return values.map(cell).join(',');
}

/** Signed minor units as an exact decimal ("-12.34"). */
export function signedDecimal(minor: number, currency: string): string {
  const text = toDecimal({ minor: Math.abs(minor), currency });
  return minor < 0 ? `-${text}` : text;
}

function money(m: Money | undefined): string {
  return m ? toDecimal(m) : '';
}

export const RECON_CSV_COLUMNS = [
  'category',
  'terminal',
  'register',
  'ref',
  'kind',
  'journal_status',
  'journal_amount',
  'tip',
  'currency',
  'host_status',
  'host_status_text',
  'host_amount',
  'host_currency',
  'difference',
  'host_id',
  'reference',
  'created_at',
  'host_at',
  'note',
] as const;

function reconRow(i: ReconItem): string {
  return row([
    i.kind,
    i.terminal,
    i.register,
    i.ref,
    i.journalKind,
    i.journalStatus,
    money(i.journalAmount),
    i.tip !== undefined && i.journalAmount ? toDecimal({ minor: i.tip, currency: i.journalAmount.currency }) : '',
    i.journalAmount?.currency,
    i.hostStatus,
    i.hostStatusText,
    i.hostAmount ? money(i.hostAmount) : i.hostAmountText,
    i.hostAmount?.currency,
    i.difference !== undefined
      ? signedDecimal(i.difference, i.journalAmount?.currency ?? i.hostAmount?.currency ?? 'XXX')
      : '',
    i.hostId,
    i.reference,
    i.createdAt,
    i.hostAt,
    i.note,
  ]);
}

/** One line per reconciled item, every category (matched ones too), discrepancies first. */
export function reconciliationCsv(report: ReconciliationReport): string {
  const order = [
    'missing_at_host',
    'missing_in_journal',
    'amount_mismatch',
    'status_mismatch',
    'in_doubt',
    'unverified',
    'matched',
  ] as const;
  const byKind: Record<ReconKind, ReconItem[]> = {
    matched: report.matched,
    missing_at_host: report.missingAtHost,
    missing_in_journal: report.missingInJournal,
    amount_mismatch: report.amountMismatch,
    status_mismatch: report.statusMismatch,
    in_doubt: report.inDoubt,
    unverified: report.unverified,
  };
  const lines = [RECON_CSV_COLUMNS.join(',')];
  for (const k of order) for (const i of byKind[k]) lines.push(reconRow(i));
  return lines.join('\r\n') + '\r\n';
}

export function reconciliationJson(report: ReconciliationReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

export const TOTALS_CSV_COLUMNS = ['business_day', 'currency', 'section', 'name', 'count', 'amount', 'net'] as const;

/** Totals as rows: per currency (sales, tips, refunds, reversals, refund reversals, pre-auths, net), per scheme, per type. */
export function totalsCsv(t: DayTotals): string {
  const lines = [TOTALS_CSV_COLUMNS.join(',')];
  for (const c of t.currencies) {
    const d = (minor: number): string => signedDecimal(minor, c.currency);
    for (const [name, s] of [
      ['sales', c.sales],
      ['tips', c.tips],
      ['refunds', c.refunds],
      ['reversals', c.reversals],
      ['refund_reversals', c.refundReversals],
      ['preauths', c.preauths],
    ] as const) {
      lines.push(row([t.businessDay, c.currency, 'total', name, s.count, d(s.minor), '']));
    }
    lines.push(row([t.businessDay, c.currency, 'total', 'net', '', '', d(c.net)]));
    for (const s of c.schemes)
      lines.push(
        row([
          t.businessDay,
          c.currency,
          'scheme',
          s.scheme,
          s.sales.count + s.refunds.count + s.reversals.count + s.refundReversals.count,
          '',
          d(s.net),
        ]),
      );
    for (const k of c.types)
      lines.push(row([t.businessDay, c.currency, 'type', k.kind, k.approved.count, d(k.approved.minor), d(k.net)]));
  }
  for (const o of t.inDoubt)
    lines.push(
      row([
        t.businessDay,
        o.currency,
        'open',
        `${o.kind} ${o.ref}`,
        1,
        toDecimal({ minor: o.minor, currency: o.currency }),
        '',
      ]),
    );
  return lines.join('\r\n') + '\r\n';
}

export function totalsJson(t: DayTotals): string {
  return JSON.stringify(t, null, 2) + '\n';
}
