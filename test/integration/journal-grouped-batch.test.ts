/**
 * Grouped commits (the ones the bridge awaits `journal.durable()` for before it acts) go to the log together: those of
 * one turn of the event loop are one SQLite transaction, committed at the end of the turn or by the next commit of
 * another kind, then flushed once. What another connection (a power cut's survivor, the CLI) reads from the file
 * shows when each commit reached the log.
 */
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal';
import { tempDirs } from '../helpers/temp-dirs';
import { groupedIntent as intent, readJournalFile } from '../helpers/journal-files';

const tmp = tempDirs('rb-batch-');

/** The refs another connection finds in the file, in order. */
function refsOnDisk(dir: string): string[] {
  return readJournalFile(dir, (db) =>
    (db.prepare('SELECT ref FROM payments ORDER BY created_at, ref').all() as Array<{ ref: string }>).map((r) => r.ref),
  );
}

/** The register's delivery report, committed as the bridge commits one that decides a settlement (grouped). */
function deliver(j: Journal, id: string): void {
  j.updateSteps(id, [{ patch: { deliveredAt: new Date().toISOString() }, event: { type: 'delivered' } }], {
    durable: 'grouped',
  });
}

const endOfTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The journal's own connection, to refuse a statement as a full disk would. */
function refuse(j: Journal, sql: string, code = 'SQLITE_FULL'): void {
  const db = (j as unknown as { db: { exec(sql: string): unknown } }).db;
  const exec = db.exec.bind(db);
  let refused = false;
  db.exec = (text: string) => {
    if (text === sql && !refused) {
      refused = true;
      throw Object.assign(new Error('database or disk is full'), { code });
    }
    return exec(text);
  };
}

describe('journal: the grouped commits of a turn are written together', () => {
  it('reach the log at the end of the turn, in one transaction, and take one flush', async () => {
    const dir = tmp();
    const j = Journal.open(dir);
    const flushesBefore = j.flushStats().flushes;
    const a = intent(j, 'A');
    const b = intent(j, 'B');
    // Seen at once on the journal's own connection, not yet in the file.
    expect(j.get(a.id)?.ref).toBe('A');
    expect(j.findByRef('pos-1', 'B', 'payment')?.id).toBe(b.id);
    expect(refsOnDisk(dir)).toEqual([]);
    await endOfTurn();
    expect(refsOnDisk(dir)).toEqual(['A', 'B']);
    await j.durable();
    expect(j.flushStats().flushes - flushesBefore).toBe(1);
    expect(j.commits.grouped).toBe(2);
    j.close();
  });

  it('durable() waits for the batch to be written, then for the flush', async () => {
    const dir = tmp();
    const j = Journal.open(dir);
    intent(j, 'C');
    const durable = j.durable();
    intent(j, 'D'); // the same turn: the same batch, covered by the same wait
    await durable;
    expect(refsOnDisk(dir)).toEqual(['C', 'D']);
    j.close();
  });

  it('a commit of another kind writes the batch first, so the log keeps their order', () => {
    const dir = tmp();
    const j = Journal.open(dir);
    const p = intent(j, 'E');
    // A note is durable on its own (its own fsync): it cannot be in the log without the intent before it.
    j.note(p.id, { type: 'terminal_busy', data: { attempt: 1 } });
    expect(refsOnDisk(dir)).toEqual(['E']);
    j.close();
  });

  it('a delivery report is written at once: a killed process keeps what the register already holds', () => {
    const dir = tmp();
    const j = Journal.open(dir);
    const p = intent(j, 'F');
    deliver(j, p.id);
    const row = readJournalFile(
      dir,
      (db) => db.prepare('SELECT delivered_at FROM payments WHERE ref = ?').get('F') as { delivered_at: string },
    );
    expect(row.delivered_at).toBeTruthy();
    j.close();
  });

  it('a commit that fails rolls back to its own savepoint; the others of its batch stay', async () => {
    const dir = tmp();
    const j = Journal.open(dir);
    intent(j, 'G');
    expect(() => intent(j, 'G')).toThrow(/UNIQUE/);
    intent(j, 'H');
    await j.durable();
    expect(refsOnDisk(dir)).toEqual(['G', 'H']);
    j.close();
  });

  it("a batch's first commit that fails rolls the batch back; the next commit opens another", async () => {
    const dir = tmp();
    const j = Journal.open(dir);
    intent(j, 'M');
    await j.durable();
    expect(() => intent(j, 'M')).toThrow(/UNIQUE/);
    intent(j, 'N');
    intent(j, 'O');
    expect(() => intent(j, 'N')).toThrow(/UNIQUE/);
    await j.durable();
    expect(refsOnDisk(dir)).toEqual(['M', 'N', 'O']);
    expect(j.commits.grouped).toBe(3);
    j.close();
  });

  it('a refused COMMIT loses the batch: durable() says so, and the journal forgets what it held of it', async () => {
    const dir = tmp();
    const j = Journal.open(dir);
    const kept = intent(j, 'I');
    await j.durable();
    refuse(j, 'COMMIT');
    const lost = intent(j, 'J');
    expect(j.get(lost.id)?.ref).toBe('J');
    await expect(j.durable()).rejects.toThrow(/could not record its last changes: database or disk is full/);
    expect(j.writeErrors).toBe(1);
    expect(j.get(lost.id)).toBeUndefined();
    expect(j.findByRef('pos-1', 'J', 'payment')).toBeUndefined();
    expect(j.get(kept.id)?.ref).toBe('I');
    // The journal goes on: the ref can be taken again, and the next batch is written.
    intent(j, 'J');
    await j.durable();
    expect(refsOnDisk(dir)).toEqual(['I', 'J']);
    j.close();
  });

  it('a delivery report whose batch is refused throws to its caller, as a commit of its own would', () => {
    const dir = tmp();
    const j = Journal.open(dir);
    const p = intent(j, 'K');
    refuse(j, 'COMMIT');
    expect(() => deliver(j, p.id)).toThrow(/could not record its last changes/);
    expect(j.get(p.id)).toBeUndefined();
    j.close();
  });
});
