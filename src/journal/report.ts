import type { JournalEvent, PaymentRecord } from './journal';
import { toDecimal } from '../domain/money';

/** Plain-text and CSV renderings of journal records for the CLI and exports. Masked PAN only, like the journal. */

const COLUMNS = [
  'created_at',
  'register',
  'ref',
  'kind',
  'amount',
  'currency',
  'tip',
  'terminal',
  'outcome',
  'stage',
  'settlement',
  'auth_code',
  'rrn',
  'pan_masked',
  'receipt_no',
  'delivered',
  'acknowledged',
  'reversed',
  'message',
] as const;

function cells(r: PaymentRecord): string[] {
  return [
    r.createdAt,
    r.register,
    r.ref,
    r.kind,
    toDecimal(r.amount),
    r.amount.currency,
    String(r.tip),
    r.terminal,
    r.outcome ?? 'running',
    r.stage,
    r.settlement ?? '',
    r.result?.authCode ?? '',
    r.result?.rrn ?? '',
    r.result?.panMasked ?? '',
    String(r.receiptNo),
    r.deliveredAt ? 'yes' : 'no',
    r.acknowledgedAt ? 'yes' : 'no',
    r.reversedBy ? 'yes' : 'no',
    r.message,
  ];
}

function csvCell(v: string): string {
  // A leading =, +, - or @ would be a formula in a spreadsheet: quote it away.
  const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) || safe !== v ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function journalCsv(rows: PaymentRecord[]): string {
  return [COLUMNS.join(','), ...rows.map((r) => cells(r).map(csvCell).join(','))].join('\r\n') + '\r\n';
}

export function journalTable(rows: PaymentRecord[]): string {
  if (rows.length === 0) return 'the journal has no payments\n';
  return (
    rows
      .map(
        (r) =>
          `${r.createdAt}  ${r.ref.padEnd(16)} ${r.kind.padEnd(14)} ${toDecimal(r.amount).padStart(10)} ${r.amount.currency}  ${(r.outcome ?? 'running').padEnd(9)} ${r.terminal}  ${r.message}`,
      )
      .join('\n') + '\n'
  );
}

export function journalDetail(r: PaymentRecord, events: JournalEvent[]): string {
  const lines = COLUMNS.map((c, i) => `${c.padEnd(14)} ${cells(r)[i]}`);
  lines.push('events:');
  for (const e of events) lines.push(`  ${e.at}  ${e.type}${e.data ? '  ' + JSON.stringify(e.data) : ''}`);
  return lines.join('\n') + '\n\n';
}
