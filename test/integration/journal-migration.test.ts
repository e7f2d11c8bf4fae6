/**
 * Migration 4 renumbers nothing: a journal written by the schema before (events numbered by AUTOINCREMENT) opens with
 * every event and its number kept, new events numbered after the last, and no counter row in sqlite_sequence any more.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'libsql';
import { Journal } from '../../src/journal/journal';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/journal/schema';
import { tempDirs } from '../helpers/temp-dirs';

const tmp = tempDirs('rb-migrate-');

/** A journal file as schema 3 left it: one payment with three events, numbered 7, 8 and 41. */
function schema3Journal(dir: string): void {
  const db = new Database(join(dir, 'journal.sqlite'));
  db.exec('PRAGMA journal_mode = WAL');
  for (const m of MIGRATIONS.filter((m) => m.version <= 3)) db.exec(m.sql);
  db.exec(`INSERT INTO meta (key, value) VALUES ('schema_version', '3')`);
  db.exec(`INSERT INTO payments (id, register, ref, op_class, kind, amount, currency, terminal, bridge_ref, receipt_no,
             stage, outcome, created_at, updated_at)
           VALUES ('p1', 'pos', 'OLD-1', 'payment', 'sale', 1234, 'EUR', 't1', 'OLD-1', 1, 'done', 'approved',
             '2026-12-01T10:00:00.000Z', '2026-12-01T10:00:01.000Z')`);
  const ev = db.prepare('INSERT INTO events (seq, payment_id, at, type, data) VALUES (?, ?, ?, ?, ?)');
  ev.run(7, 'p1', '2026-12-01T10:00:00.000Z', 'intent', '{"amount":1234}');
  ev.run(8, 'p1', '2026-12-01T10:00:00.500Z', 'sent', '{"driverRef":"x"}');
  ev.run(41, 'p1', '2026-12-01T10:00:01.000Z', 'outcome', '{"outcome":"approved"}');
  db.close();
}

describe('journal schema 4 (events without AUTOINCREMENT)', () => {
  it('keeps every event and its number, numbers new ones after the last, and drops the counter', () => {
    const dir = tmp();
    schema3Journal(dir);
    const j = Journal.open(dir);
    expect(j.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(j.events('p1').map((e) => [e.seq, e.type, e.data])).toEqual([
      [7, 'intent', { amount: 1234 }],
      [8, 'sent', { driverRef: 'x' }],
      [41, 'outcome', { outcome: 'approved' }],
    ]);
    j.note('p1', { type: 'delivered' });
    expect(j.events('p1').map((e) => e.seq)).toEqual([7, 8, 41, 42]);
    expect(j.integrityCheck()).toBe('ok');
    j.close();

    const db = new Database(join(dir, 'journal.sqlite'), { readonly: true });
    const sql = (db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'events'`).get() as { sql: string }).sql;
    expect(sql).not.toMatch(/AUTOINCREMENT/i);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'events_payment'`).get()).toBeDefined();
    expect(db.prepare(`SELECT * FROM sqlite_sequence WHERE name = 'events'`).get()).toBeUndefined();
    db.close();
  });
});
