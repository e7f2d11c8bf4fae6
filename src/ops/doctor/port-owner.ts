/**
 * Which process listens on a TCP port, on Linux: /proc/net/tcp and /proc/net/tcp6 list sockets with their local
 * port, state (0A = LISTEN), owner uid and inode; the process is the one with a /proc/<pid>/fd link to
 * "socket:[inode]". Another user's processes cannot be read without privileges: then only the account is named.
 * Other systems: undefined (the caller says "another program").
 */
import { readFileSync } from 'node:fs';
import { processComm, processWithOpenFile } from '../../os/proc-fds';
import type { PortOwner } from './types';

export interface ProcOptions {
  readonly procDir?: string;
  readonly passwdFile?: string;
  readonly platform?: NodeJS.Platform;
}

interface ListeningSocket {
  readonly inode: string;
  readonly uid: number;
}

/** LISTEN sockets on `port` from /proc/net/tcp{,6}. */
export function listeningSockets(port: number, procDir = '/proc'): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`${procDir}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const local = f[1]!;
      const state = f[3]!;
      if (state !== '0A') continue;
      if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) !== port) continue;
      out.push({ uid: Number(f[7]), inode: f[9]! });
    }
  }
  return out;
}

export function findPortOwner(port: number, options: ProcOptions = {}): PortOwner | undefined {
  if ((options.platform ?? process.platform) !== 'linux') return undefined;
  const proc = options.procDir ?? '/proc';
  const sockets = listeningSockets(port, proc);
  if (sockets.length === 0) return undefined;
  const inodes = new Set(sockets.map((s) => `socket:[${s.inode}]`));
  const user = userName(sockets[0]!.uid, options.passwdFile ?? '/etc/passwd');
  const pid = processWithOpenFile((link) => inodes.has(link), proc);
  if (pid !== undefined) return { pid, ...processInfo(pid, proc), ...(user ? { user } : {}) };
  return user ? { user } : {};
}

/** Name (comm) and command line of a process, when readable. */
export function processInfo(pid: number, procDir = '/proc'): { name?: string; command?: string } {
  const out: { name?: string; command?: string } = {};
  const name = processComm(pid, procDir);
  if (name !== undefined) out.name = name;
  try {
    const cmd = readFileSync(`${procDir}/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    if (cmd) out.command = cmd;
  } catch {
    // gone or not readable
  }
  return out;
}

function userName(uid: number, passwdFile: string): string | undefined {
  try {
    for (const line of readFileSync(passwdFile, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length > 2 && Number(f[2]) === uid) return f[0];
    }
  } catch {
    // no passwd file
  }
  return Number.isFinite(uid) ? `uid ${uid}` : undefined;
}

/** True when the process looks like Register Bridge (the headless command or the desktop app). */
export function isBridgeProcess(owner: PortOwner | undefined): boolean {
  if (!owner) return false;
  return /register-bridge|Register Bridge|bin\/register-bridge\.mjs|src\/cli\.ts/i.test(
    `${owner.name ?? ''} ${owner.command ?? ''}`,
  );
}
