/**
 * The journal's group flush (src/journal/wal-flusher.ts) on plain files: one flush for every commit made before it
 * started, a commit made during a flush waits for the next one, a failed flush rejects only the commits it carried,
 * a replaced log file is opened again, and closing flushes what is pending.
 */
import { fstatSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WalFlusher } from '../../src/journal/wal-flusher';
import { tempDirs } from '../helpers/temp-dirs';

const tmp = tempDirs('rb-wal-');
function logFile(): string {
  const f = join(tmp(), 'journal.sqlite-wal');
  writeFileSync(f, 'frames');
  return f;
}

/** A flush the test completes by hand, noting which file (inode) it was asked to flush. */
function manualFlush() {
  const calls: Array<{ ino: number; done: (e?: Error) => void }> = [];
  const flush = (fd: number): Promise<void> =>
    new Promise((resolve, reject) => calls.push({ ino: fstatSync(fd).ino, done: (e) => (e ? reject(e) : resolve()) }));
  return { calls, flush };
}

describe('group flush of the write-ahead log', () => {
  it('resolves at once when nothing is pending, and one flush serves every commit made before it', async () => {
    const m = manualFlush();
    const f = new WalFlusher(logFile(), m.flush);
    expect(f.available()).toBe(true);
    await f.durable();
    expect(m.calls).toHaveLength(0);

    f.committedDeferred();
    f.committedDeferred();
    const a = f.durable();
    const b = f.durable();
    expect(m.calls).toHaveLength(1);
    // Committed during the flush: not covered by it.
    f.committedDeferred();
    const c = f.durable();
    let cDone = false;
    void c.then(() => (cDone = true));
    m.calls[0]!.done();
    await Promise.all([a, b]);
    await new Promise((r) => setImmediate(r));
    expect(cDone).toBe(false);
    expect(m.calls).toHaveLength(2);
    m.calls[1]!.done();
    await c;
    expect(f.stats).toEqual({ flushes: 2, commitsFlushed: 3 });
    f.close();
  });

  it('a commit with its own fsync makes everything before it durable', async () => {
    const m = manualFlush();
    const f = new WalFlusher(logFile(), m.flush);
    f.committedDeferred();
    f.committedDurably();
    await f.durable();
    expect(m.calls).toHaveLength(0);
    f.close();
  });

  it('a failed flush rejects the commits it carried; the next flush is tried anew', async () => {
    const m = manualFlush();
    const f = new WalFlusher(logFile(), m.flush);
    f.committedDeferred();
    const a = f.durable();
    m.calls[0]!.done(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
    await expect(a).rejects.toThrow(/could not be made durable on disk: EIO/);
    f.committedDeferred();
    const b = f.durable();
    await new Promise((r) => setImmediate(r));
    m.calls[1]!.done();
    await b;
    f.close();
  });

  it('opens the log again when the file was replaced', async () => {
    const path = logFile();
    const m = manualFlush();
    const f = new WalFlusher(path, m.flush);
    f.committedDeferred();
    const a = f.durable();
    m.calls[0]!.done();
    await a;
    unlinkSync(path);
    writeFileSync(join(path, '..', 'other'), 'keeps the old inode number from being reused');
    writeFileSync(path, 'new log');
    f.committedDeferred();
    const b = f.durable();
    await new Promise((r) => setImmediate(r));
    expect(m.calls[1]!.ino).not.toBe(m.calls[0]!.ino);
    m.calls[1]!.done();
    await b;
    f.close();
  });

  it('closing flushes what is pending, and a missing log file means no group commit', async () => {
    const m = manualFlush();
    const f = new WalFlusher(logFile(), m.flush);
    f.committedDeferred();
    f.close();
    await f.durable();
    expect(new WalFlusher(join(tmpdir(), 'rb-no-such-folder', 'journal.sqlite-wal')).available()).toBe(false);
  });
});
