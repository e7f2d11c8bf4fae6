/**
 * Group commit for the journal: commits that must be durable before the bridge acts on them are committed without
 * their own fsync (SQLite synchronous=NORMAL: the frames are written to the write-ahead log, the OS holds them), and
 * the caller awaits `durable()` before it acts. One `fdatasync` of the `-wal` file, run on libuv's thread pool (off
 * the JavaScript thread), then makes every commit written before it started durable at once — so while one lane's
 * commit is on its way to the disk the other lanes keep working, and one flush serves all the lanes that committed
 * in the meantime.
 *
 * Why this is as safe as synchronous=FULL: in WAL mode SQLite's FULL does exactly one thing more per commit — it
 * syncs the `-wal` file after appending the commit's frames. The log is appended in order and a commit is valid in
 * it only with all frames before it, so after our `fdatasync` of that file every commit before the flush is on disk,
 * as FULL would have left it. A killed process loses nothing written to the log either way (the OS still has the
 * pages; the journal writes a turn's grouped commits at the end of the turn, Journal.groupedTx); only a power cut before
 * the flush loses commits, and no one acted on those. Checkpoints keep their own syncs (SQLite syncs the log
 * before copying it into the database file and the database after).
 *
 * Not done by hand for want of a library: no SQLite binding for Node exposes an asynchronous sync of the log, and
 * libsql's API is synchronous, so the flush is Node's own `fs.fdatasync` on a descriptor of the same file.
 */
import { closeSync, fdatasync, fdatasyncSync, fstatSync, openSync, statSync } from 'node:fs';

export type FlushFn = (fd: number) => Promise<void>;

const fdatasyncAsync: FlushFn = (fd) =>
  new Promise((resolve, reject) => fdatasync(fd, (e) => (e ? reject(e) : resolve())));

interface Waiter {
  readonly upTo: number;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

export interface FlushStats {
  /** fdatasync calls made. */
  flushes: number;
  /** Commits made durable by them (several per flush when lanes commit together). */
  commitsFlushed: number;
}

export class WalFlusher {
  private fd: number | undefined;
  private ino: bigint | undefined;
  /** Sequence of commits waiting for a flush (increments per deferred commit). */
  private committed = 0;
  /** Every commit up to this one is durable. */
  private durableUpTo = 0;
  private running: Promise<void> | undefined;
  private waiters: Waiter[] = [];
  private closed = false;
  readonly stats: FlushStats = { flushes: 0, commitsFlushed: 0 };

  constructor(
    private readonly walPath: string,
    private readonly flush: FlushFn = fdatasyncAsync,
  ) {}

  /** Whether the log file can be flushed from here; when not, the journal commits with its own fsync instead. */
  available(): boolean {
    try {
      this.descriptor();
      return true;
    } catch {
      return false;
    }
  }

  /** A commit without its own fsync was made (or `n`, written to the log together); `durable()` after this covers it. */
  committedDeferred(n = 1): void {
    this.committed += n;
  }

  /** A commit with its own fsync was made: it made every commit before it durable too (the log is in order). */
  committedDurably(): void {
    this.durableUpTo = this.committed;
    this.settle();
  }

  /** Resolves once every commit made so far is on disk. */
  durable(): Promise<void> {
    const upTo = this.committed;
    if (upTo <= this.durableUpTo) return Promise.resolve();
    if (this.closed)
      return Promise.reject(new Error('the journal is closed; its last commits could not be made durable'));
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ upTo, resolve, reject });
      this.kick();
    });
  }

  /** Flushes what is pending right here (closing), then releases the descriptor. */
  close(): void {
    if (this.closed) return;
    if (this.committed > this.durableUpTo) {
      // Synchronously: the process may be about to exit.
      try {
        fdatasyncSync(this.descriptor());
        this.durableUpTo = this.committed;
        this.settle();
      } catch (e) {
        this.fail(this.committed, e as Error);
      }
    }
    this.closed = true;
    // Anyone still waiting (a flush that started before and has not ended) learns it will not come.
    this.fail(this.committed, new Error('the journal is closed'));
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) {
      // A flush still running on the thread pool keeps its descriptor until it is done.
      if (this.running) void this.running.finally(() => closeSync(fd));
      else closeSync(fd);
    }
  }

  private kick(): void {
    if (this.running || this.closed) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (this.waiters.length && !this.closed) this.kick();
    });
  }

  private async loop(): Promise<void> {
    while (this.waiters.length && !this.closed) {
      const upTo = this.committed;
      try {
        await this.flush(this.descriptor());
        this.stats.flushes++;
        this.stats.commitsFlushed += Math.max(0, upTo - this.durableUpTo);
        this.durableUpTo = Math.max(this.durableUpTo, upTo);
        this.settle();
      } catch (e) {
        this.fail(upTo, e as Error);
      }
    }
  }

  private settle(): void {
    if (!this.waiters.length) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) w.upTo <= this.durableUpTo ? w.resolve() : still.push(w);
    this.waiters = still;
  }

  private fail(upTo: number, e: Error): void {
    const still: Waiter[] = [];
    const error = new Error(`the journal could not be made durable on disk: ${e.message}`, { cause: e });
    for (const w of this.waiters) w.upTo <= upTo ? w.reject(error) : still.push(w);
    this.waiters = still;
  }

  /** The log's descriptor, opened again should the file have been replaced (SQLite deletes it when the last connection closes). */
  private descriptor(): number {
    if (this.closed) throw new Error('the journal is closed');
    const now = statSync(this.walPath, { bigint: true }).ino;
    if (this.fd !== undefined && this.ino === now) return this.fd;
    if (this.fd !== undefined) {
      const old = this.fd;
      if (this.running) void this.running.finally(() => closeSync(old));
      else closeSync(old);
    }
    this.fd = openSync(this.walPath, 'r+');
    this.ino = fstatSync(this.fd, { bigint: true }).ino;
    return this.fd;
  }
}
