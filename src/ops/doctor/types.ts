/**
 * `register-bridge doctor`: each check is a small function from what it looks at (config, paths) and an
 * environment (what it may ask the machine) to findings in plain words. The environment is injected, so every
 * finding, failures included, is produced in tests without the broken machine.
 */
import type { TerminalHealth } from '../../terminal/driver';
import type { EposCheckResult } from '../../terminal/epos/check';
import type { EposTerminalConfig, IppTerminalConfig } from '../../config/schema';
import type { LineSettings, SerialSettings } from '../../transport/serial/settings';
import type { HidConfig } from '../../transport/hid';

export type FindingStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface Finding {
  readonly status: FindingStatus;
  /** One sentence: what was found. */
  readonly text: string;
  /** What to do about it, one line each. */
  readonly hints?: readonly string[];
}

export interface CheckResult {
  readonly title: string;
  readonly findings: readonly Finding[];
}

export const ok = (text: string, hints?: readonly string[]): Finding => ({
  status: 'ok',
  text,
  ...(hints ? { hints } : {}),
});
export const warn = (text: string, hints?: readonly string[]): Finding => ({
  status: 'warn',
  text,
  ...(hints ? { hints } : {}),
});
export const fail = (text: string, hints?: readonly string[]): Finding => ({
  status: 'fail',
  text,
  ...(hints ? { hints } : {}),
});
export const skip = (text: string, hints?: readonly string[]): Finding => ({
  status: 'skip',
  text,
  ...(hints ? { hints } : {}),
});

/** A TCP port that could not be bound: the OS's error code (EADDRINUSE, EACCES, EADDRNOTAVAIL …). */
export type PortProbe = { readonly free: true } | { readonly free: false; readonly code: string };

/** Who listens on a TCP port, as far as the OS tells this user. */
export interface PortOwner {
  readonly pid?: number;
  /** Program name (e.g. "node", "nginx"). */
  readonly name?: string;
  /** Full command line, when readable. */
  readonly command?: string;
  /** The account the socket belongs to. */
  readonly user?: string;
}

export interface JournalInspection {
  readonly file: string;
  readonly exists: boolean;
  /** journal.sqlite plus its -wal file, in bytes. */
  readonly bytes?: number;
  /** "ok" or SQLite's list of problems. */
  readonly integrity?: string;
  readonly schemaVersion?: number;
  readonly payments?: number;
  /** Payments still open or in doubt (recovery resolves them). */
  readonly unresolved?: number;
  /** Why the journal could not be opened. */
  readonly error?: string;
  /** Whether the folder can be written (for a journal that does not exist yet). */
  readonly writable: boolean;
}

export interface LogInspection {
  readonly file: string;
  /** Whether the folder (or the nearest existing parent) can be written. */
  readonly writable: boolean;
  readonly bytes?: number;
  /** Rotated files present besides the current one. */
  readonly rotated: number;
}

export interface DoctorEnv {
  readonly platform: NodeJS.Platform;
  /** For `{"env": …}` secret references. */
  readonly env: Readonly<Record<string, string | undefined>>;
  now(): number;
  readFile(path: string): string;
  probePort(host: string, port: number): Promise<PortProbe>;
  portOwner(port: number): Promise<PortOwner | undefined>;
  /** Opens and closes a serial port; rejects with the transport's DeviceError (a sentence) when it cannot. */
  openSerial(settings: SerialSettings): Promise<void>;
  /** Opens and closes a HID cable; rejects like openSerial. */
  openHid(config: HidConfig, line: LineSettings): Promise<void>;
  /** Health of an IPP terminal (PING / GET_STATUS). */
  ippHealth(config: IppTerminalConfig): Promise<TerminalHealth>;
  /** `register-bridge epos check` for one terminal. */
  eposCheck(config: EposTerminalConfig): Promise<EposCheckResult>;
  /** The Date header of an answer from `url`, with the local times the request left and the answer came. */
  httpDate(url: string): Promise<{ readonly date?: string; readonly sentAt: number; readonly receivedAt: number }>;
  inspectJournal(dataDir: string): JournalInspection;
  inspectLogs(file: string): LogInspection;
}
