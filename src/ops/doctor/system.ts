/**
 * The doctor's environment on a real machine: real sockets, the serial and HID transports, the IPP driver,
 * `epos check`, HTTP for the gateway's clock, SQLite for the journal. Tests use it too, against loopback
 * listeners, the simulated terminal, the fake gateway and real files.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import Database from 'libsql';
import type { EposTerminalConfig, IppTerminalConfig } from '../../config/schema';
import type { SecretContext } from '../../config/secrets';
import { silentLogger } from '../../log/logger';
import { rotatedFiles } from '../../log/rotating-file';
import { createTerminal } from '../../terminal/factory';
import { runEposCheck } from '../../terminal/epos/check';
import type { ByteStream } from '../../transport/byte-stream';
import { openHidStream } from '../../transport/hid';
import { openSerialStream } from '../../transport/serial';
import { findPortOwner } from './port-owner';
import type { DoctorEnv, JournalInspection, LogInspection, PortProbe } from './types';

export interface SystemEnvOptions {
  readonly secrets?: SecretContext;
  /** Per-request limit for the terminal and gateway checks; default 5 s. */
  readonly timeoutMs?: number;
  /** This computer's clock (tests move it to produce a skew). */
  readonly now?: () => number;
}

export function systemDoctorEnv(options: SystemEnvOptions = {}): DoctorEnv {
  const secrets = options.secrets ?? { env: process.env };
  const timeoutMs = options.timeoutMs ?? 5000;
  const now = options.now ?? (() => Date.now());
  return {
    platform: process.platform,
    env: secrets.env ?? process.env,
    now,
    readFile: (path) => readFileSync(path, 'utf8'),
    probePort,
    portOwner: async (port) => findPortOwner(port),
    openSerial: async (settings) => closeStream(await openSerialStream(settings)),
    openHid: async (config, line) => closeStream(await openHidStream(config, { line })),
    ippHealth: (config) => ippHealth(config, secrets),
    eposCheck: (config: EposTerminalConfig) => runEposCheck(config, { secrets, timeoutMs }),
    httpDate: (url) => httpDate(url, timeoutMs, now),
    inspectJournal,
    inspectLogs,
  };
}

/** Binds host:port for a moment (exclusively, as the bridge would) and lets it go. */
export function probePort(host: string, port: number): Promise<PortProbe> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve({ free: false, code: e.code ?? e.message }));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve({ free: true })));
  });
}

function closeStream(stream: ByteStream): Promise<void> {
  return new Promise((resolve) => {
    const done = setTimeout(resolve, 2000);
    stream.on('close', () => {
      clearTimeout(done);
      resolve();
    });
    stream.destroy();
  });
}

async function ippHealth(config: IppTerminalConfig, secrets: SecretContext) {
  const created = await createTerminal(config, { log: silentLogger(), secrets, plugEvents: null });
  try {
    return await created.driver.health();
  } finally {
    await created.driver.close?.();
    await created.close();
  }
}

/** A HEAD request (GET when refused) for the gateway's Date header. */
async function httpDate(
  url: string,
  timeoutMs: number,
  now: () => number,
): Promise<{ date?: string; sentAt: number; receivedAt: number }> {
  for (const method of ['HEAD', 'GET']) {
    const sentAt = now();
    const res = await fetch(url, { method, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    const receivedAt = now();
    await res.body?.cancel().catch(() => undefined);
    const date = res.headers.get('date');
    if (date || method === 'GET') return { ...(date ? { date } : {}), sentAt, receivedAt };
  }
  throw new Error('unreachable');
}

function writable(dir: string): boolean {
  let d = dir;
  for (;;) {
    if (existsSync(d)) {
      try {
        accessSync(d, constants.W_OK);
        return statSync(d).isDirectory();
      } catch {
        return false;
      }
    }
    const parent = dirname(d);
    if (parent === d) return false;
    d = parent;
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Opens journal.sqlite read-only: integrity check, schema version, payments, unresolved ones, size. */
export function inspectJournal(dataDir: string): JournalInspection {
  const file = join(dataDir, 'journal.sqlite');
  const canWrite = writable(dataDir);
  if (!existsSync(file)) return { file, exists: false, writable: canWrite };
  const bytes = sizeOf(file) + sizeOf(`${file}-wal`);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const rows = db.prepare('PRAGMA integrity_check').all() as Array<Record<string, unknown>>;
    const integrity = rows.map((r) => String(Object.values(r)[0])).join('\n');
    const out: { -readonly [K in keyof JournalInspection]: JournalInspection[K] } = {
      file,
      exists: true,
      writable: canWrite,
      bytes,
      integrity,
    };
    if (integrity === 'ok') {
      const version = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
        { value?: string } | undefined;
      if (version?.value !== undefined) out.schemaVersion = Number(version.value);
      out.payments = Number((db.prepare('SELECT count(*) AS n FROM payments').get() as { n: number }).n);
      out.unresolved = Number(
        (
          db.prepare("SELECT count(*) AS n FROM payments WHERE outcome IS NULL OR outcome = 'in_doubt'").get() as {
            n: number;
          }
        ).n,
      );
    }
    return out;
  } catch (e) {
    return { file, exists: true, writable: canWrite, bytes, error: (e as Error).message };
  } finally {
    try {
      db?.close();
    } catch {
      // already closed
    }
  }
}

export function inspectLogs(file: string): LogInspection {
  const names = rotatedFiles(file);
  const rotated = names.slice(1).filter((n) => existsSync(n)).length;
  const exists = existsSync(file);
  return {
    file,
    writable: exists ? isWritableFile(file) : writable(dirname(file)),
    rotated,
    ...(exists ? { bytes: sizeOf(file) } : {}),
  };
}

function isWritableFile(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
