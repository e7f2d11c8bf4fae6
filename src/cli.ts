/**
 * The `register-bridge` command. Exit codes: 0 ok, 1 runtime failure, 2 bad configuration or usage.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { writePrivateFile } from './os/private-files';
import { resolve } from 'node:path';
import { asBridgeError, BridgeError } from './domain/errors';
import { demoConfig, loadConfigFile } from './config/load';
import { configFileFor, dataDirFor, defaultConfigFile, defaultDataDir } from './config/paths';
import type { Config } from './config/schema';
import { createLogger, isLogLevel, LOG_LEVELS, logOutputs } from './log/logger';
import { logFileFor } from './log/files';
import { startService } from './service';
import { VERSION } from './version';
// Each other command loads its own modules when it runs (`await import`), so that `serve` — and the start-up time of
// the bridge — does not pay for the doctor, the device list, the journal reports, the ePOS check or reconciliation.

const USAGE = `register-bridge ${VERSION} — card payments on myPOS terminals for legacy cash registers

Usage:
  register-bridge serve --demo [--port N] [--data-dir DIR]   native listener on 127.0.0.1:7450 + simulated terminal
  register-bridge serve --demo --driver epos                 the same through the ePOS driver and a simulated API Gateway
  register-bridge serve [--config FILE] [--data-dir DIR]     run the bridge from a config file
        [--log-level LEVEL] [--log-file FILE | --log-dir DIR]  logs: rotating files (see "logs") and stdout
  register-bridge journal list [--ref R] [--outcome O] [--limit N] [--data-dir DIR]
  register-bridge journal show REF [--data-dir DIR]
  register-bridge journal export --csv FILE [--data-dir DIR]
  register-bridge epos check [--config FILE] [--terminal ID]   test ePOS credentials: token, session, terminals
  register-bridge reconcile [--day YYYY-MM-DD] [--config FILE] [--data-dir DIR] [--csv FILE] [--json FILE]
                                                             compare a business day of the journal with each terminal's host
                                                             (exit 0: they agree, 3: discrepancies found)
  register-bridge devices [--serial] [--hid] [--usb] [--json]   serial ports, HID and USB devices on this computer
  register-bridge doctor [--config FILE] [--data-dir DIR]    check config, ports, devices, terminals, clock, journal, logs
                                                             (exit 0: nothing needs attention, 1: something does)
  register-bridge logs [-f] [-n N] [--json] [--data-dir DIR | --log-dir DIR | --log-file FILE]
                                                             the last N lines of the log (default 50); -f keeps following
  register-bridge keygen                                     a new register key (256 random bits) for a native listener:
                                                             put it in an environment variable or the keychain, never in the config
  register-bridge support-bundle [--config FILE] [--data-dir DIR] [--out FILE]
                                                             one zip for support: versions, config without secrets, doctor,
                                                             last log lines, journal statistics, devices
  register-bridge go-live [--terminal ID] [--config FILE] [--data-dir DIR]
                                                             is an ePOS terminal ready for Live? each step, its reason and fix
                                                             (exit 0: ready, 1: not ready)
  register-bridge version

Without --config and --data-dir the config, journal and logs live in this computer's application-data folders;
--data-dir DIR keeps all three in DIR (DIR/config.json, DIR/journal.sqlite, DIR/logs/).
`;

class UsageError extends Error {}

/** Prints a new register key once; the bridge keeps no copy (docs/security.md "Register keys"). */
async function keygen(args: string[]): Promise<number> {
  if (args.length > 0) throw new UsageError(`keygen takes no arguments, got ${args.join(' ')}`);
  const { generateKey } = await import('./security/keys');
  process.stdout.write(`${generateKey()}\n`);
  process.stderr.write(
    'A new register key (shown once). Set it on the register and in an environment variable of the bridge, e.g.\n' +
      '  "registers": [{ "name": "till-1", "key": { "env": "TILL_1_KEY" } }]\n',
  );
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'journal':
      return journal(rest);
    case 'epos':
      return epos(rest);
    case 'reconcile':
      return reconcileDay(rest);
    case 'devices':
      return devices(rest);
    case 'doctor':
      return doctor(rest);
    case 'support-bundle':
      return supportBundle(rest);
    case 'go-live':
      return goLive(rest);
    case 'logs':
      return logs(rest);
    case 'keygen':
      return keygen(rest);
    case 'version':
    case '--version':
      process.stdout.write(`${VERSION}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' },
      demo: { type: 'boolean' },
      port: { type: 'string' },
      'status-port': { type: 'string' },
      'data-dir': { type: 'string' },
      'log-level': { type: 'string' },
      'log-file': { type: 'string' },
      'log-dir': { type: 'string' },
      driver: { type: 'string' },
    },
    strict: true,
  });
  if (values['log-level'] !== undefined && !isLogLevel(values['log-level'])) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  if (values.driver !== undefined && (!values.demo || !['simulator', 'ipp', 'epos'].includes(values.driver))) {
    throw new UsageError(
      '--driver goes with --demo and is "ipp" (the simulated terminal, default) or "epos" (a simulated API Gateway)',
    );
  }
  const eposDemo =
    values.driver === 'epos' ? await (await import('./terminal/simulator/epos-demo')).startEposDemo('demo') : undefined;
  const port = values.port === undefined ? undefined : parsePort(values.port, '--port');
  const statusPort =
    values['status-port'] === undefined ? undefined : parsePort(values['status-port'], '--status-port');
  const config = values.demo
    ? demoConfig({
        ...(port !== undefined ? { port } : {}),
        ...(statusPort !== undefined ? { statusPort } : {}),
        ...(eposDemo ? { terminal: eposDemo.config as unknown as Record<string, unknown> } : {}),
      })
    : loadConfigFile(configFileFor({ config: values.config, dataDir: values['data-dir'] }));
  const dataDir =
    values.demo && values['data-dir'] === undefined
      ? resolve('data')
      : dataDirFor({ dataDir: values['data-dir'], configDataDir: config.dataDir });
  const logFile = logFileFor({
    logFile: values['log-file'],
    logDir: values['log-dir'],
    dataDir: values['data-dir'] ?? config.dataDir ?? (values.demo ? dataDir : undefined),
  });
  // Headless: every line to the rotating log file and to stdout (a service manager or terminal keeps it too).
  const logOut = logOutputs({ file: logFile, stdout: true });
  const log = createLogger({ level: values['log-level'] ?? config.log.level, destination: logOut });
  const service = await startService(config, { log, dataDir, logFile });
  const out: string[] = [`register-bridge ${VERSION} ready (journal: ${service.dataDir})`, `  logs: ${logFile}`];
  for (const l of service.listeners)
    out.push(`  ${l.protocol} register listener on ${l.address}${l.terminal ? ` → terminal ${l.terminal}` : ''}`);
  for (const t of service.bridge.terminals()) out.push(`  terminal ${t.id}: ${t.link} (${t.state})`);
  if (service.statusUrl) out.push(`  status page: ${service.statusUrl}`);
  if (service.statusOff) out.push(`  status page: off (${service.statusOff})`);
  process.stdout.write(out.join('\n') + '\n');
  await new Promise<void>((resolveStop) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolveStop();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  log.info('stopping');
  await service.close();
  await eposDemo?.close();
  log.flush();
  logOut.end?.();
  return 0;
}

async function journal(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      'data-dir': { type: 'string' },
      ref: { type: 'string' },
      outcome: { type: 'string' },
      limit: { type: 'string' },
      csv: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [{ Journal }, { journalCsv, journalDetail, journalTable }] = await Promise.all([
    import('./journal/journal'),
    import('./journal/report'),
  ]);
  // The journal serve writes: --data-dir, else the config's dataDir, else the OS's data folder.
  const j = Journal.open(dataDirFor({ dataDir: values['data-dir'], configDataDir: configuredDataDir(undefined) }));
  try {
    switch (sub) {
      case 'list': {
        const rows = j.list({
          ...(values.ref ? { ref: values.ref } : {}),
          ...(values.outcome ? { outcome: values.outcome as never } : {}),
          limit: values.limit ? Number(values.limit) : 50,
        });
        process.stdout.write(journalTable(rows));
        return 0;
      }
      case 'show': {
        const ref = positionals[0];
        if (!ref) throw new UsageError('journal show needs a REF');
        const matches = j.list({ limit: 1000 }).filter((r) => r.ref === ref);
        if (matches.length === 0) {
          process.stderr.write(`no payment with ref "${ref}" in the journal\n`);
          return 1;
        }
        for (const r of matches) process.stdout.write(journalDetail(r, j.events(r.id)));
        return 0;
      }
      case 'export': {
        if (!values.csv) throw new UsageError('journal export needs --csv FILE');
        const rows = j.list({ limit: 1_000_000 });
        writePrivateFile(values.csv, journalCsv(rows));
        process.stdout.write(`${rows.length} payments written to ${values.csv}\n`);
        return 0;
      }
      default:
        throw new UsageError('journal needs list, show or export');
    }
  } finally {
    j.close();
  }
}

async function epos(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'check') throw new UsageError('epos needs "check"');
  const { values } = parseArgs({
    args: rest,
    options: { config: { type: 'string', short: 'c' }, terminal: { type: 'string' } },
    strict: true,
  });
  const config = loadConfigFile(values.config ?? defaultConfigFile());
  const terminals = config.terminals.filter(
    (t) => t.driver === 'epos' && (values.terminal === undefined || t.id === values.terminal),
  );
  if (terminals.length === 0) {
    throw new BridgeError(
      'config_invalid',
      values.terminal
        ? `no ePOS terminal "${values.terminal}" in the config`
        : 'the config has no terminal with "driver": "epos"',
    );
  }
  const { runEposCheck } = await import('./terminal/epos/check');
  let ok = true;
  for (const t of terminals) {
    if (t.driver !== 'epos') continue;
    const r = await runEposCheck(t, { secrets: { env: process.env } });
    process.stdout.write(`terminal ${t.id} (${t.environment}):\n${r.lines.map((l) => `  ${l}`).join('\n')}\n`);
    ok = ok && r.ok;
  }
  return ok ? 0 : 1;
}

/** Lists devices: one line each, ONE line when there are none, plus one line per kind that could not be read. */
async function devices(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      serial: { type: 'boolean' },
      hid: { type: 'boolean' },
      usb: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  const picked = (['serial', 'hid', 'usb'] as const).filter((k) => values[k]);
  const sources = picked.length ? picked : (['serial', 'hid', 'usb'] as const);
  const { formatDevices, listDevices } = await import('./transport/discovery');
  const report = await listDevices({ sources });
  if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stdout.write(formatDevices(report, sources).join('\n') + '\n');
  return 0;
}

async function reconcileDay(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' },
      day: { type: 'string' },
      'data-dir': { type: 'string' },
      csv: { type: 'string' },
      json: { type: 'string' },
    },
    strict: true,
  });
  if (values.day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.day))
    throw new UsageError('--day must be a date YYYY-MM-DD');
  const config = loadConfigFile(configFileFor({ config: values.config, dataDir: values['data-dir'] }));
  const log = createLogger({ level: 'warn' });
  const { runReconcileCommand } = await import('./reports/reconcile-command');
  const { report, text } = await runReconcileCommand({
    config,
    dataDir: resolve(values['data-dir'] ?? config.dataDir ?? defaultDataDir()),
    ...(values.day ? { day: values.day } : {}),
    ...(values.csv ? { csv: values.csv } : {}),
    ...(values.json ? { json: values.json } : {}),
    log,
    secrets: { env: process.env },
  });
  process.stdout.write(text);
  log.flush();
  return report.clean ? 0 : 3;
}

async function doctor(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' },
      'data-dir': { type: 'string' },
      'log-file': { type: 'string' },
      'log-dir': { type: 'string' },
    },
    strict: true,
  });
  const [{ doctorExitCode, formatDoctor, runDoctor }, { systemDoctorEnv }] = await Promise.all([
    import('./ops/doctor/run'),
    import('./ops/doctor/system'),
  ]);
  const report = await runDoctor(
    {
      configFile: configFileFor({ config: values.config, dataDir: values['data-dir'] }),
      dataDir: (config) => dataDirFor({ dataDir: values['data-dir'], configDataDir: config?.dataDir }),
      logFile: (config) =>
        logFileFor({
          logFile: values['log-file'],
          logDir: values['log-dir'],
          dataDir: values['data-dir'] ?? config?.dataDir,
        }),
    },
    systemDoctorEnv({ secrets: { env: process.env } }),
  );
  process.stdout.write(`register-bridge ${VERSION} doctor\n\n${formatDoctor(report)}`);
  return doctorExitCode(report);
}

async function goLive(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' },
      'data-dir': { type: 'string' },
      terminal: { type: 'string' },
      'log-file': { type: 'string' },
      'log-dir': { type: 'string' },
    },
    strict: true,
  });
  const config = loadConfigFile(configFileFor({ config: values.config, dataDir: values['data-dir'] }));
  const epos = config.terminals.filter(
    (t) => t.driver === 'epos' && (values.terminal === undefined || t.id === values.terminal),
  );
  if (epos.length === 0) {
    throw new UsageError(
      values.terminal === undefined
        ? 'the config has no ePOS terminal (driver "epos"): go-live checks myPOS cloud terminals'
        : `no ePOS terminal "${values.terminal}" in the config`,
    );
  }
  const [{ runGoLiveCheck, formatGoLive }, { Journal }] = await Promise.all([
    import('./ops/go-live'),
    import('./journal/journal'),
  ]);
  const dataDir = dataDirFor({ dataDir: values['data-dir'], configDataDir: config.dataDir });
  const logFile = logFileFor({
    logFile: values['log-file'],
    logDir: values['log-dir'],
    dataDir: values['data-dir'] ?? config.dataDir,
  });
  const journal = existsSync(resolve(dataDir, 'journal.sqlite')) ? Journal.open(dataDir) : undefined;
  let ready = true;
  try {
    for (const t of epos) {
      if (t.driver !== 'epos') continue;
      const report = await runGoLiveCheck(t, {
        secrets: { env: process.env },
        dataDir,
        logFile,
        openPayments: (id, env) => journal?.openOnEnvironment(id, env) ?? [],
      });
      process.stdout.write(formatGoLive(report));
      ready &&= report.ready;
    }
  } finally {
    journal?.close();
  }
  return ready ? 0 : 1;
}

async function supportBundle(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' },
      'data-dir': { type: 'string' },
      'log-file': { type: 'string' },
      'log-dir': { type: 'string' },
      out: { type: 'string', short: 'o' },
    },
    strict: true,
  });
  const [{ buildSupportBundle }, { systemDoctorEnv }] = await Promise.all([
    import('./ops/support-bundle'),
    import('./ops/doctor/system'),
  ]);
  const bundle = await buildSupportBundle({
    configFile: configFileFor({ config: values.config, dataDir: values['data-dir'] }),
    dataDir: (config) => dataDirFor({ dataDir: values['data-dir'], configDataDir: config?.dataDir }),
    logFile: (config) =>
      logFileFor({
        logFile: values['log-file'],
        logDir: values['log-dir'],
        dataDir: values['data-dir'] ?? config?.dataDir,
      }),
    doctorEnv: systemDoctorEnv({ secrets: { env: process.env } }),
  });
  const out = resolve(values.out ?? bundle.fileName);
  writePrivateFile(out, bundle.zip);
  process.stdout.write(`register-bridge: support bundle written to ${out} (${bundle.files.join(', ')})\n`);
  return 0;
}

/** Prints the last lines of the log file the bridge writes (the same choice as serve: flags, then config, then the OS folder). */
async function logs(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      follow: { type: 'boolean', short: 'f' },
      lines: { type: 'string', short: 'n' },
      json: { type: 'boolean' },
      config: { type: 'string', short: 'c' },
      'data-dir': { type: 'string' },
      'log-file': { type: 'string' },
      'log-dir': { type: 'string' },
    },
    strict: true,
  });
  const { follow, formatLogLine, lastLines } = await import('./ops/logs/tail');
  const n = values.lines === undefined ? 50 : Number(values.lines);
  if (!Number.isInteger(n) || n < 0) throw new UsageError('-n must be a number of lines (0 or more)');
  const file = logFileFor({
    logFile: values['log-file'],
    logDir: values['log-dir'],
    dataDir: values['data-dir'] ?? configuredDataDir(values.config),
  });
  const show = (line: string): void => void process.stdout.write(`${values.json ? line : formatLogLine(line)}\n`);
  if (!existsSync(file) && !values.follow) {
    process.stderr.write(
      `register-bridge: no log file at ${file} (the bridge writes it when it runs; --log-file FILE names another)\n`,
    );
    return 1;
  }
  for (const line of lastLines(file, n)) show(line);
  if (!values.follow) return 0;
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  await follow(file, show, { signal: stop.signal });
  return 0;
}

/** The config's dataDir when a config file exists and is valid (so `logs` finds the log serve writes); else undefined. */
function configuredDataDir(configFlag: string | undefined): string | undefined {
  let config: Config;
  try {
    config = loadConfigFile(configFileFor({ config: configFlag }));
  } catch {
    return undefined;
  }
  return config.dataDir;
}

function parsePort(text: string, flag: string): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n > 65535) throw new UsageError(`${flag} must be a port number 0–65535`);
  return n;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`register-bridge: ${(e as Error).message}\n(see register-bridge help)\n`);
      process.exitCode = 2;
      return;
    }
    const err = asBridgeError(e);
    if (err instanceof BridgeError && err.code === 'config_invalid') {
      process.stderr.write(`register-bridge: config error: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`register-bridge: ${err.message}\n`);
    process.exitCode = 1;
  },
);
