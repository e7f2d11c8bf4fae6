import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Journal } from '../../src/journal/journal';
import { SCHEMA_VERSION } from '../../src/journal/schema';
import { money } from '../../src/domain/money';
import { ScriptedDriver } from '../helpers/scripted-driver';
import { tempDirs } from '../helpers/temp-dirs';
import { journalCsv } from '../../src/journal/report';
import { startedBridge } from '../helpers/bridge-parts';

const tmp = tempDirs('rb-journal-');

const FULL_PAN = '5413330089604111';

describe('journal (real SQLite file)', () => {
  it('uses WAL with synchronous=FULL and a versioned schema', () => {
    const j = Journal.open(tmp());
    expect(j.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(j.integrityCheck()).toBe('ok');
    j.close();
  });

  it('no full PAN, track data or expiry ever reaches the database file, whatever the terminal sends', async () => {
    const dir = tmp();
    const journal = Journal.open(dir);
    const driver = new ScriptedDriver();
    driver.script(async (_cmd, ctx, sid) => {
      await ctx.beforeSend(sid);
      return {
        outcome: 'approved',
        driverRef: sid,
        message: `Approved for card ${FULL_PAN}`,
        fields: { panMasked: FULL_PAN, authCode: 'A1' },
        raw: {
          PAN: FULL_PAN,
          PAN_MASKED: FULL_PAN,
          TRACK2: `;${FULL_PAN}=25121010000000000000?`,
          EXPIRE_DATE: '2512',
          NOTE: `${FULL_PAN.slice(0, 4)} ${FULL_PAN.slice(4, 8)} ${FULL_PAN.slice(8, 12)} ${FULL_PAN.slice(12)}`,
        },
      };
    });
    const bridge = await startedBridge(journal, driver);
    const h = await bridge.submit(
      { listener: 'pos', register: 'pos' },
      { kind: 'sale', ref: 'PAN-1', amount: money(100, 'EUR') },
    );
    const result = await h.result;
    expect(result.panMasked).toBe('****4111');
    await bridge.close();
    journal.close();
    const rows = Journal.open(dir);
    const csv = journalCsv(rows.list());
    rows.close();
    expect(csv).not.toContain(FULL_PAN);
    const files = readdirSync(dir);
    expect(files.some((f) => f.startsWith('journal.sqlite'))).toBe(true);
    for (const f of files) {
      const bytes = readFileSync(join(dir, f));
      expect(bytes.includes(Buffer.from(FULL_PAN)), `${f} holds the PAN`).toBe(false);
      expect(bytes.includes(Buffer.from(FULL_PAN.slice(0, 12))), `${f} holds PAN digits`).toBe(false);
      expect(bytes.includes(Buffer.from('=2512101')), `${f} holds track data`).toBe(false);
    }
  });

  it('keeps refs at least 30 days: pruning removes only old final payments', () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const j = Journal.open(tmp(), { now: () => now });
    const a = j.insertIntent({
      register: 'pos',
      ref: 'OLD',
      kind: 'sale',
      amount: money(100, 'EUR'),
      tip: 0,
      terminal: 't',
    });
    j.update(a.id, { outcome: 'approved', stage: 'done' }, { type: 'outcome' });
    const b = j.insertIntent({
      register: 'pos',
      ref: 'DOUBT',
      kind: 'sale',
      amount: money(100, 'EUR'),
      tip: 0,
      terminal: 't',
    });
    j.update(b.id, { outcome: 'in_doubt', driverRef: 'x' }, { type: 'outcome' });
    now = new Date('2026-01-20T00:00:00Z');
    expect(j.prune(1)).toBe(0); // never fewer than 30 days
    now = new Date('2027-03-01T00:00:00Z');
    expect(j.prune(400)).toBe(1);
    expect(j.findByRef('pos', 'OLD', 'payment')).toBeUndefined();
    expect(j.findByRef('pos', 'DOUBT', 'payment')).toBeDefined(); // unresolved payments are never pruned
    j.close();
  });

  it('a duplicate ref is refused by the database itself', () => {
    const j = Journal.open(tmp());
    j.insertIntent({ register: 'pos', ref: 'X', kind: 'sale', amount: money(100, 'EUR'), tip: 0, terminal: 't' });
    expect(() =>
      j.insertIntent({ register: 'pos', ref: 'X', kind: 'sale', amount: money(100, 'EUR'), tip: 0, terminal: 't' }),
    ).toThrow(/UNIQUE/);
    j.close();
  });
});
