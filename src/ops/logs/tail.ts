/**
 * `register-bridge logs [-n N] [-f]`: the last lines of the bridge's log (reaching into the rotated files when
 * the current one is shorter), then, with -f, every new line as it is written — across rotations, without
 * losing the lines written to the old file just before it was renamed.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { rotatedFiles } from '../../log/rotating-file';

const CHUNK = 64 * 1024;

/** The last `n` complete lines of one file (without their newlines). */
export function lastLinesOf(file: string, n: number): string[] {
  if (n <= 0 || !existsSync(file)) return [];
  const fd = openSync(file, 'r');
  try {
    let pos = fstatSync(fd).size;
    let text = '';
    while (pos > 0) {
      const len = Math.min(CHUNK, pos);
      pos -= len;
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, pos);
      text = buf.toString('utf8') + text;
      if (countNewlines(text) > n) break;
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines.slice(-n);
  } finally {
    closeSync(fd);
  }
}

/** The last `n` lines of the log, oldest first: the current file, then the rotated ones while more are needed. */
export function lastLines(file: string, n: number, keep?: number): string[] {
  let out: string[] = [];
  for (const f of rotatedFiles(file, keep)) {
    if (out.length >= n) break;
    out = [...lastLinesOf(f, n - out.length), ...out];
  }
  return out;
}

function countNewlines(s: string): number {
  let c = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) c++;
  return c;
}

export interface FollowOptions {
  /** How often the file is looked at; default 250 ms. */
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
  /** Start reading at the file's end (default) or its beginning. */
  readonly fromStart?: boolean;
}

/**
 * Calls `onLine` for every complete line appended to `file` from now on, until `signal` aborts. When the file is
 * rotated (renamed and a new one started) the rest of the old file is read first, then the new one from its start.
 * A file that does not exist yet is waited for.
 */
export function follow(file: string, onLine: (line: string) => void, options: FollowOptions = {}): Promise<void> {
  const interval = options.intervalMs ?? 250;
  let fd: number | undefined;
  let ino: number | undefined;
  let pos = 0;
  let partial = '';

  const open = (atEnd: boolean): void => {
    try {
      fd = openSync(file, 'r');
    } catch {
      fd = undefined;
      return;
    }
    const st = fstatSync(fd);
    ino = st.ino;
    pos = atEnd ? st.size : 0;
    partial = '';
  };
  const drain = (): void => {
    if (fd === undefined) return;
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, pos);
      if (n <= 0) break;
      pos += n;
      const parts = (partial + buf.subarray(0, n).toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const p of parts) onLine(p);
    }
  };
  const tick = (): void => {
    if (fd === undefined) {
      open(false);
      drain();
      return;
    }
    drain();
    let current: number | undefined;
    try {
      current = statSync(file).ino;
    } catch {
      current = undefined;
    }
    const truncated = fstatSync(fd).size < pos;
    if (current !== ino || truncated) {
      closeSync(fd);
      fd = undefined;
      open(false);
      drain();
    }
  };

  open(!options.fromStart);
  return new Promise((resolve) => {
    const timer = setInterval(tick, interval);
    const stop = (): void => {
      clearInterval(timer);
      try {
        tick();
      } catch {
        // the file went away
      }
      if (fd !== undefined) closeSync(fd);
      resolve();
    };
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });
  });
}

const LEVELS: Record<string, string> = {
  '10': 'TRACE',
  '20': 'DEBUG',
  '30': 'INFO',
  '40': 'WARN',
  '50': 'ERROR',
  '60': 'FATAL',
};

/**
 * One log line for a person: "2026-01-05T10:11:12.345Z INFO  listening for registers listener=native …".
 * Lines that are not the bridge's JSON are shown as they are.
 */
export function formatLogLine(line: string): string {
  let obj: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return line;
    obj = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time, level, msg, name: _name, pid: _pid, hostname: _host, ...fields } = obj;
  const when = typeof time === 'number' ? new Date(time).toISOString() : typeof time === 'string' ? time : '';
  const lvl = (LEVELS[String(level)] ?? String(level ?? '').toUpperCase()).padEnd(5);
  const rest = Object.entries(fields).map(
    ([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`,
  );
  return [when, lvl, typeof msg === 'string' ? msg : '', ...rest].filter((s) => s !== '').join(' ');
}
