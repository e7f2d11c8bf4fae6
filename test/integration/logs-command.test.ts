/**
 * The log files and `register-bridge logs`: serve writes its lines to the rotating file (and stdout) at the level
 * asked for; `logs -n N` reads the last lines across rotated files; `logs -f` follows new lines across a rotation
 * without losing any.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createLogger } from '../../src/log/logger';
import { RotatingFile, rotatedFiles } from '../../src/log/rotating-file';
import { follow, formatLogLine, lastLines } from '../../src/ops/logs/tail';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'register-bridge.mjs');
const run = promisify(execFile);
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'rb-logs-'));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A logger writing to a small rotating file (1 KiB per file, 3 kept). */
function smallLog(file: string) {
  const sink = new RotatingFile({ file, maxBytes: 1024, keep: 3 });
  cleanups.push(() => sink.end());
  return createLogger({ destination: sink });
}

describe('lastLines', () => {
  it('reads the last N lines, reaching into rotated files, oldest first', () => {
    const file = join(tmp(), 'register-bridge.log');
    const log = smallLog(file);
    for (let i = 1; i <= 30; i++) log.info({ n: i }, `line ${i}`);
    expect(existsSync(rotatedFiles(file, 3)[1]!)).toBe(true);
    const last = lastLines(file, 12, 3).map((l) => (JSON.parse(l) as { n: number }).n);
    expect(last).toEqual([19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
    expect(lastLines(file, 0)).toEqual([]);
    expect(lastLines(join(tmp(), 'none.log'), 5)).toEqual([]);
  });

  it('formats a line for a person; other text is shown as it is', () => {
    const line = JSON.stringify({
      level: 'warn',
      time: Date.UTC(2026, 0, 5, 10, 11, 12),
      name: 'register-bridge',
      terminal: 't1',
      msg: 'terminal offline',
      detail: 'a b',
    });
    expect(formatLogLine(line)).toBe('2026-01-05T10:11:12.000Z WARN  terminal offline terminal=t1 detail="a b"');
    expect(formatLogLine('{"level":30,"msg":"x"}')).toBe('INFO  x');
    expect(formatLogLine('not json')).toBe('not json');
  });
});

describe('follow', () => {
  it('sees every new line, across rotations, in order', async () => {
    const file = join(tmp(), 'register-bridge.log');
    const log = smallLog(file);
    log.info('before following');
    const seen: number[] = [];
    const stop = new AbortController();
    const done = follow(file, (l) => seen.push((JSON.parse(l) as { n: number }).n), {
      intervalMs: 10,
      signal: stop.signal,
    });
    // Each burst is smaller than a file, so the follower sees every rotated file before it is renamed a second time.
    for (let i = 1; i <= 40; i++) {
      log.info({ n: i }, 'counting');
      if (i % 5 === 0) await vi.waitFor(() => expect(seen.length).toBe(i), { timeout: 5000, interval: 5 });
    }
    stop.abort();
    await done;
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('waits for a file that does not exist yet', async () => {
    const file = join(tmp(), 'later', 'register-bridge.log');
    const seen: string[] = [];
    const stop = new AbortController();
    const done = follow(file, (l) => seen.push(l), { intervalMs: 10, signal: stop.signal });
    const log = smallLog(file);
    log.info('first');
    await vi.waitFor(() => expect(seen).toHaveLength(1), { timeout: 5000, interval: 5 });
    stop.abort();
    await done;
    expect(JSON.parse(seen[0]!)).toMatchObject({ msg: 'first' });
  });
});

describe('register-bridge logs and serve', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });

  /** Runs serve --demo until ready, then stops it with SIGTERM; resolves with its output. */
  async function serveOnce(dir: string, extra: string[]): Promise<string> {
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--demo', '--port', '0', '--status-port', '0', '--data-dir', dir, ...extra],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await vi.waitFor(() => expect(out).toMatch(/register listener on/), { timeout: 30_000, interval: 50 });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    return out;
  }

  it('serve --data-dir writes its log lines to DIR/logs and to stdout; --log-level filters them', async () => {
    const dir = tmp();
    const file = join(dir, 'logs', 'register-bridge.log');
    const out = await serveOnce(dir, []);
    expect(out).toContain(`logs: ${file}`);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(lines.some((l) => l.msg === 'listening for registers')).toBe(true);
    // It ends with the stop and, last, how the journal's commits reached the disk.
    expect(lines.slice(-2).map((l) => l.msg)).toEqual(['stopping', 'journal closed']);
    expect(out).toContain('"msg":"listening for registers"');
    const before = lines.length;
    await serveOnce(dir, ['--log-level', 'warn']);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(before);
  }, 120_000);

  it('serve keeps running and logging to its file when stdout is closed', async () => {
    const dir = tmp();
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--demo', '--port', '0', '--status-port', '0', '--data-dir', dir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await vi.waitFor(() => expect(out).toMatch(/register listener on/), { timeout: 30_000, interval: 50 });
    const port = Number(/native register listener on 127\.0\.0\.1:(\d+)/.exec(out)![1]);
    child.stdout!.destroy();
    // A register connects and disconnects: the bridge logs it (to a stdout that is gone, and to the file).
    await new Promise<void>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => s.end('{"op":"status","id":"1"}\n'));
      s.on('close', () => resolve());
      s.on('error', reject);
      s.resume();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err).not.toMatch(/EPIPE|Unhandled/);
    const msgs = readFileSync(join(dir, 'logs', 'register-bridge.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(msgs.slice(-2)).toEqual(['stopping', 'journal closed']);
  }, 90_000);

  it('a wrong --log-level is a usage error', async () => {
    const r = await run(process.execPath, [BIN, 'serve', '--demo', '--log-level', 'loud']).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--log-level must be one of trace, debug, info, warn, error, fatal, silent');
  });

  it('logs -n N prints the last lines in words (--json as written); no file exits 1 with where it looked', async () => {
    const dir = tmp();
    const log = smallLog(join(dir, 'logs', 'register-bridge.log'));
    for (let i = 1; i <= 5; i++) log.info({ n: i }, `event ${i}`);
    const r = await run(process.execPath, [BIN, 'logs', '-n', '2', '--data-dir', dir]);
    expect(r.stdout).toMatch(/^\S+Z INFO  event 4 n=4\n\S+Z INFO  event 5 n=5\n$/);
    const j = await run(process.execPath, [BIN, 'logs', '-n', '1', '--json', '--log-dir', join(dir, 'logs')]);
    expect(JSON.parse(j.stdout)).toMatchObject({ msg: 'event 5', n: 5 });
    const none = await run(process.execPath, [BIN, 'logs', '--data-dir', join(dir, 'empty')]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`no log file at ${join(dir, 'empty', 'logs', 'register-bridge.log')}`);
  }, 90_000);

  it('logs -f prints the last lines, then every new one, until stopped', async () => {
    const dir = tmp();
    const file = join(dir, 'register-bridge.log');
    const log = smallLog(file);
    log.info('old line');
    const child = spawn(process.execPath, [BIN, 'logs', '-f', '-n', '1', '--log-file', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await vi.waitFor(() => expect(out).toContain('old line'), { timeout: 30_000, interval: 50 });
    for (let i = 1; i <= 3; i++) log.info(`new line ${i}`);
    await vi.waitFor(() => expect(out).toContain('new line 3'), { timeout: 10_000, interval: 50 });
    expect(out.match(/new line \d/g)).toEqual(['new line 1', 'new line 2', 'new line 3']);
    const code = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await code).toBe(0);
  }, 60_000);
});
