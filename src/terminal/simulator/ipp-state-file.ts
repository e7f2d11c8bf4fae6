/**
 * Keeps the simulated terminal's ledger (and with it the open transaction, §8.1) in a JSON file, so a restart
 * of the simulator behaves like a real terminal that was switched off and on: what it approved stays approved.
 * Writes are atomic (temporary file, fsync, rename) and synchronous, so the file is on disk before the terminal
 * sends the stage-5 answer that reports the change.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { ippLedgerSnapshotSchema, type IppLedgerSnapshot } from './ipp-ledger';

/** The saved snapshot, or undefined when the file does not exist yet. Throws on a corrupt file (never guesses). */
export function loadIppState(file: string): IppLedgerSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`simulator state file ${file} is not valid JSON`);
  }
  const parsed = ippLedgerSnapshotSchema.safeParse(json);
  if (!parsed.success) throw new Error(`simulator state file ${file} has an unexpected shape: ${parsed.error.message}`);
  return parsed.data;
}

export function saveIppState(file: string, snapshot: IppLedgerSnapshot): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(snapshot, null, 1));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  // Make the rename itself durable (directory entry). Not every platform lets a directory be fsynced.
  try {
    const dfd = openSync(dirname(file), 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    /* best effort */
  }
}
