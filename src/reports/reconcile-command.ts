/**
 * `register-bridge reconcile [--day YYYY-MM-DD]`: reconciles a business day of the journal with each terminal's host
 * from the command line, stores the report in the journal and writes it as CSV and JSON.
 *
 * It may run while the bridge serves registers: the journal is SQLite in WAL mode, and the host list (ePOS) is an
 * HTTP call. Per-payment lookups on an IPP terminal are made only when the terminal is free: a BUSY answer leaves
 * the payment "unverified" rather than disturbing a payment. The built-in simulator's record lives inside the running
 * bridge, so its payments are unverified here (the bridge's own end of day reconciles them).
 */
import { writePrivateFile } from '../os/private-files';
import type { Config } from '../config/schema';
import type { SecretContext } from '../config/secrets';
import { Journal } from '../journal/journal';
import type { Logger } from '../log/logger';
import { createTerminal, type CreatedTerminal } from '../terminal/factory';
import { toDecimal } from '../domain/money';
import { DayReports } from './day-reports';
import { reconciliationCsv, reconciliationJson, signedDecimal } from '../shared/report-export';
import type { HostAccess } from './host';
import type { ReconciliationReport, ReconItem } from './reconcile';
import { reportSettings } from './settings';

export interface ReconcileCommandOptions {
  readonly config: Config;
  readonly dataDir: string;
  readonly day?: string;
  readonly csv?: string;
  readonly json?: string;
  readonly log: Logger;
  readonly secrets: SecretContext;
}

export async function runReconcileCommand(
  o: ReconcileCommandOptions,
): Promise<{ report: ReconciliationReport; text: string }> {
  const journal = Journal.open(o.dataDir);
  const created: CreatedTerminal[] = [];
  try {
    const hosts: HostAccess[] = [];
    for (const t of o.config.terminals) {
      if (t.driver === 'simulator') {
        hosts.push({
          terminal: t.id,
          unavailable: "the built-in simulator's record lives in the running bridge; its end of day reconciles it",
        });
        continue;
      }
      const c = await createTerminal(t, { log: o.log, secrets: o.secrets });
      created.push(c);
      hosts.push({ terminal: t.id, driver: c.driver });
    }
    const reports = new DayReports(journal, () => hosts, { ...reportSettings(o.config, o.dataDir) });
    const report = await reports.reconcile(o.day ? { day: o.day } : {});
    if (o.csv) writePrivateFile(o.csv, reconciliationCsv(report));
    if (o.json) writePrivateFile(o.json, reconciliationJson(report));
    return { report, text: reconciliationText(report) };
  } finally {
    for (const c of created) {
      await c.driver.close().catch(() => undefined);
      await c.close().catch(() => undefined);
    }
    journal.close();
  }
}

function amount(i: ReconItem): string {
  const j = i.journalAmount ? `${toDecimal(i.journalAmount)} ${i.journalAmount.currency}` : '-';
  const h = i.hostAmount ? `${toDecimal(i.hostAmount)} ${i.hostAmount.currency}` : (i.hostAmountText ?? '-');
  return `journal ${j} ${i.journalStatus ?? '-'} / host ${h} ${i.hostStatusText ?? i.hostStatus ?? '-'}`;
}

/** The report in a few lines for a person: summary first, then every item that needs attention. */
export function reconciliationText(r: ReconciliationReport): string {
  const s = r.summary;
  const lines = [
    `reconciliation of business day ${r.businessDay} (${r.timeZone}, from ${String(r.cutoffHour).padStart(2, '0')}:00)`,
    ...r.terminals.map((t) => `  terminal ${t.terminal}: ${t.source}${t.ok ? '' : ' (incomplete)'} — ${t.message}`),
    `  matched ${s.matched}, missing at host ${s.missing_at_host}, missing in journal ${s.missing_in_journal}, amount mismatch ${s.amount_mismatch}, ` +
      `status mismatch ${s.status_mismatch}, in doubt ${s.in_doubt}, unverified ${s.unverified}`,
    ...r.totals.map(
      (t) =>
        `  ${t.currency}: journal ${t.journal.count} charged ${signedDecimal(t.journal.minor, t.currency)}, host ${t.host.count} charged ` +
        `${signedDecimal(t.host.minor, t.currency)}, difference ${signedDecimal(t.difference, t.currency)}`,
    ),
  ];
  const show: Array<[string, ReconItem[]]> = [
    ['MISSING AT HOST', r.missingAtHost],
    ['MISSING IN JOURNAL', r.missingInJournal],
    ['AMOUNT MISMATCH', r.amountMismatch],
    ['STATUS MISMATCH', r.statusMismatch],
    ['IN DOUBT', r.inDoubt],
    ['UNVERIFIED', r.unverified],
  ];
  for (const [title, items] of show) {
    for (const i of items)
      lines.push(
        `  ${title.padEnd(18)} ${i.terminal} ${i.ref ?? i.reference ?? i.hostId ?? '?'}: ${amount(i)} — ${i.note}`,
      );
  }
  lines.push(r.clean ? 'journal and host agree' : 'discrepancies found');
  return lines.join('\n') + '\n';
}
