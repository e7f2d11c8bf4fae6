import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, type PaymentRecord } from '../../src/journal/journal';
import { DayReports } from '../../src/reports/day-reports';
import { reconciliationCsv, RECON_CSV_COLUMNS } from '../../src/shared/report-export';
import type { HostAccess } from '../../src/reports/host';
import { reconciliationText } from '../../src/reports/reconcile-command';
import { RECON_KINDS, type ReconciliationReport, type ReconItem } from '../../src/reports/reconcile';
import type { HostDayQuery, HostTransaction, TerminalDriver } from '../../src/terminal/driver';
import type { Outcome, TransactionKind } from '../../src/domain/vocabulary';

/**
 * The reconciliation of one business day, seeded with every kind of discrepancy: each is found, nothing else is,
 * and the charged totals of both sides balance to the cent.
 */

const DAY = '2025-03-14';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function journalAt(): { journal: Journal; at(iso: string): void } {
  let now = new Date(`${DAY}T08:00:00Z`);
  return { journal: Journal.open(':memory:', { now: () => now }), at: (iso) => void (now = new Date(iso)) };
}

interface Seed {
  ref: string;
  minor: number;
  tip?: number;
  kind?: TransactionKind;
  outcome?: Outcome | null;
  at: string;
  terminal?: string;
  original?: PaymentRecord;
  currency?: string;
  /** Not sent to the terminal (no driver reference). */
  neverSent?: boolean;
}

function seed(j: ReturnType<typeof journalAt>, s: Seed): PaymentRecord {
  j.at(s.at);
  const kind = s.kind ?? 'sale';
  const terminal = s.terminal ?? 't1';
  const r = j.journal.insertIntent({
    register: 'pos',
    ref: s.ref,
    kind,
    amount: { minor: s.minor, currency: s.currency ?? 'EUR' },
    tip: s.tip ?? 0,
    terminal,
    ...(s.original ? { originalId: s.original.id } : {}),
  });
  if (s.outcome === null) return r;
  const outcome = s.outcome ?? 'approved';
  const updated = j.journal.update(
    r.id,
    {
      outcome,
      stage: 'done',
      settlement: null,
      message: outcome,
      ...(s.neverSent ? {} : { driverRef: `pay-${s.ref}-${kind}` }),
      result: { ref: s.ref, kind, outcome, amount: r.amount, terminal, message: outcome, rrn: `RRN${s.ref}` },
    },
    { type: 'outcome' },
  );
  if (s.original && outcome === 'approved' && kind === 'reversal')
    j.journal.update(s.original.id, { reversedBy: r.id }, { type: 'reversed' });
  return updated;
}

function host(
  ref: string,
  kind: TransactionKind,
  minor: number,
  status: HostTransaction['status'],
  at: string | null,
  extra: Partial<HostTransaction> = {},
): HostTransaction {
  return {
    hostId: `pay-${ref}-${kind}`,
    reference: `pos-${ref}`,
    amount: { minor, currency: 'EUR' },
    amountText: (minor / 100).toFixed(2),
    status,
    statusText:
      status === 'approved'
        ? 'Approved'
        : status === 'reversed'
          ? 'Reversed'
          : status === 'declined'
            ? 'Declined'
            : 'PendingX',
    at,
    ...extra,
  };
}

/** A driver whose host list is given (as ePOS's transactions list). */
function listDriver(list: HostTransaction[], asked: HostDayQuery[] = []): TerminalDriver {
  return {
    info: { id: 't1', driver: 'epos', link: 'test' },
    transactions: async (q: HostDayQuery) => {
      asked.push(q);
      return list;
    },
    lookup: async () => undefined,
  } as unknown as TerminalDriver;
}

function keys(items: ReconItem[]): string[] {
  return items.map((i) => i.ref ?? i.reference ?? i.hostId ?? '?').sort();
}

function expectBalanced(report: ReconciliationReport): void {
  for (const t of report.totals) {
    expect(t.difference).toBe(t.host.minor - t.journal.minor);
    const items = RECON_KINDS.flatMap((k) => report[camel(k)] as ReconItem[]).filter(
      (i) => (i.journalAmount?.currency ?? i.hostAmount?.currency) === t.currency,
    );
    expect(items.reduce((s, i) => s + (i.difference ?? 0), 0)).toBe(t.difference);
  }
  for (const i of report.matched) expect(i.difference ?? 0).toBe(0);
}

function camel(k: (typeof RECON_KINDS)[number]): keyof ReconciliationReport {
  return (
    {
      matched: 'matched',
      missing_at_host: 'missingAtHost',
      missing_in_journal: 'missingInJournal',
      amount_mismatch: 'amountMismatch',
      status_mismatch: 'statusMismatch',
      in_doubt: 'inDoubt',
      unverified: 'unverified',
    } as const
  )[k];
}

describe('reconciliation of a business day against the host list', () => {
  it('finds every kind of discrepancy seeded, nothing else, and the totals balance to the cent', async () => {
    const j = journalAt();
    const d = `${DAY}T`;
    // Matched: an approved sale, a sale with a tip the host shows with and without it, a refund, a reversed sale,
    // a declined sale (the host lists nothing), one cancelled before it reached the terminal.
    seed(j, { ref: 'M1', minor: 1234, at: `${d}08:00:00Z` });
    seed(j, { ref: 'M2', minor: 2000, tip: 150, at: `${d}08:10:00Z` });
    seed(j, { ref: 'M3', minor: 3000, tip: 300, at: `${d}08:20:00Z` });
    seed(j, { ref: 'M4', kind: 'refund', minor: 450, at: `${d}08:30:00Z` });
    const m5 = seed(j, { ref: 'M5', minor: 999, at: `${d}08:40:00Z` });
    seed(j, { ref: 'M5', kind: 'reversal', minor: 999, at: `${d}08:41:00Z`, original: m5 });
    seed(j, { ref: 'M6', minor: 1051, outcome: 'declined', at: `${d}08:50:00Z` });
    seed(j, { ref: 'M7', minor: 700, outcome: 'cancelled', neverSent: true, at: `${d}08:55:00Z` });
    // Missing at the host: approved here, not in the host's list.
    seed(j, { ref: 'H1', minor: 2500, at: `${d}09:00:00Z` });
    // Amount mismatch: the host charged 25.10 for a 25.01 sale.
    seed(j, { ref: 'A1', minor: 2501, at: `${d}09:10:00Z` });
    // Status mismatch: approved here, reversed at the host; declined here, approved at the host.
    seed(j, { ref: 'S1', minor: 4000, at: `${d}09:20:00Z` });
    seed(j, { ref: 'S2', minor: 620, outcome: 'declined', at: `${d}09:30:00Z` });
    // In doubt still open: in_doubt, still running (the host's word is attached, not judged).
    seed(j, { ref: 'Q1', minor: 880, outcome: 'in_doubt', at: `${d}09:40:00Z` });
    seed(j, { ref: 'Q2', minor: 330, outcome: null, at: `${d}09:50:00Z` });
    // Another day's payment, listed by the host inside the margin: neither matched nor "missing in the journal".
    seed(j, { ref: 'Y1', minor: 5555, at: '2025-03-13T22:00:00Z' });

    const list: HostTransaction[] = [
      host('M1', 'sale', 1234, 'approved', `${d}08:00:05`),
      host('M2', 'sale', 2150, 'approved', `${d}08:10:05`),
      host('M3', 'sale', 3000, 'approved', `${d}08:20:05`),
      host('M4', 'refund', 450, 'approved', `${d}08:30:05`),
      host('M5', 'sale', 999, 'reversed', `${d}08:41:05`),
      host('A1', 'sale', 2510, 'approved', `${d}09:10:05`),
      host('S1', 'sale', 4000, 'reversed', `${d}09:25:00`),
      host('S2', 'sale', 620, 'approved', `${d}09:30:05`),
      host('Q1', 'sale', 880, 'approved', `${d}09:40:05`),
      // Missing in the journal: a sale made on the terminal without the bridge (no reference), and one with no time.
      {
        hostId: 'pay-X1',
        amount: { minor: 1750, currency: 'EUR' },
        amountText: '17.50',
        status: 'approved',
        statusText: 'Approved',
        at: `${d}10:00:00`,
        rrn: 'RRNX1',
      },
      {
        hostId: 'pay-X2',
        amount: { minor: 60, currency: 'EUR' },
        amountText: '0.60',
        status: 'approved',
        statusText: 'Approved',
        at: null,
      },
      // Outside the business day: not this day's business.
      host('Z1', 'sale', 7777, 'approved', '2025-03-15T10:00:00'),
      // Another day's payment that the journal knows.
      host('Y1', 'sale', 5555, 'approved', `${d}00:30:00`),
    ];
    const asked: HostDayQuery[] = [];
    const access: HostAccess[] = [{ terminal: 't1', driver: listDriver(list, asked) }];
    const dir = mkdtempSync(join(tmpdir(), 'rb-recon-'));
    dirs.push(dir);
    const reports = new DayReports(j.journal, () => access, {
      businessDay: { timeZone: 'UTC', cutoffHour: 0 },
      exportDir: dir,
      now: () => new Date(`${DAY}T21:00:00Z`),
    });
    const report = await reports.reconcile({ day: DAY });

    expect(asked).toEqual([{ dateFrom: '2025-03-13', dateTo: '2025-03-15' }]);
    expect(report.terminals).toEqual([expect.objectContaining({ terminal: 't1', source: 'host_list', ok: true })]);
    expect(keys(report.matched)).toEqual(['M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7']);
    expect(keys(report.missingAtHost)).toEqual(['H1']);
    expect(keys(report.missingInJournal)).toEqual(['pay-X1', 'pay-X2']);
    expect(keys(report.amountMismatch)).toEqual(['A1']);
    expect(keys(report.statusMismatch)).toEqual(['S1', 'S2']);
    expect(keys(report.inDoubt)).toEqual(['Q1', 'Q2']);
    expect(report.unverified).toEqual([]);
    expect(report.summary).toEqual({
      matched: 7,
      missing_at_host: 1,
      missing_in_journal: 2,
      amount_mismatch: 1,
      status_mismatch: 2,
      in_doubt: 2,
      unverified: 0,
    });
    expect(report.clean).toBe(false);
    expect(report.inDoubt.find((i) => i.ref === 'Q1')).toMatchObject({ journalStatus: 'open', hostStatus: 'approved' });

    // Each discrepancy's own difference, in minor units (host − journal).
    const diff = (items: ReconItem[], k: string): number | undefined =>
      items.find((i) => (i.ref ?? i.hostId) === k)?.difference;
    expect(diff(report.missingAtHost, 'H1')).toBe(-2500);
    expect(diff(report.amountMismatch, 'A1')).toBe(9);
    expect(diff(report.statusMismatch, 'S1')).toBe(-4000);
    expect(diff(report.statusMismatch, 'S2')).toBe(620);
    expect(diff(report.missingInJournal, 'pay-X1')).toBe(1750);
    expect(diff(report.missingInJournal, 'pay-X2')).toBe(60);
    expect(report.inDoubt.every((i) => i.difference === undefined)).toBe(true);

    // Totals of the compared items: journal charged M1 M2(+tip) M3(tip not shown by host) M4 H1 A1 S1;
    // host charged M1 M2 M3 M4 A1 S2 X1 X2.
    const journal = 1234 + 2150 + 3000 + 450 + 2500 + 2501 + 4000;
    const hostSide = 1234 + 2150 + 3000 + 450 + 2510 + 620 + 1750 + 60;
    expect(report.totals).toEqual([
      {
        currency: 'EUR',
        journal: { count: 7, minor: journal },
        host: { count: 8, minor: hostSide },
        difference: hostSide - journal,
      },
    ]);
    expect(hostSide - journal).toBe(-2500 + 9 - 4000 + 620 + 1750 + 60);
    expectBalanced(report);

    // Stored in the journal, exported as CSV and JSON.
    expect(reports.latestReconciliation(DAY)).toEqual(report);
    const csv = readFileSync(join(dir, `reconciliation-${DAY}.csv`), 'utf8');
    expect(csv).toBe(reconciliationCsv(report));
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(RECON_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(1 + 7 + 1 + 2 + 1 + 2 + 2);
    const col = (name: (typeof RECON_CSV_COLUMNS)[number]): number => RECON_CSV_COLUMNS.indexOf(name);
    const a1 = lines.find((l) => l.split(',')[col('ref')] === 'A1')!.split(',');
    expect([a1[col('category')], a1[col('journal_amount')], a1[col('host_amount')], a1[col('difference')]]).toEqual([
      'amount_mismatch',
      '25.01',
      '25.10',
      '0.09',
    ]);
    const s1 = lines.find((l) => l.split(',')[col('ref')] === 'S1')!.split(',');
    expect(s1[col('difference')]).toBe('-40.00');
    expect(JSON.parse(readFileSync(join(dir, `reconciliation-${DAY}.json`), 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(report)),
    );
    const text = reconciliationText(report);
    expect(text).toContain(
      `EUR: journal 7 charged ${(journal / 100).toFixed(2)}, host 8 charged ${(hostSide / 100).toFixed(2)}, difference -40.61`,
    );
    expect(text).toMatch(/MISSING AT HOST\s+t1 H1/);
  });

  it('a day where both sides agree is clean and its difference is zero', async () => {
    const j = journalAt();
    seed(j, { ref: 'M1', minor: 1234, at: `${DAY}T08:00:00Z` });
    seed(j, { ref: 'M2', minor: 10, currency: 'JPY', at: `${DAY}T09:00:00Z` });
    const list = [
      host('M1', 'sale', 1234, 'approved', `${DAY}T08:00:05`),
      { ...host('M2', 'sale', 10, 'approved', `${DAY}T09:00:05`), amount: { minor: 10, currency: 'JPY' } },
    ];
    const reports = new DayReports(j.journal, () => [{ terminal: 't1', driver: listDriver(list) }], {
      businessDay: { timeZone: 'UTC' },
      now: () => new Date(`${DAY}T21:00:00Z`),
    });
    const report = await reports.reconcile({ day: DAY });
    expect(report.clean).toBe(true);
    expect(report.summary.matched).toBe(2);
    expect(report.totals).toEqual([
      { currency: 'EUR', journal: { count: 1, minor: 1234 }, host: { count: 1, minor: 1234 }, difference: 0 },
      { currency: 'JPY', journal: { count: 1, minor: 10 }, host: { count: 1, minor: 10 }, difference: 0 },
    ]);
  });

  it('a host that cannot be read leaves the payments unverified, never matched or missing', async () => {
    const j = journalAt();
    seed(j, { ref: 'M1', minor: 1234, at: `${DAY}T08:00:00Z` });
    seed(j, { ref: 'M7', minor: 700, outcome: 'cancelled', neverSent: true, at: `${DAY}T08:55:00Z` });
    const broken = {
      info: { id: 't1', driver: 'epos', link: 'test' },
      transactions: async () => Promise.reject(new Error('HTTP 503')),
      lookup: async () => undefined,
    } as unknown as TerminalDriver;
    const reports = new DayReports(j.journal, () => [{ terminal: 't1', driver: broken }], {
      businessDay: { timeZone: 'UTC' },
      now: () => new Date(`${DAY}T21:00:00Z`),
    });
    const report = await reports.reconcile({ day: DAY });
    expect(report.terminals[0]).toMatchObject({ ok: false, message: expect.stringContaining('HTTP 503') });
    expect(keys(report.unverified)).toEqual(['M1']);
    expect(keys(report.matched)).toEqual(['M7']);
    expect(report.summary.missing_at_host + report.summary.missing_in_journal).toBe(0);
    expect(report.totals).toEqual([]);
  });

  it('the business-day cut-off decides which payments a day holds', async () => {
    const j = journalAt();
    // With a 05:00 cut-off in Sofia (UTC+2 in March), the 14th runs from 03:00Z on the 14th to 03:00Z on the 15th.
    seed(j, { ref: 'E1', minor: 100, at: '2025-03-14T02:59:59Z' });
    seed(j, { ref: 'D1', minor: 200, at: '2025-03-14T03:00:00Z' });
    seed(j, { ref: 'D2', minor: 300, at: '2025-03-15T02:59:59Z' });
    seed(j, { ref: 'L1', minor: 400, at: '2025-03-15T03:00:00Z' });
    const list = [
      host('D1', 'sale', 200, 'approved', '2025-03-14T05:00:01'),
      host('D2', 'sale', 300, 'approved', '2025-03-15T04:59:58'),
      host('L1', 'sale', 400, 'approved', '2025-03-15T05:00:01'),
      host('E1', 'sale', 100, 'approved', '2025-03-14T04:59:58'),
    ];
    const asked: HostDayQuery[] = [];
    const reports = new DayReports(j.journal, () => [{ terminal: 't1', driver: listDriver(list, asked) }], {
      businessDay: { timeZone: 'Europe/Sofia', cutoffHour: 5 },
      now: () => new Date('2025-03-15T01:00:00Z'),
    });
    const report = await reports.reconcile();
    expect(report).toMatchObject({
      businessDay: '2025-03-14',
      from: '2025-03-14T03:00:00.000Z',
      to: '2025-03-15T03:00:00.000Z',
      cutoffHour: 5,
    });
    expect(keys(report.matched)).toEqual(['D1', 'D2']);
    // E1 and L1 belong to the neighbouring days, and the journal knows them: nothing is missing.
    expect(report.missingInJournal).toEqual([]);
    expect(asked).toEqual([{ dateFrom: '2025-03-13', dateTo: '2025-03-16' }]);
    expect(reports.totals().businessDay).toBe('2025-03-14');
    expect(reports.totals().counts.approved).toBe(2);
  });
});
