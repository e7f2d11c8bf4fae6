/**
 * Files only the bridge's user may read: the journal, reports, the security log. Created 0600 in folders the
 * bridge creates 0700, whatever the process's umask (the mode is set again after creating, since a umask can only
 * take bits away and a strict one such as 0277 would leave a file the bridge cannot write).
 *
 * Windows has no such modes (chmod only toggles the read-only flag): there the files inherit the ACL of the folder
 * they are in — the user's profile (%APPDATA%, %LOCALAPPDATA%), which only the user, SYSTEM and Administrators
 * can read. The bridge sets no ACL of its own (docs/security.md).
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

const posix = process.platform !== 'win32';

/** Creates `dir` (and missing parents) 0700. An existing folder is left as it is (it may be the operator's). */
export function ensurePrivateDir(dir: string): void {
  if (existsSync(dir)) return;
  const first = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (!posix || first === undefined) return;
  // Every folder mkdir created, from the first one down to `dir`, gets exactly 0700.
  let d = dir;
  const created: string[] = [];
  while (d.length >= first.length) {
    created.push(d);
    const parent = d.replace(/[/\\][^/\\]*$/, '');
    if (parent === d) break;
    d = parent;
  }
  for (const c of created) chmodSync(c, PRIVATE_DIR_MODE);
}

/** Creates `file` empty if it is missing and makes it 0600 (an existing one is tightened too: it is the bridge's). */
export function ensurePrivateFile(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  makePrivate(file);
}

/** Sets a file the bridge wrote to 0600 (no-op on Windows). */
export function makePrivate(file: string): void {
  if (posix) chmodSync(file, PRIVATE_FILE_MODE);
}

/** Writes `text` to `file` (replacing it) readable by the bridge's user only: 0600 whatever the umask. */
export function writePrivateFile(file: string, text: string | Uint8Array): void {
  writeFileSync(file, text, { mode: PRIVATE_FILE_MODE });
  makePrivate(file);
}
