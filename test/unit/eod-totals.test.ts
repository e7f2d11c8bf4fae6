import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Journal, type PaymentRecord } from '../../src/journal/journal';
import { businessDayOf, businessDayWindow } from '../../src/reports/business-day';
import { dayTotals, type DayTotals } from '../../src/reports/totals';
import { DayReports } from '../../src/reports/day-reports';
import { totalsCsv } from '../../src/shared/report-export';
import type { Outcome, TransactionKind } from '../../src/domain/vocabulary';
import { record } from './receipt-fixtures';

const UTC = { timeZone: 'UTC', cutoffHour: 0 };

/** A journal on a clock the test sets: each record is created "at" the given instant. */
function journalAt(): { journal: Journal; at(iso: string): void } {
  let now = new Date('2025-01-15T08:00:00Z');
  return { journal: Journal.open(':memory:', { now: () => now }), at: (iso) => void (now = new Date(iso)) };
}

interface Seed {
  ref: string;
  kind?: TransactionKind;
  minor: number;
  tip?: number;
  outcome?: Outcome | null;
  scheme?: string;
  currency?: string;
  at: string;
  original?: PaymentRecord;
  settlement?: 'pending' | 'completed' | null;
}

function seed(j: { journal: Journal; at(iso: string): void }, s: Seed): PaymentRecord {
  j.at(s.at);
  const kind = s.kind ?? 'sale';
  const r = j.journal.insertIntent({
    register: 'pos',
    ref: s.ref,
    kind,
    amount: { minor: s.minor, currency: s.currency ?? 'EUR' },
    tip: s.tip ?? 0,
    terminal: 't1',
    ...(s.original ? { originalId: s.original.id } : {}),
  });
  if (s.outcome === null) return r;
  const outcome = s.outcome ?? 'approved';
  const updated = j.journal.update(
    r.id,
    {
      outcome,
      stage: 'done',
      driverRef: `sid-${s.ref}-${kind}`,
      settlement: s.settlement ?? null,
      message: outcome,
      result: {
        ref: s.ref,
        kind,
        outcome,
        amount: r.amount,
        terminal: 't1',
        message: outcome,
        ...(s.scheme ? { cardScheme: s.scheme } : {}),
      },
    },
    { type: 'outcome' },
  );
  if (s.original && outcome === 'approved' && (kind === 'reversal' || kind === 'preauth_cancel')) {
    j.journal.update(s.original.id, { reversedBy: r.id }, { type: 'reversed' });
  }
  return updated;
}

function checkBalances(t: DayTotals): void {
  for (const c of t.currencies) {
    expect(c.net).toBe(c.sales.minor - c.reversals.minor - c.refunds.minor + c.refundReversals.minor);
    expect(c.schemes.reduce((s, x) => s + x.net, 0)).toBe(c.net);
    expect(c.types.reduce((s, x) => s + x.net, 0)).toBe(c.net);
    for (const s of c.schemes)
      expect(s.net).toBe(s.sales.minor - s.reversals.minor - s.refunds.minor + s.refundReversals.minor);
  }
}

describe('end-of-day totals', () => {
  it('per currency, scheme and type; reversed sales netted out; open payments apart; balanced to the cent', () => {
    const j = journalAt();
    const day = '2025-01-15T';
    seed(j, { ref: 'S1', minor: 1234, tip: 100, scheme: 'VISA', at: `${day}08:00:00Z` });
    const s2 = seed(j, { ref: 'S2', minor: 1998, tip: 200, scheme: 'MASTERCARD', at: `${day}09:00:00Z` });
    seed(j, { ref: 'S2', kind: 'reversal', minor: 1998, at: `${day}09:05:00Z`, original: s2 });
    seed(j, { ref: 'S3', minor: 5000, scheme: 'MASTERCARD', at: `${day}10:00:00Z` });
    const rf = seed(j, { ref: 'R1', kind: 'refund', minor: 700, scheme: 'VISA', at: `${day}11:00:00Z` });
    seed(j, { ref: 'R1', kind: 'reversal', minor: 700, at: `${day}11:01:00Z`, original: rf });
    seed(j, { ref: 'R2', kind: 'refund', minor: 301, scheme: 'VISA', at: `${day}11:30:00Z` });
    seed(j, { ref: 'D1', minor: 999, outcome: 'declined', at: `${day}12:00:00Z` });
    seed(j, { ref: 'C1', minor: 888, outcome: 'cancelled', at: `${day}12:10:00Z` });
    seed(j, { ref: 'F1', minor: 777, outcome: 'failed', at: `${day}12:20:00Z` });
    seed(j, { ref: 'Q1', minor: 666, outcome: 'in_doubt', at: `${day}12:30:00Z` });
    seed(j, { ref: 'O1', minor: 555, settlement: 'pending', scheme: 'VISA', at: `${day}12:40:00Z` });
    seed(j, { ref: 'N1', minor: 444, outcome: null, at: `${day}12:50:00Z` });
    const p1 = seed(j, { ref: 'P1', kind: 'preauth', minor: 10000, scheme: 'VISA', at: `${day}13:00:00Z` });
    seed(j, { ref: 'P1', kind: 'completion', minor: 8000, scheme: 'VISA', at: `${day}14:00:00Z`, original: p1 });
    seed(j, { ref: 'J1', minor: 500, currency: 'JPY', scheme: 'JCB', at: `${day}15:00:00Z` });
    seed(j, { ref: 'Y1', minor: 4242, scheme: 'VISA', at: '2025-01-14T23:59:59Z' });
    seed(j, { ref: 'T1', minor: 4343, scheme: 'VISA', at: '2025-01-16T00:00:00Z' });

    const reports = new DayReports(j.journal, () => [], {
      businessDay: UTC,
      now: () => new Date('2025-01-15T20:00:00Z'),
    });
    const t = reports.totals();
    expect(t.businessDay).toBe('2025-01-15');
    expect(t.counts).toEqual({ approved: 10, declined: 1, cancelled: 1, failed: 1, open: 3 });
    expect(t.inDoubt.map((o) => o.ref).sort()).toEqual(['N1', 'O1', 'Q1']);
    const eur = t.currencies.find((c) => c.currency === 'EUR')!;
    // Sales: 1234+100, 1998+200, 5000, completion 8000.
    expect(eur.sales).toEqual({ count: 4, minor: 1334 + 2198 + 5000 + 8000 });
    expect(eur.tips).toEqual({ count: 2, minor: 300 });
    expect(eur.reversals).toEqual({ count: 1, minor: 2198 });
    expect(eur.refunds).toEqual({ count: 2, minor: 1001 });
    expect(eur.refundReversals).toEqual({ count: 1, minor: 700 });
    expect(eur.preauths).toEqual({ count: 1, minor: 10000 });
    expect(eur.net).toBe(16532 - 2198 - 1001 + 700);
    expect(eur.schemes.map((s) => [s.scheme, s.net])).toEqual([
      ['MASTERCARD', 2198 + 5000 - 2198],
      ['VISA', 1334 - 1001 + 700 + 8000],
    ]);
    expect(eur.types.find((x) => x.kind === 'sale')).toMatchObject({
      approved: { count: 3, minor: 8532 },
      declined: 1,
      cancelled: 1,
      failed: 1,
    });
    expect(t.currencies.find((c) => c.currency === 'JPY')).toMatchObject({
      net: 500,
      schemes: [{ scheme: 'JCB', net: 500 }],
    });
    checkBalances(t);
    const csv = totalsCsv(t);
    expect(csv).toContain('2025-01-15,EUR,total,net,,,140.33');
    expect(csv).toContain('2025-01-15,JPY,total,net,,,500');
    // Per register and per terminal filters.
    expect(reports.totals({ register: 'other' }).currencies).toEqual([]);
    expect(reports.totals({ terminal: 't1' }).currencies).toHaveLength(2);
  });

  it('a business day runs from the cut-off hour in the configured zone, across daylight-saving changes', () => {
    const sofia = { timeZone: 'Europe/Sofia', cutoffHour: 4 };
    // 01:30 in Sofia on the 16th (23:30 UTC on the 15th) belongs to the 15th; 04:00 starts the 16th.
    expect(businessDayOf(new Date('2025-01-15T23:30:00Z'), sofia)).toBe('2025-01-15');
    expect(businessDayOf(new Date('2025-01-16T02:00:00Z'), sofia)).toBe('2025-01-16');
    expect(businessDayWindow('2025-01-15', sofia)).toMatchObject({
      from: '2025-01-15T02:00:00.000Z',
      to: '2025-01-16T02:00:00.000Z',
    });
    // Summer time starts on 30 March 2025 at 03:00 local: that business day is 23 hours long.
    const short = businessDayWindow('2025-03-29', sofia);
    expect(short).toMatchObject({ from: '2025-03-29T02:00:00.000Z', to: '2025-03-30T01:00:00.000Z' });
    const spring = businessDayWindow('2025-03-30', { timeZone: 'Europe/Sofia', cutoffHour: 3 });
    expect(spring.from).toBe('2025-03-30T01:00:00.000Z');
    // Winter time returns on 26 October 2025: 25 hours.
    const long = businessDayWindow('2025-10-25', sofia);
    expect(Date.parse(long.to) - Date.parse(long.from)).toBe(25 * 3600_000);
    expect(() => businessDayWindow('2025-02-30', sofia)).toThrow(/YYYY-MM-DD/);
  });

  it('property: totals always balance to the cent, and net is the signed sum of what moved', () => {
    const kinds: TransactionKind[] = ['sale', 'refund', 'preauth', 'completion', 'reversal'];
    const payment = fc.record({
      kind: fc.constantFrom(...kinds),
      minor: fc.integer({ min: 1, max: 999_999 }),
      tip: fc.integer({ min: 0, max: 5000 }),
      outcome: fc.constantFrom<Outcome>(
        'approved',
        'approved',
        'approved',
        'declined',
        'cancelled',
        'failed',
        'in_doubt',
      ),
      scheme: fc.constantFrom('VISA', 'MASTERCARD', undefined),
      currency: fc.constantFrom('EUR', 'BGN', 'JPY'),
      origin: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(payment, { maxLength: 25 }), (ps) => {
        const records: PaymentRecord[] = [];
        let expected = new Map<string, number>();
        ps.forEach((p, i) => {
          const targets = records.filter(
            (r) =>
              r.outcome === 'approved' &&
              (r.kind === 'sale' || r.kind === 'refund' || r.kind === 'completion') &&
              !r.reversedBy,
          );
          const original = p.kind === 'reversal' ? targets[p.origin % Math.max(1, targets.length)] : undefined;
          if (p.kind === 'reversal' && !original) return;
          const tip = p.kind === 'sale' || p.kind === 'completion' ? p.tip : 0;
          const r = record({
            id: `id-${i}`,
            ref: `R${i}`,
            kind: p.kind,
            outcome: p.outcome,
            settlement: null,
            tip,
            amount: original ? original.amount : { minor: p.minor, currency: p.currency },
            originalId: original?.id ?? null,
            createdAt: '2025-01-15T12:00:00.000Z',
            result: { cardScheme: p.scheme },
          });
          records.push(r);
          if (r.outcome !== 'approved') return;
          const code = r.amount.currency;
          let signed = 0;
          if (p.kind === 'sale' || p.kind === 'completion') signed = r.amount.minor + tip;
          if (p.kind === 'refund') signed = -r.amount.minor;
          if (original) {
            records[records.indexOf(original)] = { ...original, reversedBy: r.id };
            signed = original.kind === 'refund' ? original.amount.minor : -(original.amount.minor + original.tip);
          }
          expected.set(code, (expected.get(code) ?? 0) + signed);
        });
        const byId = new Map(records.map((r) => [r.id, r]));
        const t = dayTotals(records, {
          window: businessDayWindow('2025-01-15', UTC),
          originalOf: (r) => byId.get(r.originalId!),
        });
        checkBalances(t);
        for (const c of t.currencies) expect(c.net).toBe(expected.get(c.currency) ?? 0);
        expected = new Map([...expected].filter(([, v]) => v !== 0));
        for (const [code, v] of expected) expect(t.currencies.find((c) => c.currency === code)?.net).toBe(v);
      }),
      { numRuns: 400 },
    );
  });
});
