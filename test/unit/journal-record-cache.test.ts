/**
 * The journal answers a payment's reads and builds its updated record from the records it keeps, without reading the
 * row back. What it hands out must be exactly what is stored: after every step of a sale (card data masked, text
 * redacted, a progress stage riding and then written, a record evicted and read again) the record equals the one a
 * second connection reads from the file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, type PaymentRecord } from '../../src/journal/journal';
import { money } from '../../src/domain/money';
import * as lifecycle from '../../src/bridge/lifecycle';
import { tempDirs } from '../helpers/temp-dirs';

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
    expect(writer.get(rec.id)).toEqual(stored(reader, rec.id));
    expect(writer.findByRef('pos', 'A-1', 'payment')).toEqual(stored(reader, rec.id));
    expect(writer.allByRef('pos', 'A-1')).toEqual([stored(reader, rec.id)]);
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
