/**
 * Writes that need no commit of their own ride on the journal's next one: progress stages (event row and stage
 * column) and receipt copies. Until then every read shows them; a commit that fails keeps them for the next; close
 * writes what still rides, and so does the journal on its own a second after the last of them.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Journal } from '../../src/journal/journal';
import { tempDirs } from '../helpers/temp-dirs';
import { groupedIntent as intent, readJournalFile } from '../helpers/journal-files';

const tmp = tempDirs('rb-ride-');

const stage = (s: 'connecting' | 'accepted' | 'present_card', message: string) =>
  ({ type: 'stage', data: { stage: s, message } }) as const;

/** What another connection (a power cut's survivor, the CLI) reads from the file. */
function onDisk(dir: string, id: string): { stage: string; stages: string[]; receipt: boolean } {
  return readJournalFile(dir, (db) => {
    const row = db.prepare('SELECT stage FROM payments WHERE id = ?').get(id) as { stage: string };
    const stages = (
      db.prepare("SELECT data FROM events WHERE payment_id = ? AND type = 'stage' ORDER BY seq").all(id) as Array<{
        data: string;
      }>
    ).map((e) => (JSON.parse(e.data) as { stage: string }).stage);
    const receipt = db.prepare('SELECT 1 FROM receipts WHERE payment_id = ?').get(id) !== undefined;
    return { stage: row.stage, stages, receipt };
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('journal: writes that ride on the next commit', () => {
  it('a progress stage takes no commit; reads show it; the next commit writes it, in order', async () => {
    const dir = tmp();
    const j = Journal.open(dir);
    const p = intent(j, 'R-1');
    await j.durable();
    const before = { ...j.commits };
    j.progress(p.id, stage('connecting', 'Connecting'));
    j.progress(p.id, stage('accepted', 'Accepted'));
    expect(j.commits).toEqual(before);
    expect(j.get(p.id)!.stage).toBe('accepted');
    expect(onDisk(dir, p.id)).toEqual({ stage: 'queued', stages: [], receipt: false });

    // Another payment's commit takes them along.
    intent(j, 'R-2');
    await j.durable();
    expect(onDisk(dir, p.id)).toEqual({ stage: 'accepted', stages: ['connecting', 'accepted'], receipt: false });
    expect(j.events(p.id).map((e) => e.type)).toEqual(['intent', 'stage', 'stage']);
    j.close();
  });

  it("reading a payment's events writes its riding progress first, so the trail has every step", () => {
    const dir = tmp();
    const j = Journal.open(dir);
    const p = intent(j, 'R-8');
    j.progress(p.id, stage('connecting', 'Connecting'));
    expect(j.events(p.id).map((e) => e.type)).toEqual(['intent', 'stage']);
    expect(onDisk(dir, p.id).stages).toEqual(['connecting']);
    j.close();
  });

  it('a receipt copy takes no commit; it is read back at once and written with the next commit', async () => {
    const dir = tmp();
    const j = Journal.open(dir);
    const p = intent(j, 'R-3');
    await j.durable();
    const before = { ...j.commits };
    expect(j.putReceipt(p.id, { lines: ['A'] })).toBe(true);
    expect(j.putReceipt(p.id, { lines: ['A'] })).toBe(false);
    expect(j.commits).toEqual(before);
    expect(j.receipt(p.id)).toEqual({ lines: ['A'] });
    expect(onDisk(dir, p.id).receipt).toBe(false);
    j.update(p.id, { deliveredAt: new Date().toISOString() }, { type: 'delivered' });
    expect(onDisk(dir, p.id).receipt).toBe(true);
    j.close();
  });

  it('a commit that fails keeps what rode on it for the next one', async () => {
    const dir = tmp();
    const j = Journal.open(dir);
    const p = intent(j, 'R-4');
    await j.durable();
    j.progress(p.id, stage('present_card', 'Present card'));
    // The same ref again: the intent's commit fails on the unique constraint.
    expect(() => intent(j, 'R-4')).toThrow();
    expect(onDisk(dir, p.id).stages).toEqual([]);
    expect(j.get(p.id)!.stage).toBe('present_card');
    intent(j, 'R-5');
    await j.durable();
    expect(onDisk(dir, p.id)).toMatchObject({ stage: 'present_card', stages: ['present_card'] });
    j.close();
  });

  it('close writes what still rides; so does the journal itself a second after the last of it', () => {
    const dir = tmp();
    const j = Journal.open(dir);
    const p = intent(j, 'R-6');
    j.progress(p.id, stage('connecting', 'Connecting'));
    j.close();
    expect(onDisk(dir, p.id).stages).toEqual(['connecting']);

    vi.useFakeTimers();
    const k = Journal.open(dir);
    const q = intent(k, 'R-7');
    k.progress(q.id, stage('accepted', 'Accepted'));
    k.putReceipt(q.id, { lines: ['B'] });
    vi.advanceTimersByTime(999);
    expect(onDisk(dir, q.id).stages).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(onDisk(dir, q.id)).toEqual({ stage: 'accepted', stages: ['accepted'], receipt: true });
    k.close();
  });
});
