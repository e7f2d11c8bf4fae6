import { existsSync } from 'node:fs';
import { ensurePrivateDir, ensurePrivateFile, makePrivate } from '../os/private-files';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { v7 as timeOrderedUuid } from 'uuid';
import Database from 'libsql';
import { MIGRATIONS, SCHEMA_VERSION } from './schema';
import { commitRule, needsOwnFsync, strongestRule, writtenAtOnce } from './durability';
import { WalFlusher, type FlushFn } from './wal-flusher';
import { BridgeError } from '../domain/errors';
import { opClassOf, type OpClass } from '../domain/settlement';
import type { EventOf, LifecycleEvent, LifecycleEventType } from '../bridge/lifecycle';
import { redactText, scrubCardData as scrub } from '../log/redact';
import {
  COLUMNS,
  patchSummary,
  toRecord,
  VERBATIM_COLUMNS,
  type EnvironmentSwitch,
  type JournalEvent,
  type ListQuery,
  type NewPayment,
  type PaymentPatch,
  type PaymentRecord,
  type PaymentUpdateOptions,
  type Row,
  type StoredReport,
  type Durability,
  type Environment,
} from './records';
import { emptyRide, joinRides, rideIsEmpty, type RideAlong } from './ride-along';
import { BoundedMap } from '../shared/bounded-map';

export type {
  Durability,
  Environment,
  EnvironmentSwitch,
  JournalEvent,
  ListQuery,
  NewPayment,
  PaymentPatch,
  PaymentRecord,
  PaymentUpdateOptions,
  StoredReport,
} from './records';

/**
 * The write-ahead journal: the only source of truth for what happened to a payment.
 * SQLite through libsql (an N-API binding, so one build serves Node and Electron), WAL, synchronous=FULL:
 * every call below that changes state has committed to disk when it returns.
 */

export interface JournalOptions {
  /** Clock for timestamps (tests). */
  now?: () => Date;
  /** How the write-ahead log is flushed (tests hold it to prove nothing acts before a commit is durable). */
  flush?: FlushFn;
  /** false: no group commit; every commit the bridge acts on takes its own fsync (config `journal.groupCommit`). */
  groupCommit?: boolean;
}

/** A bridge reference (sent to the terminal) is the register's ref when free, else ref + a short suffix. */
const BRIDGE_REF_MAX = 50;

export class Journal {
  private readonly db: Database.Database;
  /** The clock the journal was given (tests), else undefined: the system's, read as `Date.now()`. */
  private readonly clock: (() => Date) | undefined;
  /** The last timestamp written and its millisecond: a sale stamps ~8 rows, often several in the same millisecond. */
  private lastStamp = { ms: Number.NaN, iso: '' };
  /** Prepared statements by SQL text: parsing the same SQL on every write cost more CPU than the write itself. */
  private readonly statements = new Map<string, Database.Statement>();
  /**
   * Commits made so far: `durable` with their own fsync; `grouped` made durable by a group flush that someone awaited
   * (`durable()`); `deferred` riding on the next flush or fsync (durability.ts). For tests, the bench and the log.
   */
  readonly commits = { durable: 0, grouped: 0, deferred: 0 };
  /** Commits and group flushes the disk refused (monitoring alerts on any). */
  writeErrors = 0;
  /** Group commit (wal-flusher.ts); undefined for `:memory:` or where the log file cannot be opened: then every durable commit takes its own fsync. */
  private flusher: WalFlusher | undefined;
  /** The connection's synchronous mode between commits: NORMAL with group commit, else FULL. */
  private baseSync: 'NORMAL' | 'FULL' = 'FULL';
  /** Writes without a commit of their own, waiting for the next commit (see `progress`, `putReceipt`). */
  private riding: RideAlong = emptyRide();
  /** Writes what rides when no commit came for a while (an idle bridge after its last sale). */
  private rideTimer: NodeJS.Timeout | undefined;
  /**
   * The grouped commits of this turn of the event loop, open as one SQLite transaction (`groupedTx`), committed at the
   * end of the turn or by the next commit of another kind, whichever comes first.
   */
  private batch: GroupedBatch | undefined;
  /** The last receipt number given, once read (see nextReceiptNo). */
  private lastReceiptNo: number | undefined;
  /**
   * The records of the payments this journal wrote or read last, exactly as stored (riding progress aside): a sale's
   * next update and every `get` in between then need no read of the row. Reading a whole row back through SQLite cost
   * more than the write itself (docs/benchmarks.md). Only this connection writes the journal while the bridge runs;
   * other programs (doctor, support bundle) only read it.
   */
  private readonly cache = new BoundedMap<string, PaymentRecord>(512);
  /** The receipt copy stored for those payments (null: none yet), so that storing one needs no read either. */
  private readonly receiptCache = new BoundedMap<string, string | null>(512);
  /**
   * The payments of a register's ref (ids with their creation time, oldest first), for the refs asked about or
   * written last: admission asks whether a ref is known and the register's delivery mark finds its payment by ref,
   * each a query (~40–80 µs) on every sale otherwise. A ref read here once stays complete: every later payment of it is
   * written by this connection (`insertIntent` adds it), and pruning forgets them all.
   */
  private readonly refIndex = new BoundedMap<string, Array<{ id: string; createdAt: string }>>(512);

  private constructor(
    db: Database.Database,
    options: JournalOptions,
    readonly path: string,
  ) {
    this.db = db;
    this.clock = options.now;
  }

  /** Turns group commit on once the log file exists (the migrations wrote to it); off where it cannot be flushed. */
  private enableGroupCommit(walPath: string, flush: FlushFn | undefined): void {
    const flusher = new WalFlusher(walPath, flush);
    if (!flusher.available()) return;
    this.flusher = flusher;
    this.baseSync = 'NORMAL';
    this.db.exec('PRAGMA synchronous = NORMAL');
  }

  /** Opens (creating and migrating) the journal file `journal.sqlite` in `dataDir`, or `:memory:`. */
  static open(dataDirOrMemory: string, options: JournalOptions = {}): Journal {
    const file = dataDirOrMemory === ':memory:' ? ':memory:' : join(dataDirOrMemory, 'journal.sqlite');
    // The journal is the user's alone: 0600 files (SQLite gives its -wal and -shm files the database file's mode) in
    // a folder created 0700 (src/os/private-files.ts).
    if (file !== ':memory:') {
      ensurePrivateDir(dirname(file));
      ensurePrivateFile(file);
    }
    const db = new Database(file);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA foreign_keys = ON');
    db.exec('PRAGMA busy_timeout = 5000');
    // A checkpoint copies the log into the database file and syncs both, inside whichever commit crosses the
    // threshold, on the JavaScript thread. A sale rewrites the same few pages many times, so checkpointing every
    // 10,000 pages (a log of up to ~40 MB) instead of SQLite's 1,000 copies each page once per many more sales:
    // ~15 % less journal time per sale, measured (docs/benchmarks.md).
    db.exec('PRAGMA wal_autocheckpoint = 10000');
    const journal = new Journal(db, options, file);
    journal.migrate();
    if (file !== ':memory:') for (const f of [`${file}-wal`, `${file}-shm`]) if (existsSync(f)) makePrivate(f);
    // The log file exists by now: WAL mode opens it on an existing database, the migrations write it on a new one.
    if (file !== ':memory:' && options.groupCommit !== false) journal.enableGroupCommit(`${file}-wal`, options.flush);
    return journal;
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const current = Number(this.metaGet('schema_version') ?? '0');
    if (current > SCHEMA_VERSION) {
      throw new BridgeError(
        'internal',
        `journal schema ${current} is newer than this bridge understands (${SCHEMA_VERSION}); update the bridge`,
      );
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      this.tx(() => {
        this.db.exec(m.sql);
        this.metaSet('schema_version', String(m.version));
      });
    }
  }

  schemaVersion(): number {
    return Number(this.metaGet('schema_version') ?? '0');
  }

  /** A named value kept with the journal (e.g. the time of a register's last end-of-day). */
  setting(key: string): string | undefined {
    return this.metaGet(`setting:${key}`);
  }

  setSetting(key: string, value: string): void {
    this.metaSet(`setting:${key}`, value);
  }

  private metaGet(key: string): string | undefined {
    const row = this.prepared('SELECT value FROM meta WHERE key = ?').get(key) as Row | undefined;
    return row ? String(row.value) : undefined;
  }

  private metaSet(key: string, value: string): void {
    this.prepared(
      'INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ).run(key, value);
  }

  /**
   * One committed transaction. `true`: with its own fsync; `'grouped'`: without, made durable by the next group flush,
   * which the caller awaits through `durable()` before it acts (its own fsync where there is no group commit);
   * `false`: without, riding on whatever flush or fsync comes next. `writesStageOf`: a payment whose stage `fn` writes
   * itself, so that a riding progress stage of it needs no UPDATE of its own (its event row is still written).
   */
  private tx<T>(fn: () => T, durable: Durability = true, writesStageOf?: string, atOnce = false): T {
    if (durable === 'grouped' && this.flusher) return this.groupedTx(fn, writesStageOf, atOnce);
    // Any other commit goes to the log after the grouped ones before it, in order.
    this.commitBatch();
    // A grouped commit still here has no group flush to wait for (no group commit): it takes its own fsync.
    const ownFsync = durable !== false;
    const mode = ownFsync ? 'FULL' : 'NORMAL';
    if (mode !== this.baseSync) this.db.exec(`PRAGMA synchronous = ${mode}`);
    let out: T;
    try {
      // `exec`, not a prepared statement: these three take no parameters and return nothing, and libsql's `exec` of
      // them costs half of a prepared statement's `run` (BEGIN + COMMIT of an empty transaction 1.9 µs against 4.2 µs).
      this.db.exec('BEGIN');
      const ride = this.riding;
      try {
        this.riding = emptyRide();
        this.writeRide(ride, writesStageOf);
        out = fn();
        this.db.exec('COMMIT');
        this.rideStored(ride);
      } catch (e) {
        this.db.exec('ROLLBACK');
        // What rode on this commit waits for the next one; the receipt counter is read again.
        this.riding = joinRides(ride, this.riding);
        this.lastReceiptNo = undefined;
        throw e;
      }
    } catch (e) {
      if (isDiskError(e)) this.writeErrors++;
      throw e;
    } finally {
      if (mode !== this.baseSync) this.db.exec(`PRAGMA synchronous = ${this.baseSync}`);
    }
    if (ownFsync) {
      this.commits.durable++;
      this.flusher?.committedDurably();
    } else {
      this.commits.deferred++;
      this.flusher?.committedDeferred();
    }
    return out;
  }

  /** What rode on a commit is stored: the cached records take it, and the ride's timer has nothing left to write. */
  private rideStored(ride: RideAlong): void {
    for (const [id, st] of ride.lastStage) this.cache.update(id, (r) => ({ ...r, stage: st.stage, updatedAt: st.at }));
    for (const [id, p] of ride.pending) this.cache.update(id, (r) => ({ ...r, ...p.fields, updatedAt: p.at }));
    if (this.rideTimer && rideIsEmpty(this.riding)) {
      clearTimeout(this.rideTimer);
      this.rideTimer = undefined;
    }
  }

  /**
   * A grouped commit, as a savepoint in this turn's batch: the grouped commits of every lane in one turn of the event
   * loop go to the log as one SQLite transaction, at the end of the turn, before the group flush that makes them
   * durable — one COMMIT and one copy of each page they share instead of one per commit (docs/benchmarks.md). Nobody
   * acts on a grouped commit before `durable()`, which waits for the batch's COMMIT and then for the flush; until then
   * it is visible on this connection only, and a killed process loses it as a power cut would (the bridge had not
   * acted on it). A failing commit rolls back to its savepoint and throws, as a transaction of its own would.
   * `atOnce`: the batch is committed with this commit instead of at the end of the turn (durability.ts, writtenAtOnce).
   */
  private groupedTx<T>(fn: () => T, writesStageOf: string | undefined, atOnce: boolean): T {
    const batch = this.batch ?? this.openBatch();
    // The batch's first commit needs no savepoint: should it fail, the whole transaction holds nothing else. With one
    // lane nearly every batch is one commit, and a savepoint and its release cost ~13 µs (docs/benchmarks.md).
    const first = batch.commits === 0;
    if (!first) this.db.exec('SAVEPOINT grouped');
    const ride = this.riding;
    let out: T;
    try {
      this.riding = emptyRide();
      this.writeRide(ride, writesStageOf);
      out = fn();
      if (!first) this.db.exec('RELEASE grouped');
    } catch (e) {
      this.riding = joinRides(ride, this.riding);
      this.lastReceiptNo = undefined;
      if (first) {
        this.dropEmptyBatch(batch);
      } else if (this.db.inTransaction) {
        this.db.exec('ROLLBACK TO grouped');
        this.db.exec('RELEASE grouped');
      } else {
        // SQLite rolled the whole transaction back itself (a disk error): the batch's earlier commits are gone too.
        this.batchLost(batch, e);
      }
      if (isDiskError(e)) this.writeErrors++;
      throw e;
    }
    this.rideStored(ride);
    batch.commits++;
    this.commits.grouped++;
    if (atOnce) {
      const refused = this.commitBatch();
      if (refused) throw refused;
    }
    return out;
  }

  private openBatch(): GroupedBatch {
    this.db.exec('BEGIN');
    let settle!: { resolve: () => void; reject: (e: Error) => void };
    const written = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    // Whoever awaits the batch hears of a failure through `durable()`; nobody awaiting is no unhandled rejection.
    written.catch(() => undefined);
    const batch: GroupedBatch = { commits: 0, written, ...settle, timer: setImmediate(() => this.commitBatch()) };
    this.batch = batch;
    return batch;
  }

  /** The batch is no longer this turn's: its end-of-turn commit is called off. */
  private detachBatch(batch: GroupedBatch): void {
    if (this.batch !== batch) return;
    this.batch = undefined;
    clearImmediate(batch.timer);
  }

  /** Rolls back a batch whose only commit failed: nothing of it is lost, and nobody waits for it. */
  private dropEmptyBatch(batch: GroupedBatch): void {
    this.detachBatch(batch);
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    batch.resolve();
  }

  /**
   * Commits the open batch, if any. A refused COMMIT loses the batch: its waiters hear it through `durable()`, and the
   * refusal is returned.
   */
  private commitBatch(): Error | undefined {
    const batch = this.batch;
    if (!batch) return undefined;
    this.detachBatch(batch);
    try {
      this.db.exec('COMMIT');
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.writeErrors++;
      return this.batchLost(batch, e);
    }
    this.flusher?.committedDeferred(batch.commits);
    batch.resolve();
    return undefined;
  }

  /**
   * The batch's commits were rolled back. What the journal remembers of records and receipt numbers may hold them:
   * it is forgotten and read again; whoever awaits the batch learns that nothing of it was recorded.
   */
  private batchLost(batch: GroupedBatch, e: unknown): Error {
    this.detachBatch(batch);
    this.cache.clear();
    this.receiptCache.clear();
    this.refIndex.clear();
    this.lastReceiptNo = undefined;
    const error = new Error(`the journal could not record its last changes: ${(e as Error).message}`, { cause: e });
    batch.reject(error);
    return error;
  }

  /**
   * Resolves once every commit made so far is on disk — the "write" of write-before-act for commits made with
   * `durable: 'grouped'`: the batch of this turn committed (at the end of the turn), then the group flush. At once where
   * there is no group commit (each such commit already took its own fsync).
   */
  durable(): Promise<void> {
    const flusher = this.flusher;
    if (!flusher) return Promise.resolve();
    const flushed = (): Promise<void> =>
      flusher.durable().catch((e: unknown) => {
        this.writeErrors++;
        throw e;
      });
    return this.batch ? this.batch.written.then(flushed) : flushed();
  }

  /** Group flushes so far (fdatasync calls) and the commits they made durable. */
  flushStats(): { flushes: number; commitsFlushed: number } {
    return this.flusher ? { ...this.flusher.stats } : { flushes: 0, commitsFlushed: 0 };
  }

  private prepared(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private nowMs(): number {
    return this.clock ? this.clock().getTime() : Date.now();
  }

  private stamp(): string {
    const ms = this.nowMs();
    if (ms !== this.lastStamp.ms) this.lastStamp = { ms, iso: new Date(ms).toISOString() };
    return this.lastStamp.iso;
  }

  /**
   * ZVT receipt numbers are 4 BCD digits: they run 1…9999 and wrap; lookups take the most recent. The last number given
   * is the newest payment's, stored with it in the same commit, so no other write is needed per payment (a counter in
   * `meta` cost a statement and a page of the log on every sale); `meta` keeps it only for when pruning removed every
   * payment, and for journals written before.
   */
  private nextReceiptNo(): number {
    const last = this.lastReceiptNo ?? this.storedLastReceiptNo();
    const next = (last % 9999) + 1;
    this.lastReceiptNo = next;
    return next;
  }

  private storedLastReceiptNo(): number {
    const newest = this.prepared('SELECT receipt_no FROM payments ORDER BY rowid DESC LIMIT 1').get() as
      Row | undefined;
    return newest ? Number(newest.receipt_no) : Number(this.metaGet('last_receipt_no') ?? '0');
  }

  private freeBridgeRef(ref: string): string {
    const base = ref.replace(/[^\x20-\x7e]/g, '').slice(0, BRIDGE_REF_MAX);
    const taken = this.prepared('SELECT 1 FROM payments WHERE bridge_ref = ? LIMIT 1').get(base);
    if (!taken && base.length > 0) return base;
    const suffix = randomUUID().slice(0, 8);
    return `${base.slice(0, BRIDGE_REF_MAX - 9)}~${suffix}`;
  }

  /** Records a payment's intent before anything reaches the terminal. Throws SQLITE_CONSTRAINT on a duplicate ref. */
  insertIntent(p: NewPayment, options: { durable?: Durability } = {}): PaymentRecord {
    // Time-ordered (UUID version 7): the indexes keyed by payment id (the payments' primary key, the events of a payment,
    // the receipts) grow at their end instead of on a random page of an ever larger index. Commits and checkpoints
    // then touch the same few pages however big the journal has grown: with random ids a checkpoint took 6 → 31 ms as
    // a 6,000-sale journal grew, with ordered ids 4–7 ms throughout (docs/benchmarks.md).
    const id = timeOrderedUuid();
    const at = this.stamp();
    let receiptNo = 0;
    let bridgeRef = '';
    this.tx(() => {
      receiptNo = this.nextReceiptNo();
      bridgeRef = this.freeBridgeRef(p.ref);
      this.prepared(
        `INSERT INTO payments (id, register, ref, op_class, kind, amount, currency, tip, terminal, original_id, bridge_ref,
             receipt_no, stage, created_at, updated_at, environment)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
      ).run(
        id,
        p.register,
        p.ref,
        opClassOf(p.kind),
        p.kind,
        p.amount.minor,
        p.amount.currency,
        p.tip,
        p.terminal,
        p.originalId ?? null,
        bridgeRef,
        receiptNo,
        at,
        at,
        p.environment ?? null,
      );
      this.appendEvent(
        id,
        'intent',
        { kind: p.kind, amount: p.amount.minor, currency: p.amount.currency, tip: p.tip, terminal: p.terminal },
        at,
      );
    }, options.durable ?? true);
    const record: PaymentRecord = {
      id,
      register: p.register,
      ref: p.ref,
      opClass: opClassOf(p.kind),
      kind: p.kind,
      amount: { minor: p.amount.minor, currency: p.amount.currency },
      tip: p.tip,
      terminal: p.terminal,
      originalId: p.originalId ?? null,
      bridgeRef,
      driverRef: null,
      receiptNo,
      stage: 'queued',
      outcome: null,
      settlement: null,
      result: null,
      raw: null,
      message: '',
      deliveredAt: null,
      acknowledgedAt: null,
      reversedBy: null,
      createdAt: at,
      updatedAt: at,
      ...(p.environment ? { environment: p.environment } : {}),
    };
    this.cache.put(id, record);
    this.receiptCache.put(id, null);
    const known = this.refIndex.get(refKey(p.register, p.ref));
    if (known) {
      // Oldest first as `ORDER BY created_at, rowid` has it (a clock set back puts the new one before later-dated ones).
      let i = known.length;
      while (i > 0 && known[i - 1]!.createdAt > at) i--;
      known.splice(i, 0, { id, createdAt: at });
    }
    return this.record(record);
  }

  /** Applies a state change and appends its event in one committed transaction. */
  update(id: string, patch: PaymentPatch, event: LifecycleEvent, options: PaymentUpdateOptions = {}): PaymentRecord {
    return this.updateSteps(id, [{ patch, event }], options);
  }

  /**
   * Several state changes of one payment, in order, with their events, in one committed transaction — as durable as
   * the most durable of them needs (durability.ts) unless `options.durable` says.
   */
  updateSteps(
    id: string,
    steps: ReadonlyArray<{ readonly patch: PaymentPatch; readonly event: LifecycleEvent }>,
    options: PaymentUpdateOptions = {},
  ): PaymentRecord {
    const at = this.stamp();
    const patch: PaymentPatch = Object.assign({}, ...steps.map((s) => s.patch)) as PaymentPatch;
    const sets: string[] = [];
    const values: unknown[] = [];
    // The changed fields as stored, for the cached record.
    const stored: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(patch) as Array<[keyof PaymentPatch, unknown]>) {
      if (value === undefined) continue;
      sets.push(`${COLUMNS[key]} = ?`);
      if (key === 'result' || key === 'raw') {
        const json = JSON.stringify(scrub(value));
        values.push(json);
        stored[key] = JSON.parse(json) as unknown;
      } else {
        // References (the driver's SID or payment id, the reversing payment's id) are keys the bridge acts on and never
        // card data: stored exactly. Free text goes through the card-number mask.
        const v = typeof value === 'string' && !VERBATIM_COLUMNS.has(key) ? redactText(value) : value;
        values.push(v);
        stored[key] = v;
      }
    }
    sets.push('updated_at = ?');
    values.push(at);
    const rule = options.durable ?? strongestRule(steps.map((s) => commitRule(s.event.type, s.event.data)));
    if (rule === 'ride') return this.rideUpdate(id, sets, values, stored as Partial<PaymentRecord>, steps, at);
    const appendEvents = (): void => {
      for (const s of steps) this.appendEvent(id, s.event.type, s.event.data ?? patchSummary(s.patch), at);
    };
    const durability: Durability = rule;
    const atOnce = steps.some((s) => writtenAtOnce(s.event.type));
    const before = this.cache.get(id);
    let after: PaymentRecord;
    if (before) {
      this.tx(
        () => {
          const r = this.prepared(`UPDATE payments SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
          if (r.changes !== 1) throw new BridgeError('internal', `journal has no payment ${id}`);
          appendEvents();
        },
        durability,
        stored.stage !== undefined ? id : undefined,
        atOnce,
      );
      // The cached record as the commit left it (a riding stage of this payment may have been written with it).
      after = { ...(this.cache.get(id) ?? before), ...(stored as Partial<PaymentRecord>), updatedAt: at };
    } else {
      // Not cached: RETURNING hands back the row as stored (scrubbed, redacted) without a second statement.
      const row = this.tx(
        () => {
          const updated = this.prepared(`UPDATE payments SET ${sets.join(', ')} WHERE id = ? RETURNING *`).get(
            ...values,
            id,
          ) as Row | undefined;
          if (!updated) throw new BridgeError('internal', `journal has no payment ${id}`);
          appendEvents();
          return updated;
        },
        durability,
        undefined,
        atOnce,
      );
      after = toRecord(row);
    }
    this.cache.put(id, after);
    return this.record(after);
  }

  /**
   * A progress stage, without a commit of its own: its event row and the payment's stage column are written with the
   * next commit, whichever payment's (a sale's next one, the driver reference or the outcome, follows within
   * milliseconds), at the latest a second later, and on close. Until then every read of the payment shows the stage.
   * Progress is never what recovery decides on (durability.ts); a killed process or a power cut loses at most the
   * progress rows of that last moment, which the next stage or the outcome overwrites anyway.
   */
  progress(id: string, event: EventOf<'stage'>): void {
    const at = this.stamp();
    this.riding.stages.push({ id, at, event });
    this.riding.lastStage.set(id, { stage: event.data.stage, at });
    this.rideSoon();
  }

  /**
   * A change without a commit of its own (durability.ts `ride`): written with the journal's next commit, as progress
   * stages are; every read shows it at once (reads of several payments write it first).
   */
  private rideUpdate(
    id: string,
    sets: string[],
    values: unknown[],
    fields: Partial<PaymentRecord>,
    steps: ReadonlyArray<{ readonly patch: PaymentPatch; readonly event: LifecycleEvent }>,
    at: string,
  ): PaymentRecord {
    const base = this.get(id);
    if (!base) throw new BridgeError('internal', `journal has no payment ${id}`);
    const events = steps.map((s) => ({ type: s.event.type, data: s.event.data ?? patchSummary(s.patch) }));
    this.riding.updates.push({ id, at, sql: `UPDATE payments SET ${sets.join(', ')} WHERE id = ?`, values, events });
    const earlier = this.riding.pending.get(id);
    this.riding.pending.set(id, { fields: { ...earlier?.fields, ...fields }, at });
    this.rideSoon();
    return this.record(base);
  }

  /** Writes what rides if no commit takes it along within a second. */
  private rideSoon(): void {
    if (this.rideTimer) return;
    this.rideTimer = setTimeout(() => {
      this.rideTimer = undefined;
      if (rideIsEmpty(this.riding)) return;
      try {
        this.tx(() => undefined, false);
      } catch {
        // Counted in writeErrors when the disk refused; what rides waits for the next commit.
      }
    }, 1000);
    this.rideTimer.unref();
  }

  private writeRide(ride: RideAlong, writesStageOf: string | undefined): void {
    for (const s of ride.stages) this.appendEvent(s.id, 'stage', s.event.data, s.at);
    for (const [id, s] of ride.lastStage) {
      // The commit's own update of this payment writes a later stage over it.
      if (id !== writesStageOf)
        this.prepared('UPDATE payments SET stage = ?, updated_at = ? WHERE id = ?').run(s.stage, s.at, id);
    }
    if (ride.receipts.size) {
      const upsert = this.prepared(
        'INSERT INTO receipts (payment_id, updated_at, data_json) VALUES (?, ?, ?) ON CONFLICT(payment_id) DO UPDATE SET updated_at = excluded.updated_at, data_json = excluded.data_json',
      );
      for (const [id, r] of ride.receipts) upsert.run(id, r.at, r.json);
    }
    for (const u of ride.updates) {
      this.prepared(u.sql).run(...u.values, u.id);
      for (const e of u.events) this.appendEvent(u.id, e.type, e.data, u.at);
    }
  }

  /** A stored record with what still rides for it (a progress stage, see `progress`; a change, see `rideUpdate`). */
  private record(r: PaymentRecord): PaymentRecord {
    const riding = this.riding.lastStage.get(r.id);
    const pending = this.riding.pending.get(r.id);
    if (!riding && !pending) return r;
    return {
      ...r,
      ...(riding ? { stage: riding.stage, updatedAt: riding.at } : {}),
      ...(pending ? { ...pending.fields, updatedAt: pending.at } : {}),
    };
  }

  /** A row read from the table as a record (cached: the next update of it needs no read). */
  private fromRow(row: Row): PaymentRecord {
    const r = toRecord(row);
    this.cache.put(r.id, r);
    return this.record(r);
  }

  /** Appends an event without changing the payment (e.g. an informational terminal status). */
  note(id: string, event: LifecycleEvent): void {
    this.tx(
      () => this.appendEvent(id, event.type, event.data ?? null, this.stamp()),
      needsOwnFsync(event.type, event.data),
    );
  }

  private appendEvent(id: string, type: LifecycleEventType, data: unknown, at: string): void {
    this.prepared('INSERT INTO events (payment_id, at, type, data) VALUES (?, ?, ?, ?)').run(
      id,
      at,
      type,
      data === undefined ? null : JSON.stringify(scrub(data)),
    );
  }

  get(id: string): PaymentRecord | undefined {
    const cached = this.cache.get(id);
    if (cached) return this.record(cached);
    const row = this.prepared('SELECT * FROM payments WHERE id = ?').get(id) as Row | undefined;
    return row ? this.fromRow(row) : undefined;
  }

  /** The record of a register's ref and operation class (unique: one payment and at most one money-out per ref). */
  findByRef(register: string, ref: string, opClass: OpClass): PaymentRecord | undefined {
    return this.allByRef(register, ref).find((r) => r.opClass === opClass);
  }

  /** Every record of a register with this ref (the payment and its follow-ups), oldest first. */
  allByRef(register: string, ref: string): PaymentRecord[] {
    const key = refKey(register, ref);
    let known = this.refIndex.get(key);
    if (!known) {
      // The ids only (the unique index answers it), then each record from the cache when it is there. Most refs asked
      // about are new: one probe answers that (libsql's `all` costs ~3× a `get`).
      const any = this.prepared('SELECT 1 FROM payments WHERE register = ? AND ref = ? LIMIT 1').get(register, ref);
      const rows = any
        ? (this.prepared(
            'SELECT id, created_at FROM payments WHERE register = ? AND ref = ? ORDER BY created_at, rowid',
          ).all(register, ref) as Row[])
        : [];
      known = rows.map((r) => ({ id: String(r.id), createdAt: String(r.created_at) }));
      this.refIndex.put(key, known);
    }
    const out: PaymentRecord[] = [];
    for (const k of known) {
      const record = this.get(k.id);
      if (record) out.push(record);
    }
    return out;
  }

  byReceiptNo(receiptNo: number): PaymentRecord | undefined {
    const row = this.db
      .prepare('SELECT * FROM payments WHERE receipt_no = ? ORDER BY rowid DESC LIMIT 1')
      .get(receiptNo) as Row | undefined;
    return row ? this.fromRow(row) : undefined;
  }

  /** Payments whose outcome is not final, or whose two-phase completion is not done: recovery works on these. */
  unresolved(terminal?: string): PaymentRecord[] {
    const where = `(outcome IS NULL OR outcome = 'in_doubt' OR settlement IN ('pending', 'complete', 'cancel'))`;
    return terminal === undefined
      ? this.rows(`SELECT * FROM payments WHERE ${where} ORDER BY rowid`)
      : this.rows(`SELECT * FROM payments WHERE ${where} AND terminal = ? ORDER BY rowid`, terminal);
  }

  /** What monitoring watches: payments in doubt (and since when the oldest), final results not yet delivered. */
  openCounts(): { inDoubt: number; oldestInDoubtAt: string | undefined; undelivered: number } {
    const d = this.prepared(
      `SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM payments WHERE outcome = 'in_doubt'`,
    ).get() as { n: number; oldest: string | null };
    const u = this.prepared(
      'SELECT COUNT(*) AS n FROM payments WHERE delivered_at IS NULL AND outcome IS NOT NULL',
    ).get() as { n: number };
    return { inDoubt: d.n, oldestInDoubtAt: d.oldest ?? undefined, undelivered: u.n };
  }

  /** Payments of a terminal on one environment that are not finished (no final outcome, in doubt, or completion pending). */
  openOnEnvironment(terminal: string, environment: Environment): PaymentRecord[] {
    return this.rows(
      `SELECT * FROM payments WHERE terminal = ? AND environment = ? AND (outcome IS NULL OR outcome = 'in_doubt' OR settlement IN ('pending', 'complete', 'cancel')) ORDER BY rowid`,
      terminal,
      environment,
    );
  }

  /** Records that a terminal now runs on another environment (durable: the go-live decision). */
  recordEnvironmentSwitch(s: Omit<EnvironmentSwitch, 'at'>): EnvironmentSwitch {
    const at = this.stamp();
    this.tx(() =>
      this.prepared(
        'INSERT INTO environment_switches (terminal, from_env, to_env, at, check_json) VALUES (?, ?, ?, ?, ?)',
      ).run(s.terminal, s.from, s.to, at, JSON.stringify(s.check ?? null)),
    );
    return { ...s, at };
  }

  environmentSwitches(terminal?: string): EnvironmentSwitch[] {
    const rows = (
      terminal === undefined
        ? this.prepared('SELECT * FROM environment_switches ORDER BY seq').all()
        : this.prepared('SELECT * FROM environment_switches WHERE terminal = ? ORDER BY seq').all(terminal)
    ) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      terminal: String(r.terminal),
      from: r.from_env as Environment,
      to: r.to_env as Environment,
      at: String(r.at),
      check: JSON.parse(String(r.check_json)) as unknown,
    }));
  }

  lastOfRegister(register: string): PaymentRecord | undefined {
    return this.rows('SELECT * FROM payments WHERE register = ? ORDER BY rowid DESC LIMIT 1', register)[0];
  }

  /** The most recent payment that reached a terminal (for "reversal of the last transaction only"). */
  lastSentOnTerminal(terminal: string): PaymentRecord | undefined {
    return this.rows(
      `SELECT * FROM payments WHERE terminal = ? AND driver_ref IS NOT NULL AND kind IN ('sale', 'refund', 'preauth', 'completion')
       ORDER BY rowid DESC LIMIT 1`,
      terminal,
    )[0];
  }

  /** Final results never written to the register. */
  undelivered(register: string): PaymentRecord[] {
    return this.rows(
      `SELECT * FROM payments WHERE register = ? AND delivered_at IS NULL AND outcome IS NOT NULL ORDER BY rowid`,
      register,
    );
  }

  list(q: ListQuery = {}): PaymentRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.ref) {
      where.push('ref LIKE ?');
      args.push(`%${q.ref}%`);
    }
    if (q.register) {
      where.push('register = ?');
      args.push(q.register);
    }
    if (q.terminal) {
      where.push('terminal = ?');
      args.push(q.terminal);
    }
    if (q.outcome === 'open') where.push(`(outcome IS NULL OR outcome = 'in_doubt')`);
    else if (q.outcome) {
      where.push('outcome = ?');
      args.push(q.outcome);
    }
    if (q.from) {
      where.push('created_at >= ?');
      args.push(q.from);
    }
    if (q.to) {
      where.push('created_at < ?');
      args.push(q.to);
    }
    if (q.amount !== undefined) {
      where.push('amount = ?');
      args.push(q.amount);
    }
    const sql = `SELECT * FROM payments ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY rowid DESC LIMIT ?`;
    return this.rows(sql, ...args, q.limit ?? 200);
  }

  /**
   * A payment's events in order. Progress of this payment that still rides is written first (a commit without a flush
   * of its own), so that whoever reads the trail (the status page, `journal show`) sees every step with its number.
   */
  events(paymentId: string): JournalEvent[] {
    if (this.riding.lastStage.has(paymentId) || this.riding.pending.has(paymentId)) this.tx(() => undefined, false);
    const rows = this.prepared('SELECT * FROM events WHERE payment_id = ? ORDER BY seq').all(paymentId) as Row[];
    return rows.map((r) => ({
      seq: Number(r.seq),
      paymentId: String(r.payment_id),
      at: String(r.at),
      type: String(r.type),
      data: r.data == null ? null : JSON.parse(String(r.data)),
    }));
  }

  /**
   * Deletes final payments (and their events) older than `days`, never fewer than 30 days (refs stay idempotency
   * keys at least that long) and never an unresolved one. Returns how many payments were removed.
   */
  prune(days: number): number {
    const keep = Math.max(30, days);
    const cutoff = new Date(this.nowMs() - keep * 86_400_000).toISOString();
    return this.tx(() => {
      const old = `SELECT id FROM payments WHERE updated_at < ? AND outcome IN ('approved','declined','cancelled','failed')
        AND (settlement IS NULL OR settlement IN ('completed','cancelled'))
        AND id NOT IN (SELECT original_id FROM payments WHERE original_id IS NOT NULL AND updated_at >= ?)`;
      this.db.prepare(`DELETE FROM events WHERE payment_id IN (${old})`).run(cutoff, cutoff);
      this.db.prepare(`UPDATE payments SET original_id = NULL WHERE original_id IN (${old})`).run(cutoff, cutoff);
      // The newest payment may go too: its receipt number is kept for the next one (see nextReceiptNo).
      this.metaSet('last_receipt_no', String(this.lastReceiptNo ?? this.storedLastReceiptNo()));
      const r = this.db.prepare(`DELETE FROM payments WHERE id IN (${old})`).run(cutoff, cutoff);
      this.cache.clear();
      this.receiptCache.clear();
      this.refIndex.clear();
      return r.changes;
    });
  }

  // ---------------------------------------------------------------- receipts, day closes, reconciliations (schema 2)

  /** Every record created in [from, to) (ISO instants), oldest first; optionally of one terminal. */
  createdBetween(from: string, to: string, terminal?: string): PaymentRecord[] {
    return terminal === undefined
      ? this.rows(
          'SELECT * FROM payments WHERE created_at >= ? AND created_at < ? ORDER BY created_at, rowid',
          from,
          to,
        )
      : this.rows(
          'SELECT * FROM payments WHERE created_at >= ? AND created_at < ? AND terminal = ? ORDER BY created_at, rowid',
          from,
          to,
          terminal,
        );
  }

  /** The record sent to a terminal under this bridge reference (IPP REFERENCE_NUMBER, ePOS reference_number). */
  findByBridgeRef(bridgeRef: string): PaymentRecord | undefined {
    return this.rows('SELECT * FROM payments WHERE bridge_ref = ? ORDER BY rowid DESC LIMIT 1', bridgeRef)[0];
  }

  /** Records carrying this driver reference (IPP SID, ePOS payment id; a reversal may share its payment's id). */
  findByDriverRef(driverRef: string): PaymentRecord[] {
    return this.rows('SELECT * FROM payments WHERE driver_ref = ? ORDER BY rowid', driverRef);
  }

  /**
   * Stores a payment's receipt data (card data scrubbed like every result). False when it was already stored as is.
   *
   * The stored receipt is a copy of what the payment's record already holds (DayReports.receipt builds it from the
   * record when none is stored), so it takes no commit of its own, like progress stages: it is made between the
   * outcome commit and the result going to the register, and rides on the journal's next commit (the delivery mark's,
   * a second later at the latest; `receipt` reads it back before). A crash or power cut before that can lose only this
   * copy, never the outcome it was made from.
   */
  putReceipt(paymentId: string, data: unknown): boolean {
    const json = JSON.stringify(scrub(data));
    if (this.storedReceiptJson(paymentId) === json) return false;
    this.riding.receipts.set(paymentId, { at: this.stamp(), json });
    this.receiptCache.put(paymentId, json);
    this.rideSoon();
    return true;
  }

  private storedReceiptJson(paymentId: string): string | undefined {
    const riding = this.riding.receipts.get(paymentId);
    if (riding) return riding.json;
    const known = this.receiptCache.get(paymentId);
    if (known !== undefined) return known ?? undefined;
    const row = this.prepared('SELECT data_json FROM receipts WHERE payment_id = ?').get(paymentId) as Row | undefined;
    const json = row ? String(row.data_json) : undefined;
    this.receiptCache.put(paymentId, json ?? null);
    return json;
  }

  receipt(paymentId: string): unknown {
    const json = this.storedReceiptJson(paymentId);
    return json === undefined ? undefined : JSON.parse(json);
  }

  /** Records a day close (`scope` "bridge" or a register's own period) with its report. */
  recordDayClose(scope: string, businessDay: string, report: unknown): StoredReport {
    const at = this.stamp();
    const r = this.db
      .prepare('INSERT INTO day_closes (scope, business_day, closed_at, report_json) VALUES (?, ?, ?, ?)')
      .run(scope, businessDay, at, JSON.stringify(scrub(report)));
    return { seq: Number(r.lastInsertRowid), businessDay, at, report: scrub(report) };
  }

  /** The most recent day close of a scope. */
  lastDayClose(scope: string): StoredReport | undefined {
    const row = this.db.prepare('SELECT * FROM day_closes WHERE scope = ? ORDER BY seq DESC LIMIT 1').get(scope) as
      Row | undefined;
    return row
      ? {
          seq: Number(row.seq),
          businessDay: String(row.business_day),
          at: String(row.closed_at),
          report: JSON.parse(String(row.report_json)),
        }
      : undefined;
  }

  saveReconciliation(businessDay: string, report: unknown): StoredReport {
    const at = this.stamp();
    const r = this.db
      .prepare('INSERT INTO reconciliations (business_day, created_at, report_json) VALUES (?, ?, ?)')
      .run(businessDay, at, JSON.stringify(scrub(report)));
    return { seq: Number(r.lastInsertRowid), businessDay, at, report: scrub(report) };
  }

  /** The latest reconciliation report (of one business day, or of any). */
  latestReconciliation(businessDay?: string): StoredReport | undefined {
    const row = (
      businessDay === undefined
        ? this.db.prepare('SELECT * FROM reconciliations ORDER BY seq DESC LIMIT 1').get()
        : this.db
            .prepare('SELECT * FROM reconciliations WHERE business_day = ? ORDER BY seq DESC LIMIT 1')
            .get(businessDay)
    ) as Row | undefined;
    return row
      ? {
          seq: Number(row.seq),
          businessDay: String(row.business_day),
          at: String(row.created_at),
          report: JSON.parse(String(row.report_json)),
        }
      : undefined;
  }

  /** SQLite's own integrity check; "ok" when healthy. */
  integrityCheck(): string {
    const rows = this.db.prepare('PRAGMA integrity_check').all() as Row[];
    return rows.map((r) => String(r.integrity_check)).join('; ');
  }

  close(): void {
    if (this.rideTimer) clearTimeout(this.rideTimer);
    this.rideTimer = undefined;
    this.commitBatch();
    if (!rideIsEmpty(this.riding)) this.tx(() => undefined, false);
    this.flusher?.close();
    this.db.close();
  }

  private rows(sql: string, ...args: unknown[]): PaymentRecord[] {
    // A query over the table must see the changes that ride: they are written first.
    if (this.riding.updates.length) this.tx(() => undefined, false);
    return (this.prepared(sql).all(...args) as Row[]).map((r) => this.record(toRecord(r)));
  }
}

/** The grouped commits of one turn of the event loop, in one open transaction (`Journal.groupedTx`). */
interface GroupedBatch {
  /** Grouped commits in it so far. */
  commits: number;
  /** Settles when the batch's COMMIT is done or refused. */
  readonly written: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
  /** The end of the turn, when the batch commits unless another commit did first. */
  readonly timer: NodeJS.Immediate;
}

/** SQLite's answers for a disk that refuses a write (I/O error, full, read-only), as opposed to a constraint. */
function isDiskError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(IOERR|FULL|READONLY|CANTOPEN|CORRUPT)/.test(code);
}

/** The key of a register's ref in the journal's ref index (the register's length first: no two pairs share one). */
function refKey(register: string, ref: string): string {
  return `${register.length}:${register}${ref}`;
}
