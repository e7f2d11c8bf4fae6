/**
 * The support bundle: one zip a shop sends to whoever supports it, with what a support engineer asks for first —
 * versions, the config without its secrets, the doctor's report, the last log lines, journal statistics, the
 * devices on this computer and, from a running bridge, the state of its listeners and terminals. Used by
 * `register-bridge support-bundle` and the status page's "Download support bundle".
 *
 * Nothing secret and no card data goes in: every secret in the config is replaced by a note of where it comes from,
 * the log lines (scrubbed when written) are scrubbed again, and the journal part holds counts and references only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { arch, platform, release, type as osType } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { ZipFile } from 'yazl';
import type { TerminalView } from '../bridge/api';
import { isSensitiveKey, redactJsonLine } from '../log/scrub';
import { lastLines } from './logs/tail';
import { formatDoctor, runDoctor, type DoctorInput } from './doctor/run';
import type { DoctorEnv } from './doctor/types';
import { loadConfigFile } from '../config/load';
import type { Config } from '../config/schema';
import { listDevices, type DeviceReport } from '../transport/discovery';
import { VERSION } from '../version';
import { SECURITY_LOG_NAME } from '../security/security-log';

/** How many of the newest log lines go in. */
export const BUNDLE_LOG_LINES = 2000;

export interface SupportBundleInput extends DoctorInput {
  readonly doctorEnv: DoctorEnv;
  /** A running bridge's listeners and terminals (the status page); absent from the command line. */
  readonly live?: {
    readonly listeners: ReadonlyArray<{
      id: string;
      protocol: string;
      transport: string;
      address: string;
      connections: number;
      device?: { open: boolean; error?: string };
    }>;
    readonly terminals: readonly TerminalView[];
  };
  /** The device list; default: this computer's (serial, HID, USB). */
  readonly devices?: () => Promise<DeviceReport>;
  readonly now?: Date;
}

export interface SupportBundle {
  readonly fileName: string;
  readonly zip: Buffer;
  /** The files inside, in order (for the command's output and tests). */
  readonly files: string[];
}

export async function buildSupportBundle(input: SupportBundleInput): Promise<SupportBundle> {
  const now = input.now ?? new Date();
  let config: Config | undefined;
  try {
    config = loadConfigFile(input.configFile);
  } catch {
    // The doctor's report says what is wrong with it; the bundle still goes out.
  }
  const files: Array<[string, string]> = [];
  files.push(['README.txt', readme(now)]);
  files.push(['version.json', json(versions(now))]);
  files.push(['config.json', configWithoutSecrets(input.configFile)]);

  const doctor = await runDoctor(input, input.doctorEnv);
  files.push(['doctor.txt', formatDoctor(doctor)]);
  files.push(['doctor.json', json(doctor)]);

  const logFile = input.logFile(config);
  const lines = existsSync(logFile) ? lastLines(logFile, BUNDLE_LOG_LINES) : [];
  files.push([
    'logs/register-bridge.log',
    lines.map((l) => readableTime(redactJsonLine(l))).join('\n') + (lines.length ? '\n' : ''),
  ]);

  files.push(['journal-stats.json', json(journalStats(input.dataDir(config)))]);
  // Security events (foreign protocols refused, failed authentications, policy refusals) are kept apart from the
  // log so that a flood never rotates them away; the newest file goes in, scrubbed like the log.
  const security = join(input.dataDir(config), SECURITY_LOG_NAME);
  const events = existsSync(security) ? lastLines(security, BUNDLE_LOG_LINES) : [];
  files.push(['security-events.jsonl', events.map((l) => redactJsonLine(l)).join('\n') + (events.length ? '\n' : '')]);
  const devices = await (input.devices ?? (() => listDevices()))().catch((e: unknown) => ({
    error: (e as Error).message,
  }));
  files.push(['devices.json', json(devices)]);
  if (input.live) files.push(['state.json', json(input.live)]);

  const zip = new ZipFile();
  for (const [name, text] of files) zip.addBuffer(Buffer.from(text, 'utf8'), name, { mtime: now });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return { fileName: `register-bridge-support-${stamp}.zip`, zip: Buffer.concat(chunks), files: files.map(([n]) => n) };
}

/**
 * A log line's epoch-millisecond `time` as an ISO 8601 string: what a person reads, and no 13-digit number that a
 * card-number scan of the bundle cannot tell from a PAN.
 */
function readableTime(line: string): string {
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    if (typeof parsed.time !== 'number') return line;
    return JSON.stringify({ ...parsed, time: new Date(parsed.time).toISOString() });
  } catch {
    return line;
  }
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function readme(now: Date): string {
  return [
    `Register Bridge ${VERSION} support bundle, made ${now.toISOString()}.`,
    '',
    'version.json        bridge, operating system, Node.js and Electron versions',
    'config.json         the configuration; every secret replaced by a note of where it comes from',
    'doctor.txt / .json  the checks of `register-bridge doctor`',
    `logs/               the last ${BUNDLE_LOG_LINES} log lines (card data and secrets removed)`,
    'journal-stats.json  payments per day and outcome; open and in-doubt payments with their references',
    'security-events.jsonl  foreign protocols refused, failed authentications, policy refusals (newest file)',
    'devices.json        serial ports, HID cables and USB devices on this computer',
    'state.json          (from a running bridge) its listeners and terminals',
    '',
  ].join('\n');
}

function versions(now: Date): Record<string, string | undefined> {
  return {
    bridge: VERSION,
    os: `${osType()} ${release()} (${platform()} ${arch()})`,
    node: process.versions.node,
    electron: process.versions.electron,
    madeAt: now.toISOString(),
  };
}

/**
 * The config file with every secret replaced by where it comes from: `<secret from env MYPOS_PARTNER_SECRET>`,
 * `<secret from keychain entry epos.partner>`, or, for one written in the file itself, a note that says so without
 * its value. A file that is not JSON is described, never copied (it may hold anything).
 */
export function configWithoutSecrets(file: string): string {
  if (!existsSync(file)) return json({ note: `no config file at ${file} (the bridge runs on its defaults)` });
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return json({
      note: `the config file ${file} is not valid JSON: ${(e as Error).message.replace(/"[^"]*"/g, '"…"')}`,
    });
  }
  return json(stripSecrets(parsed, undefined));
}

function stripSecrets(value: unknown, key: string | undefined): unknown {
  if (key !== undefined && (isSensitiveKey(key) || /(^|[a-z])key$/i.test(key))) return secretNote(value);
  if (Array.isArray(value)) return value.map((v) => stripSecrets(v, undefined));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, stripSecrets(v, k)]),
    );
  }
  return value;
}

function secretNote(value: unknown): string {
  if (value && typeof value === 'object') {
    const ref = value as { env?: unknown; keychain?: unknown };
    if (typeof ref.env === 'string') return `<secret from env ${ref.env}>`;
    if (typeof ref.keychain === 'string') return `<secret from keychain entry ${ref.keychain}>`;
  }
  if (typeof value === 'string')
    return '<secret written in plain text in the config file: move it to the keychain or an environment variable>';
  return '<secret>';
}

export interface JournalStats {
  readonly file: string;
  readonly exists: boolean;
  readonly error?: string;
  /** Payments created per UTC day and outcome ("running" for no outcome yet). */
  readonly perDay?: Array<{ day: string; outcome: string; count: number }>;
  /** Payments without a final outcome: running, or in doubt (the bridge is still asking the terminal). */
  readonly open?: Array<{
    ref: string;
    register: string;
    terminal: string;
    kind: string;
    outcome: string;
    createdAt: string;
  }>;
  readonly undelivered?: number;
}

/** Counts and references from the journal, read-only (a running bridge keeps writing meanwhile). */
export function journalStats(dataDir: string): JournalStats {
  const file = join(dataDir, 'journal.sqlite');
  if (!existsSync(file)) return { file, exists: false };
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const perDay = (
      db
        .prepare(
          `SELECT substr(created_at, 1, 10) AS day, COALESCE(outcome, 'running') AS outcome, count(*) AS count
       FROM payments GROUP BY day, outcome ORDER BY day DESC, outcome LIMIT 1000`,
        )
        .all() as Array<{ day: string; outcome: string; count: number }>
    ).map((r) => ({ ...r, count: Number(r.count) }));
    const open = db
      .prepare(
        `SELECT ref, register, terminal, kind, COALESCE(outcome, 'running') AS outcome, created_at AS createdAt
       FROM payments WHERE outcome IS NULL OR outcome = 'in_doubt' ORDER BY rowid LIMIT 500`,
      )
      .all() as NonNullable<JournalStats['open']>;
    const undelivered = Number(
      (
        db.prepare('SELECT count(*) AS n FROM payments WHERE delivered_at IS NULL AND outcome IS NOT NULL').get() as {
          n: number;
        }
      ).n,
    );
    return { file, exists: true, perDay, open, undelivered };
  } catch (e) {
    return { file, exists: true, error: (e as Error).message };
  } finally {
    try {
      db?.close();
    } catch {
      // already closed
    }
  }
}
