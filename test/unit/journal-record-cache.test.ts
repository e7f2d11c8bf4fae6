/**
 * The journal answers a payment's reads and builds its updated record from the records it keeps, without reading the
 * row back. What it hands out must be exactly what is stored: after every step of a sale (card data masked, text
 * redacted, a progress stage riding and then written, a record evicted and read again) the record equals the one a
 * second connection reads from the file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'libsql';
import { join } from 'node:path';
import { Journal, type PaymentRecord } from '../../src/journal/journal';
import { money } from '../../src/domain/money';
import * as lifecycle from '../../src/bridge/lifecycle';
import { tempDirs } from '../helpers/temp-dirs';
import { redactText, scrubCardData } from '../../src/log/redact';

const tmp = tempDirs('rb-cache-');
const open: Journal[] = [];
afterEach(() => {
  for (const j of open.splice(0)) j.close();
});

function journals(): { writer: Journal; reader: () => Journal } {
  const dir = tmp();
  const writer = Journal.open(dir);
  open.push(writer);
  return {
    writer,
    reader: () => {
      const r = Journal.open(dir, { groupCommit: false });
      open.push(r);
      return r;
    },
  };
}

/** A sale's intent on terminal t1 (1.00 EUR unless told). */
function intent(journal: Journal, ref: string, minor = 100, environment?: 'demo'): PaymentRecord {
  return journal.insertIntent({
    register: 'pos',
    ref,
    kind: 'sale',
    amount: money(minor, 'EUR'),
    tip: 0,
    terminal: 't1',
    ...(environment ? { environment } : {}),
  });
}

/** What a fresh connection reads for the payment (no cached record, no riding stage). */
function stored(reader: () => Journal, id: string): PaymentRecord | undefined {
  const j = reader();
  const r = j.get(id);
  j.close();
  open.splice(open.indexOf(j), 1);
  return r;
}

/** A reversal of `original` under the same ref. */
function reversalOf(journal: Journal, original: PaymentRecord): PaymentRecord {
  return journal.insertIntent({
    register: 'pos',
    ref: original.ref,
    kind: 'reversal',
    amount: money(100, 'EUR'),
    tip: 0,
    terminal: 't1',
    originalId: original.id,
  });
}

/** The payment declined: final, so pruning may remove it once old. */
function decline(journal: Journal, id: string): void {
  journal.update(
    id,
    { outcome: 'declined', stage: 'done' },
    { type: 'outcome', data: { outcome: 'declined', message: 'declined', refused: null, settlement: null } },
  );
}

/** A journal in `dir` on a clock the test sets (`clock.now`). */
function onClock(dir: string, start: string): { journal: Journal; clock: { now: Date } } {
  const clock = { now: new Date(start) };
  const journal = Journal.open(dir, { now: () => clock.now });
  return { journal, clock };
}

describe('journal record cache', () => {
  it('hands out records equal to the stored rows through a whole sale', () => {
    const { writer, reader } = journals();
    const rec = intent(writer, 'A-1', 1234, 'demo');
    expect(rec).toEqual(stored(reader, rec.id));
    writer.update(rec.id, lifecycle.sent('3f2a9c1e-0000-4000-8000-000000000001').patch, {
      type: 'sent',
      data: { driverRef: '3f2a9c1e-0000-4000-8000-000000000001' },
    });
    expect(writer.get(rec.id)).toEqual(stored(reader, rec.id));

    // A progress stage rides: the writer shows it at once; once a commit took it along, the row has it too.
    writer.progress(rec.id, { type: 'stage', data: { stage: 'present_card', message: 'present card' } });
    expect(writer.get(rec.id)!.stage).toBe('present_card');
    const after = writer.update(
      rec.id,
      {
        outcome: 'approved',
        settlement: 'pending',
        // Card data the terminal should never have sent: masked in the row, and so in the record.
        message: 'approved for card 4111 1111 1111 1111',
        result: {
          outcome: 'approved',
          amount: money(1234, 'EUR'),
          message: 'ok',
          fields: { pan: '4111111111111111', authCode: 'A1B2C3' },
        } as never,
        raw: { PAN: '4111111111111111', STAN: '000123' },
      },
      { type: 'outcome', data: { outcome: 'approved', message: 'ok', refused: null, settlement: 'pending' } },
    );
    expect(after.message).not.toContain('4111 1111 1111 1111');
    expect(JSON.stringify(after)).not.toContain('4111111111111111');
    expect(after).toEqual(stored(reader, rec.id));
    expect(after.stage).toBe('present_card');

    writer.update(rec.id, { deliveredAt: '2026-12-07T10:00:00.000Z' }, { type: 'delivered' });
    writer.update(
      rec.id,
      { settlement: 'completed', stage: 'done' },
      { type: 'settled', data: { decision: 'complete', message: 'ok' } },
    );
    // The settled mark after COMPLETE_TX rides (durability.ts): the writer shows it at once, the row once the next
    // commit took it along (here the next payment's intent).
    expect(writer.get(rec.id)).toMatchObject({ settlement: 'completed', stage: 'done' });
    expect(stored(reader, rec.id)).toMatchObject({ settlement: 'pending' });
    intent(writer, 'A-2');
    expect(writer.get(rec.id)).toEqual(stored(reader, rec.id));
    expect(stored(reader, rec.id)).toMatchObject({ settlement: 'completed', stage: 'done' });
    expect(writer.findByRef('pos', 'A-1', 'payment')).toEqual(stored(reader, rec.id));
    expect(writer.allByRef('pos', 'A-1')).toEqual([stored(reader, rec.id)]);
    expect(writer.events(rec.id).map((e) => e.type)).toEqual([
      'intent',
      'sent',
      'stage',
      'outcome',
      'delivered',
      'settled',
    ]);
  });

  it('a query over the table writes what rides first, so it sees the settled mark too', () => {
    const { writer } = journals();
    const rec = intent(writer, 'Q-1');
    writer.update(
      rec.id,
      { outcome: 'approved', settlement: 'pending', stage: 'approved_open' },
      {
        type: 'outcome',
        data: { outcome: 'approved', message: 'ok', refused: null, settlement: 'pending' },
      },
    );
    writer.update(
      rec.id,
      { settlement: 'completed', stage: 'done' },
      { type: 'settled', data: { decision: 'complete', message: 'ok' } },
    );
    expect(writer.unresolved().map((r) => r.id)).not.toContain(rec.id);
    expect(writer.list({ ref: 'Q-1' })[0]).toMatchObject({ settlement: 'completed', stage: 'done' });
  });

  it('reads a payment again once it has left the cache, and updates it as stored', () => {
    const { writer, reader } = journals();
    const first = intent(writer, 'OLD');
    // More payments than the cache keeps push the first one out.
    for (let i = 0; i < 600; i++) intent(writer, `N-${i}`);
    const updated = writer.update(
      first.id,
      { outcome: 'declined', stage: 'done', message: 'declined' },
      {
        type: 'outcome',
        data: { outcome: 'declined', message: 'declined', refused: null, settlement: null },
      },
    );
    expect(updated).toEqual(stored(reader, first.id));
    expect(writer.get(first.id)).toEqual(updated);
  });
});

describe('journal ref index', () => {
  it('finds a payment written after its ref was asked about, and its follow-up after it', () => {
    const { writer, reader } = journals();
    // Admission asks first (nothing known), then the intent is written: the next question must see it.
    expect(writer.findByRef('pos', 'R-1', 'payment')).toBeUndefined();
    expect(writer.allByRef('pos', 'R-1')).toEqual([]);
    const sale = intent(writer, 'R-1');
    expect(writer.findByRef('pos', 'R-1', 'payment')).toEqual(stored(reader, sale.id));
    expect(writer.findByRef('pos', 'R-1', 'reversal')).toBeUndefined();
    const reversal = reversalOf(writer, sale);
    expect(writer.findByRef('pos', 'R-1', 'reversal')?.id).toBe(reversal.id);
    expect(writer.allByRef('pos', 'R-1').map((r) => r.id)).toEqual([sale.id, reversal.id]);
    // The same ref of another register is another payment.
    expect(writer.findByRef('pos-2', 'R-1', 'payment')).toBeUndefined();
    // What a fresh connection answers from the file is the same.
    const fresh = reader();
    expect(fresh.allByRef('pos', 'R-1').map((r) => r.id)).toEqual([sale.id, reversal.id]);
  });

  it('keeps the order of the stored rows (creation time) when the clock was set back', () => {
    const dir = tmp();
    const { journal: writer, clock } = onClock(dir, '2026-12-07T12:00:00.000Z');
    open.push(writer);
    const later = intent(writer, 'C-1');
    expect(writer.allByRef('pos', 'C-1')).toHaveLength(1);
    clock.now = new Date('2026-12-07T11:00:00.000Z');
    const earlier = reversalOf(writer, later);
    const fresh = Journal.open(dir, { groupCommit: false });
    open.push(fresh);
    const fromFile = fresh.allByRef('pos', 'C-1').map((r) => r.id);
    expect(fromFile).toEqual([earlier.id, later.id]);
    expect(writer.allByRef('pos', 'C-1').map((r) => r.id)).toEqual(fromFile);
  });

  it('forgets the refs it knew when old payments are pruned', () => {
    const dir = tmp();
    const { journal: writer, clock } = onClock(dir, '2026-10-01T12:00:00.000Z');
    open.push(writer);
    const old = intent(writer, 'P-1');
    decline(writer, old.id);
    expect(writer.findByRef('pos', 'P-1', 'payment')?.id).toBe(old.id);
    clock.now = new Date('2026-12-07T12:00:00.000Z');
    expect(writer.prune(30)).toBe(1);
    expect(writer.findByRef('pos', 'P-1', 'payment')).toBeUndefined();
    expect(writer.allByRef('pos', 'P-1')).toEqual([]);
  });
});

describe('journal receipt numbers', () => {
  function metaReceiptNo(dir: string): string | undefined {
    const db = new Database(join(dir, 'journal.sqlite'), { readonly: true });
    try {
      const row = db.prepare("SELECT value FROM meta WHERE key = 'last_receipt_no'").get() as
        { value: string } | undefined;
      return row?.value;
    } finally {
      db.close();
    }
  }

  it('are taken from the newest payment: no other write per payment, and they go on after a restart', () => {
    const dir = tmp();
    const first = Journal.open(dir);
    expect([intent(first, 'N-1'), intent(first, 'N-2'), intent(first, 'N-3')].map((r) => r.receiptNo)).toEqual([
      1, 2, 3,
    ]);
    first.close();
    // Nothing but the payment rows holds the counter.
    expect(metaReceiptNo(dir)).toBeUndefined();
    const again = Journal.open(dir);
    open.push(again);
    expect(intent(again, 'N-4').receiptNo).toBe(4);
  });

  it('go on after pruning removed every payment (the counter is kept before the rows go)', () => {
    const dir = tmp();
    const { journal: j, clock } = onClock(dir, '2026-10-01T12:00:00.000Z');
    for (const ref of ['O-1', 'O-2']) decline(j, intent(j, ref).id);
    clock.now = new Date('2026-12-07T12:00:00.000Z');
    expect(j.prune(30)).toBe(2);
    j.close();
    expect(metaReceiptNo(dir)).toBe('2');
    const again = Journal.open(dir, { now: () => clock.now });
    open.push(again);
    expect(intent(again, 'N-1').receiptNo).toBe(3);
  });

  it('continue from a journal that kept the counter in meta (written before)', () => {
    const dir = tmp();
    const j = Journal.open(dir);
    j.close();
    const db = new Database(join(dir, 'journal.sqlite'));
    db.prepare("INSERT INTO meta(key, value) VALUES ('last_receipt_no', '9999')").run();
    db.close();
    const again = Journal.open(dir);
    open.push(again);
    // 9999 wraps to 1 (4 BCD digits on ZVT).
    expect(intent(again, 'W-1').receiptNo).toBe(1);
    expect(intent(again, 'W-2').receiptNo).toBe(2);
  });
});

describe('journal payment ids', () => {
  it('are time-ordered UUIDs: each new payment sorts after the ones before it', () => {
    const { writer } = journals();
    const ids = Array.from({ length: 50 }, (_, i) => intent(writer, `O-${i}`).id);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
  });

  it('pass the card-data rules unchanged, as a reference (many of their digits are the time)', () => {
    const { writer } = journals();
    for (let i = 0; i < 300; i++) {
      const { id } = intent(writer, `S-${i}`);
      expect(scrubCardData({ id, note: `payment ${id}` })).toEqual({ id, note: `payment ${id}` });
      expect(redactText(`payment ${id} approved`)).toBe(`payment ${id} approved`);
    }
  });
});
