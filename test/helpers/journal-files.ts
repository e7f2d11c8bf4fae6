/**
 * Journal tests that look at the file itself: a payment's intent committed as the bridge commits it (grouped, made
 * durable by the flush it awaits), and what another connection — a power cut's survivor, the CLI — reads from the file.
 */
import Database from 'libsql';
import { join } from 'node:path';
import type { Journal, PaymentRecord } from '../../src/journal/journal';

/** A 12.50 EUR sale's intent of register pos-1 on terminal t1, committed as the bridge commits one (grouped). */
export function groupedIntent(j: Journal, ref: string): PaymentRecord {
  return j.insertIntent(
    { register: 'pos-1', ref, kind: 'sale', amount: { minor: 1250, currency: 'EUR' }, tip: 0, terminal: 't1' },
    { durable: 'grouped' },
  );
}

/** `read` on a read-only connection of its own to the journal file in `dir`, closed afterwards. */
export function readJournalFile<T>(dir: string, read: (db: Database.Database) => T): T {
  const db = new Database(join(dir, 'journal.sqlite'), { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}
