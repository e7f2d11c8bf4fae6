/**
 * The security events' own record: a small append-only file of JSON lines next to the journal
 * (`security-events.jsonl`, 0600 in a 0700 folder), apart from the rotating log so that a flood of log lines can
 * never rotate them away, and the most recent events in memory for the status page.
 *
 * Bounded twice: per kind and listener at most `perMinute` events are written each minute (the rest are counted
 * and written as one summary event when the minute is over), and the file is rotated once (to
 * `security-events.1.jsonl`) when it passes `maxBytes`, so at most twice that is ever on disk.
 */
import { EventEmitter } from 'node:events';
import { appendFileSync, existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LineBudget } from '../log/line-budget';
import { ensurePrivateDir, makePrivate, PRIVATE_FILE_MODE } from '../os/private-files';
import { scrubLogValue } from '../log/scrub';
import type { SecurityEvent, SecurityEventKind, SecurityEventSink } from './events';
import { coreText, said } from '../i18n/say';

export const SECURITY_LOG_NAME = 'security-events.jsonl';

export interface SecurityLogOptions {
  /** The file; absent: memory only (tests, a bridge without a data folder). */
  readonly file?: string;
  /** Size at which the file is rotated once; default 1 MiB. */
  readonly maxBytes?: number;
  /** Events kept in memory for the status page; default 200. */
  readonly keep?: number;
  /** Events per kind and listener written each minute before the rest are summarised; default 30. */
  readonly perMinute?: number;
  readonly now?: () => number;
  /** Where a failing disk is reported (once); default stderr. */
  readonly onError?: (message: string) => void;
}

export class SecurityLog extends EventEmitter<{ event: [SecurityEvent] }> implements SecurityEventSink {
  readonly file: string | undefined;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly perMinute: number;
  private readonly now: () => number;
  private readonly onError: (message: string) => void;
  private readonly ring: SecurityEvent[] = [];
  private readonly budgets = new Map<string, LineBudget>();
  private size = 0;
  private failing = false;

  constructor(o: SecurityLogOptions = {}) {
    super();
    this.file = o.file;
    this.maxBytes = Math.max(4096, o.maxBytes ?? 1024 * 1024);
    this.keep = Math.max(1, o.keep ?? 200);
    this.perMinute = Math.max(1, o.perMinute ?? 30);
    this.now = o.now ?? Date.now;
    this.onError = o.onError ?? ((m) => void process.stderr.write(`register-bridge: ${m}\n`));
    if (this.file) this.load(this.file);
  }

  /** The file in a data folder. */
  static inDataDir(dataDir: string, o: Omit<SecurityLogOptions, 'file'> = {}): SecurityLog {
    return new SecurityLog({ ...o, file: join(dataDir, SECURITY_LOG_NAME) });
  }

  record(event: Omit<SecurityEvent, 'at'> & { readonly at?: string }): void {
    const key = `${event.kind}\u0000${event.listener ?? ''}`;
    let budget = this.budgets.get(key);
    if (!budget) {
      budget = new LineBudget(this.perMinute, 60_000, this.now);
      this.budgets.set(key, budget);
    }
    const take = budget.take();
    if (take.closed > 0) this.summary(event.kind, event.listener, take.closed);
    if (take.ok) this.write(event);
  }

  /** The most recent events, newest first. */
  recent(limit = this.keep): SecurityEvent[] {
    return this.ring.slice(-limit).reverse();
  }

  /** Writes the summaries of events held back so far (at shutdown, and in tests). */
  flush(): void {
    for (const [key, budget] of this.budgets) {
      const { held } = budget.drain();
      const [kind, listener] = key.split('\u0000') as [SecurityEventKind, string];
      if (held > 0) this.summary(kind, listener || undefined, held);
    }
  }

  private summary(kind: SecurityEventKind, listener: string | undefined, held: number): void {
    this.write({
      kind,
      ...(listener ? { listener } : {}),
      ...said('detail', coreText('security.more', { count: held, kind: [coreText(`security.kind.${kind}`)] })),
    });
  }

  private write(event: Omit<SecurityEvent, 'at'> & { readonly at?: string }): void {
    // Details are words from the bridge, but a peer or a header name came from outside: scrubbed like log values.
    const e = scrubLogValue({ ...event, at: event.at ?? new Date(this.now()).toISOString() }) as SecurityEvent;
    const full: SecurityEvent = {
      kind: e.kind,
      at: e.at,
      ...(e.listener ? { listener: e.listener } : {}),
      ...(e.peer ? { peer: e.peer } : {}),
      detail: String(e.detail).slice(0, 300),
      ...(e.detailCode ? { detailCode: e.detailCode } : {}),
    };
    this.ring.push(full);
    if (this.ring.length > this.keep) this.ring.splice(0, this.ring.length - this.keep);
    if (this.file) this.append(this.file, `${JSON.stringify(full)}\n`);
    this.emit('event', full);
  }

  private append(file: string, line: string): void {
    try {
      const bytes = Buffer.byteLength(line);
      if (this.size > 0 && this.size + bytes > this.maxBytes) {
        renameSync(file, rotatedName(file));
        this.size = 0;
      }
      ensurePrivateDir(dirname(file));
      const created = this.size === 0 && !existsSync(file);
      appendFileSync(file, line, { mode: PRIVATE_FILE_MODE });
      if (created) makePrivate(file);
      this.size += bytes;
      this.failing = false;
    } catch (e) {
      if (!this.failing)
        this.onError(
          `cannot write the security log ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        );
      this.failing = true;
    }
  }

  /** Earlier events (from before a restart) are shown on the status page too. */
  private load(file: string): void {
    for (const f of [rotatedName(file), file]) {
      if (!existsSync(f)) continue;
      try {
        if (f === file) this.size = statSync(f).size;
        for (const line of readFileSync(f, 'utf8').split('\n')) {
          if (!line.trim()) continue;
          try {
            const e = JSON.parse(line) as SecurityEvent;
            if (typeof e.kind === 'string' && typeof e.at === 'string' && typeof e.detail === 'string')
              this.ring.push(e);
          } catch {
            // a line cut by a crash: skipped
          }
        }
      } catch {
        // unreadable: the page shows what comes from now on
      }
    }
    if (this.ring.length > this.keep) this.ring.splice(0, this.ring.length - this.keep);
  }
}

/** security-events.jsonl → security-events.1.jsonl */
export function rotatedName(file: string): string {
  return file.replace(/(\.[^./\\]+)?$/, (ext) => `.1${ext}`);
}
