/**
 * Linux's /proc: which process has a file open. Each /proc/<pid>/fd/<n> is a link to what descriptor n refers to (a
 * device path, or "socket:[inode]" for a socket). Processes of other users cannot be read without privileges; they
 * are passed over. Used to name who holds a busy TCP port (the doctor) or a busy serial port (transport errors).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The first process with an open descriptor whose link target satisfies `matches`, or undefined. */
export function processWithOpenFile(matches: (link: string) => boolean, procDir = '/proc'): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync(procDir).filter((d) => /^[0-9]+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`${procDir}/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (matches(readlinkSync(`${procDir}/${pid}/fd/${fd}`))) return Number(pid);
      } catch {
        // closed or gone meanwhile
      }
    }
  }
  return undefined;
}

/** A process's short name (/proc/<pid>/comm), when readable. */
export function processComm(pid: number, procDir = '/proc'): string | undefined {
  try {
    return readFileSync(`${procDir}/${pid}/comm`, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
