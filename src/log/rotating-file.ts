/**
 * A log file that rotates by size: `register-bridge.log` is written until the next line would take it past
 * `maxBytes`; then it becomes `register-bridge.1.log`, the older ones move up one number, and the oldest beyond
 * `keep` is deleted. Lines are written synchronously, so what was logged before a crash is on disk.
 *
 * Written here rather than taken from a package (pino-roll rotates on a worker thread and by time as well; the
 * bridge needs only this, synchronous, and no extra dependency). A failing disk never stops the bridge: a write
 * that fails is dropped, the failure is reported once on stderr, and the file is opened again for the next line.
 */
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync, existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

export interface RotatingFileOptions {
  /** The current log file, e.g. ~/.local/state/register-bridge/logs/register-bridge.log. */
  readonly file: string;
  /** Size at which the file is rotated; default 10 MiB. */
  readonly maxBytes?: number;
  /** How many rotated files are kept besides the current one; default 5. */
  readonly keep?: number;
  /** Where a write failure is reported (once until a write succeeds again); default stderr. */
  readonly onError?: (message: string) => void;
}

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_KEEP = 5;

/** The file names of a rotating log, newest first: the current file, then .1, .2 … up to `keep`. */
export function rotatedFiles(file: string, keep = DEFAULT_KEEP): string[] {
  const ext = extname(file);
  const stem = join(dirname(file), basename(file, ext));
  return [file, ...Array.from({ length: keep }, (_, i) => `${stem}.${i + 1}${ext}`)];
}

export class RotatingFile {
  readonly file: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly onError: (message: string) => void;
  private fd: number | undefined;
  private size = 0;
  private failing = false;

  constructor(options: RotatingFileOptions) {
    this.file = options.file;
    this.maxBytes = Math.max(1024, options.maxBytes ?? DEFAULT_MAX_BYTES);
    this.keep = Math.max(1, options.keep ?? DEFAULT_KEEP);
    this.onError = options.onError ?? ((m) => void process.stderr.write(`register-bridge: ${m}\n`));
  }

  /** A pino destination: one or more complete lines. */
  write(chunk: string): boolean {
    try {
      const bytes = Buffer.byteLength(chunk);
      if (this.fd === undefined) this.open();
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      writeSync(this.fd!, chunk);
      this.size += bytes;
      this.failing = false;
    } catch (e) {
      this.closeQuietly();
      if (!this.failing)
        this.onError(
          `cannot write the log file ${this.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        );
      this.failing = true;
    }
    return true;
  }

  /** Writes are synchronous: nothing is buffered. */
  flush(cb?: (err?: Error) => void): void {
    cb?.();
  }

  flushSync(): void {}

  end(): void {
    this.closeQuietly();
  }

  private open(): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    this.fd = openSync(this.file, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.closeQuietly();
    const names = rotatedFiles(this.file, this.keep);
    rmSync(names[names.length - 1]!, { force: true });
    for (let i = names.length - 2; i >= 0; i--) if (existsSync(names[i]!)) renameSync(names[i]!, names[i + 1]!);
    this.open();
  }

  private closeQuietly(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already gone
    }
    this.fd = undefined;
  }
}
