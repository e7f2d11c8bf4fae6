/**
 * What one durable journal write costs on this machine's disk, measured beside the bridge in the same run: a SQLite
 * commit with the journal's settings (WAL, synchronous=FULL) against the same with synchronous=NORMAL (no fsync),
 * and a bare fdatasync. The bridge's latency floor is roughly (commits on a sale's path) × (FULL commit time).
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import Database from 'libsql';
import { round, summarise } from './stats';
import { needsOwnFsync } from '../src/journal/durability';

export interface CommitCost {
  /** ms per commit, WAL + synchronous=FULL (the journal's setting). */
  full: { p50: number; p99: number; mean: number };
  /** ms per commit, WAL + synchronous=NORMAL (no fsync per commit). */
  normal: { p50: number; p99: number; mean: number };
  /** ms per fdatasync of a 4 KiB append. */
  fdatasync: { p50: number; p99: number; mean: number };
  /**
   * CPU (user + system, ms) of one flush as the journal makes it: 8 pages of 4 KiB written (a commit's pages in the
   * write-ahead log) and fdatasync, over blocks already on disk, as the log is written once a checkpoint has restarted
   * it. The kernel's work for a flush, counted in the bridge's CPU per sale.
   */
  fdatasyncCpuMs?: number;
}

function commits(dir: string, sync: 'FULL' | 'NORMAL', n: number): number[] {
  const db = new Database(join(dir, `probe-${sync}.sqlite`));
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA synchronous = ${sync}`);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, at TEXT, data TEXT)');
  const insert = db.prepare('INSERT INTO t (at, data) VALUES (?, ?)');
  const payload = JSON.stringify({ stage: 'present_card', message: 'Present card', pad: 'x'.repeat(120) });
  const times: number[] = [];
  const tx = db.transaction(() => insert.run(new Date().toISOString(), payload));
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    tx();
    times.push(performance.now() - s);
  }
  db.close();
  return times;
}

function fdatasyncs(dir: string, n: number): number[] {
  const fd = openSync(join(dir, 'probe.bin'), 'w');
  const block = Buffer.alloc(4096, 7);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    writeSync(fd, block);
    const s = performance.now();
    fdatasyncSync(fd);
    times.push(performance.now() - s);
  }
  closeSync(fd);
  return times;
}

function fdatasyncCpu(dir: string, n: number): number {
  const fd = openSync(join(dir, 'probe-overwrite.bin'), 'w');
  const block = Buffer.alloc(4096, 7);
  const blocks = 512;
  const perFlush = 8;
  for (let b = 0; b < blocks; b++) writeSync(fd, block, 0, block.length, b * block.length);
  fdatasyncSync(fd);
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < perFlush; p++)
      writeSync(fd, block, 0, block.length, ((i * perFlush + p) % blocks) * block.length);
    fdatasyncSync(fd);
  }
  const used = process.cpuUsage(before);
  closeSync(fd);
  return (used.user + used.system) / 1000 / n;
}

function brief(samples: number[]): { p50: number; p99: number; mean: number } {
  const s = summarise(samples);
  return { p50: round(s.p50, 3), p99: round(s.p99, 3), mean: round(s.mean, 3) };
}

/** Measures in a fresh folder under the system temp dir (where the benchmark's journals live). */
export function measureCommitCost(n = 400): CommitCost {
  const dir = mkdtempSync(join(tmpdir(), 'rb-disk-'));
  try {
    return {
      full: brief(commits(dir, 'FULL', n)),
      normal: brief(commits(dir, 'NORMAL', n)),
      fdatasync: brief(fdatasyncs(dir, n)),
      fdatasyncCpuMs: round(fdatasyncCpu(dir, n), 3),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Journal writes per payment in a bridge's journal: every event row is one commit (intent, stages, outcome, …);
 * which of them took their own fsync follows the journal's own rule (src/journal/durability.ts).
 */
export function commitsPerPayment(journalFile: string): {
  payments: number;
  commits: number;
  perPayment: number;
  durablePerPayment: number;
  byType: Record<string, number>;
} {
  const db = new Database(journalFile, { readonly: true });
  try {
    const payments = Number((db.prepare('SELECT count(*) AS n FROM payments').get() as { n: number }).n);
    const rows = db
      .prepare(
        "SELECT CASE WHEN type = 'stage' THEN 'stage:' || json_extract(data, '$.stage') WHEN type = 'settled' THEN 'settled:' || json_extract(data, '$.decision') ELSE type END AS type, count(*) AS n FROM events GROUP BY 1",
      )
      .all() as Array<{ type: string; n: number }>;
    const byType: Record<string, number> = {};
    let total = 0;
    let durable = 0;
    for (const r of rows) {
      byType[r.type] = round(Number(r.n) / Math.max(1, payments), 2);
      total += Number(r.n);
      const [type, detail] = r.type.split(':');
      if (needsOwnFsync(type!, type === 'settled' ? { decision: detail } : undefined)) durable += Number(r.n);
    }
    const per = (n: number): number => round(n / Math.max(1, payments), 2);
    return { payments, commits: total, perPayment: per(total), durablePerPayment: per(durable), byType };
  } finally {
    db.close();
  }
}

/**
 * How the bridge's commits reached the disk, from the "journal closed" line it logs when it stops: commits with their
 * own fsync, commits made durable by group flushes, commits riding on the next flush, and the flushes (fdatasync
 * calls) themselves. These are the journal's own counts of SQLite transactions, receipts and notes included.
 */
export function flushesFromLog(
  logFile: string,
): { durable: number; grouped: number; deferred: number; flushes: number } | undefined {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n').reverse()) {
    if (!line.includes('"journal closed"')) continue;
    try {
      const o = JSON.parse(line) as {
        commits?: { durable?: number; grouped?: number; deferred?: number };
        flushes?: { flushes?: number };
      };
      return {
        durable: o.commits?.durable ?? 0,
        grouped: o.commits?.grouped ?? 0,
        deferred: o.commits?.deferred ?? 0,
        flushes: o.flushes?.flushes ?? 0,
      };
    } catch {
      // not a JSON line
    }
  }
  return undefined;
}
