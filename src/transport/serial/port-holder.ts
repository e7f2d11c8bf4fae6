/**
 * Which process has a serial port, when the OS tells (Linux only; elsewhere undefined and the caller says "another
 * program"):
 * 1. /proc/locks — serialport (and most serial programs) take an exclusive flock on the port; the lock names the
 *    process and the device node by filesystem device and inode. That is exactly who makes the port "busy".
 * 2. Otherwise, every process's open files under /proc/<pid>/fd; one that points at the port names a holder. Some
 *    programs keep a port open without locking it (a pty's creator holds its own slave side, for instance), so this
 *    is only the fallback. Processes of other users cannot be read without privileges; then nothing is found.
 * The name comes from /proc/<pid>/comm.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { processComm, processWithOpenFile } from '../../os/proc-fds';

export interface PortHolder {
  readonly pid: number;
  readonly name: string;
  /** The holder is this very process (another listener or terminal of the bridge uses the port). */
  readonly self: boolean;
}

export interface PortHolderOptions {
  readonly procDir?: string;
  readonly platform?: NodeJS.Platform;
}

export function findPortHolder(path: string, options: PortHolderOptions = {}): PortHolder | undefined {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') return undefined;
  const proc = options.procDir ?? '/proc';
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    return undefined;
  }
  const pid = lockHolder(target, proc) ?? openFileHolder(target, proc);
  return pid === undefined ? undefined : { pid, name: processName(pid, proc), self: pid === process.pid };
}

/** The pid of a flock/POSIX lock on the node, from /proc/locks ("1: FLOCK ADVISORY WRITE 3449 00:1a:4 0 EOF"). */
export function lockHolder(target: string, proc = '/proc'): number | undefined {
  let key: string;
  let text: string;
  try {
    const st = statSync(target);
    key = `${hex2(major(st.dev))}:${hex2(minor(st.dev))}:${st.ino}`;
    text = readFileSync(`${proc}/locks`, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    // "N:" [ "->" ] TYPE KIND MODE PID DEV:INODE START END
    const fields = f[1] === '->' ? f.slice(2) : f.slice(1);
    if (fields[4] === key) {
      const pid = Number(fields[3]);
      if (Number.isInteger(pid) && pid > 0) return pid;
    }
  }
  return undefined;
}

function openFileHolder(target: string, proc: string): number | undefined {
  return processWithOpenFile((link) => link === target, proc);
}

function processName(pid: number, proc: string): string {
  return processComm(pid, proc) ?? 'unknown program';
}

/** Linux's dev_t split (glibc gnu_dev_major / gnu_dev_minor). */
function major(dev: number): number {
  const d = BigInt(dev);
  return Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn));
}

function minor(dev: number): number {
  const d = BigInt(dev);
  return Number((d & 0xffn) | ((d >> 12n) & ~0xffn));
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
