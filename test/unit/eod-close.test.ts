import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal';
import { DayReports } from '../../src/reports/day-reports';
import type { HostAccess } from '../../src/reports/host';
import type { TerminalDriver } from '../../src/terminal/driver';

/**
 * Closing a business day: each terminal's batch closed where its driver can (through the terminal's lane), the
 * report stored and exported, and the reconciliation asked for — or not, for one register's or terminal's totals.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function driver(name: string, closeBatch?: () => Promise<{ closed: boolean; message: string }>): TerminalDriver {
  return {
    info: { id: name, driver: name, link: 'test' },
    lookup: async () => undefined,
    ...(closeBatch ? { closeBatch } : {}),
  } as unknown as TerminalDriver;
}

describe('end of day', () => {
  it('closes batches where the driver can, through the lane; says why elsewhere; stores, exports and asks for the reconciliation', async () => {
    const journal = Journal.open(':memory:', { now: () => new Date('2025-03-14T10:00:00Z') });
    const p = journal.insertIntent({
      register: 'pos',
      ref: 'A',
      kind: 'sale',
      amount: { minor: 1234, currency: 'EUR' },
      tip: 0,
      terminal: 'batchy',
    });
    journal.update(
      p.id,
      {
        outcome: 'approved',
        stage: 'done',
        message: 'ok',
        result: {
          ref: 'A',
          kind: 'sale',
          outcome: 'approved',
          amount: p.amount,
          terminal: 'batchy',
          message: 'ok',
          cardScheme: 'visa',
        },
      },
      { type: 'outcome' },
    );
    const lane: string[] = [];
    const hosts: HostAccess[] = [
      {
        terminal: 'batchy',
        driver: driver('future-link', async () => ({ closed: true, message: 'batch 0042 closed: 1 transaction' })),
        run: async (fn) => {
          lane.push('queued');
          return fn();
        },
      },
      { terminal: 'broken', driver: driver('future-link', async () => Promise.reject(new Error('terminal offline'))) },
      { terminal: 'local', driver: driver('ipp') },
      { terminal: 'cloud', driver: driver('epos') },
      { terminal: 'away', unavailable: 'the terminal cannot be reached from here' },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'rb-eod-'));
    dirs.push(dir);
    const reports = new DayReports(journal, () => hosts, {
      businessDay: { timeZone: 'UTC' },
      exportDir: dir,
      now: () => new Date('2025-03-14T20:00:00Z'),
    });
    const asked: string[] = [];
    const report = await reports.endOfDay({}, (day) => asked.push(day));

    expect(lane).toEqual(['queued']);
    expect(report.batches).toEqual([
      { terminal: 'batchy', closed: true, message: 'batch 0042 closed: 1 transaction' },
      { terminal: 'broken', closed: false, message: 'batch close failed: terminal offline' },
      { terminal: 'local', closed: false, message: expect.stringMatching(/^IPP has no batch close/) },
      { terminal: 'cloud', closed: false, message: expect.stringMatching(/API Gateway documents no batch close/) },
      { terminal: 'away', closed: false, message: 'the terminal cannot be reached from here' },
    ]);
    expect(report).toMatchObject({
      businessDay: '2025-03-14',
      reconciliation: 'scheduled',
      closedAt: '2025-03-14T20:00:00.000Z',
    });
    expect(report.currencies).toEqual([
      expect.objectContaining({
        currency: 'EUR',
        net: 1234,
        schemes: [expect.objectContaining({ scheme: 'VISA', net: 1234 })],
      }),
    ]);
    expect(asked).toEqual(['2025-03-14']);
    expect(reports.lastEndOfDay()).toEqual(report);
    expect(readFileSync(join(dir, 'end-of-day-2025-03-14.csv'), 'utf8')).toContain(
      '2025-03-14,EUR,scheme,VISA,1,,12.34',
    );
    expect(JSON.parse(readFileSync(join(dir, 'end-of-day-2025-03-14.json'), 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(report)),
    );

    // One register's totals: no reconciliation; one terminal's: only that terminal's batch.
    const mine = await reports.endOfDay({ register: 'pos' }, (day) => asked.push(day));
    expect(mine.reconciliation).toBe('off');
    const one = await reports.endOfDay({ terminal: 'local' }, (day) => asked.push(day));
    expect(one.batches.map((b) => b.terminal)).toEqual(['local']);
    expect(asked).toEqual(['2025-03-14']);

    // Switched off in the configuration.
    const quiet = new DayReports(journal, () => [], {
      businessDay: { timeZone: 'UTC' },
      reconcileAfterEndOfDay: false,
    });
    expect((await quiet.endOfDay({}, (day) => asked.push(day))).reconciliation).toBe('off');
    expect(asked).toHaveLength(1);
  });
});
