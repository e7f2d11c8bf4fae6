/**
 * Which process has a serial port open, when the OS tells: on Linux every process's open files are links under
 * /proc/<pid>/fd; one that points at the port's device node names the holder (its name is in /proc/<pid>/comm).
 * Processes of other users cannot be read without privileges; then nothing is found and the caller says "another
 * program". Other systems: undefined.
 */
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';

export interface PortHolder {
  readonly pid: number;
  readonly name: string;
  /** The holder is this very process (another listener or terminal of the bridge uses the port). */
  readonly self: boolean;
}

export function findPortHolder(path: string, options: { procDir?: string; platform?: NodeJS.Platform } = {}): PortHolder | undefined {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') return undefined;
  const proc = options.procDir ?? '/proc';
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    return undefined;
  }
  let pids: string[];
  try {
    pids = readdirSync(proc).filter((d) => /^[0-9]+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`${proc}/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`${proc}/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (link !== target) continue;
      let name = 'unknown program';
      try {
        name = readFileSync(`${proc}/${pid}/comm`, 'utf8').trim() || name;
      } catch {
        /* keep the placeholder */
      }
      return { pid: Number(pid), name, self: Number(pid) === process.pid };
    }
  }
  return undefined;
}
