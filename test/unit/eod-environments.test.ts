import { describe, expect, it } from 'vitest';
import { Journal, type Environment } from '../../src/journal/journal';
import { DayReports } from '../../src/reports/day-reports';
import type { HostAccess } from '../../src/reports/host';
import type { TerminalDriver } from '../../src/terminal/driver';

/**
 * myPOS's Demo and Live share nothing: a day's totals and its end of day count one environment — never both — and
 * put the other's payments of the day apart; a payment records its terminal's environment in the journal.
 */

function host(terminal: string, environment?: Environment): HostAccess {
  return {
    terminal,
    driver: {
      info: { id: terminal, driver: 'epos', link: 'test', ...(environment ? { environment } : {}) },
      lookup: async () => undefined,
    } as unknown as TerminalDriver,
  };
}

function approved(journal: Journal, ref: string, minor: number, terminal: string, environment?: Environment): void {
  const p = journal.insertIntent({
    register: 'pos',
    ref,
    kind: 'sale',
    amount: { minor, currency: 'EUR' },
    tip: 0,
    terminal,
    ...(environment ? { environment } : {}),
  });
  journal.update(
    p.id,
    {
      outcome: 'approved',
      stage: 'done',
      message: 'ok',
      result: { ref, kind: 'sale', outcome: 'approved', amount: p.amount, terminal, message: 'ok' },
    },
    { type: 'outcome' },
  );
}

describe('Demo and Live apart', () => {
  it('a Live end of day counts Live payments only and shows the day’s Demo payments apart', async () => {
    const journal = Journal.open(':memory:', { now: () => new Date('2025-03-14T10:00:00Z') });
    // Morning on Demo (testing), then the terminal went Live.
    approved(journal, 'D-1', 100, 'cloud', 'demo');
    approved(journal, 'D-2', 200, 'cloud', 'demo');
    approved(journal, 'L-1', 1234, 'cloud', 'live');
    approved(journal, 'I-1', 500, 'lan'); // an IPP terminal: no environment, counts as the bridge's own (Live)
    expect(journal.list({ ref: 'D-1' })[0]!.environment).toBe('demo');
    expect(journal.list({ ref: 'I-1' })[0]!.environment).toBeUndefined();

    const reports = new DayReports(journal, () => [host('cloud', 'live'), host('lan')], {
      reconcileAfterEndOfDay: false,
      now: () => new Date('2025-03-14T18:00:00Z'),
    });
    const eod = await reports.endOfDay({ day: '2025-03-14' });
    expect(eod.environment).toBeUndefined();
    expect(eod.counts.approved).toBe(2);
    expect(eod.currencies[0]!.net).toBe(1234 + 500);
    expect(eod.otherEnvironment?.environment).toBe('demo');
    expect(eod.otherEnvironment?.counts.approved).toBe(2);
    expect(eod.otherEnvironment?.currencies[0]!.net).toBe(300);
  });

  it('a bridge whose every terminal is on Demo closes a Demo day, marked as such', async () => {
    const journal = Journal.open(':memory:', { now: () => new Date('2025-03-14T10:00:00Z') });
    approved(journal, 'D-1', 100, 'cloud', 'demo');
    const reports = new DayReports(journal, () => [host('cloud', 'demo')], {
      reconcileAfterEndOfDay: false,
      now: () => new Date('2025-03-14T18:00:00Z'),
    });
    const eod = await reports.endOfDay({ day: '2025-03-14' });
    expect(eod.environment).toBe('demo');
    expect(eod.counts.approved).toBe(1);
    expect(eod.otherEnvironment).toBeUndefined();
  });

  it('records each switch of a terminal from Demo to Live', () => {
    const journal = Journal.open(':memory:', { now: () => new Date('2025-03-14T10:00:00Z') });
    journal.recordEnvironmentSwitch({ terminal: 'cloud', from: 'demo', to: 'live', check: { ready: true } });
    expect(journal.environmentSwitches('cloud')).toEqual([
      { terminal: 'cloud', from: 'demo', to: 'live', at: '2025-03-14T10:00:00.000Z', check: { ready: true } },
    ]);
  });
});
