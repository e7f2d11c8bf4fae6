/**
 * `register-bridge reconcile` as a shop's support engineer runs it: the real command in its own process, reading
 * the config file and the journal the bridge wrote, asking the (simulated) IPP terminal about each payment, printing
 * a summary, writing CSV and JSON, and exiting 0 when journal and terminal agree, 3 when they do not.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load';
import { silentLogger } from '../../src/log/logger';
import { RECON_CSV_COLUMNS, type ReconciliationReport } from '../../src/reports';
import { startService } from '../../src/service';
import type { IppLedgerSnapshot } from '../../src/terminal/simulator/ipp-ledger';
import { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';
import { NativeClient } from '../helpers/native-client';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'register-bridge.mjs');
let dir: string | undefined;
const sims: IppSimulator[] = [];

afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : -1
        : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function simulator(stateFile: string): Promise<{ sim: IppSimulator; port: number }> {
  const sim = new IppSimulator({ fast: true, stateFile });
  sims.push(sim);
  return { sim, port: await sim.listen({ host: '127.0.0.1', port: 0 }) };
}

describe('register-bridge reconcile', () => {
  it('exits 0 when the terminal agrees, 3 with the discrepancies listed and written as CSV and JSON', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rb-recon-cli-'));
    const stateFile = join(dir, 'terminal.json');
    const configFile = join(dir, 'config.json');
    const cutoffHour = (new Date().getUTCHours() + 12) % 24;
    const configFor = (port: number) => ({
      dataDir: join(dir!, 'data'),
      listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 } }],
      terminals: [{ id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port }, currency: 'EUR' }],
      status: { enabled: false },
      businessDay: { timeZone: 'UTC', cutoffHour },
    });

    // A day of payments through the running bridge.
    const started = await simulator(stateFile);
    const sim = started.sim;
    let port = started.port;
    const service = await startService(parseConfig(configFor(port)), {
      log: silentLogger(),
      status: false,
      bridge: { healthIntervalMs: 0 },
    });
    const pos = await NativeClient.open(service.listeners[0]!.port!);
    for (const [id, ref, amount] of [
      ['1', 'C-1', 1234],
      ['2', 'C-2', 2500],
    ] as const) {
      expect(await pos.request({ op: 'sale', id, ref, amount, currency: 'EUR' })).toMatchObject({
        outcome: 'approved',
      });
      while (sim.openTransaction() !== undefined) await once(sim, 'ledger');
    }
    pos.close();
    await service.close();
    writeFileSync(configFile, JSON.stringify(configFor(port)));

    const agree = await cli(['reconcile', '--config', configFile]);
    expect(agree.stderr).not.toMatch(/error/i);
    expect(agree.stdout).toContain('matched 2, missing at host 0');
    expect(agree.stdout).toContain('EUR: journal 2 charged 37.34, host 2 charged 37.34, difference 0.00');
    expect(agree.stdout).toContain('journal and host agree');
    expect(agree.code).toBe(0);

    // The terminal loses C-2 (as after a terminal reset).
    await sim.close();
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as IppLedgerSnapshot;
    state.entries = state.entries.filter((e) => e.amountMinor !== 2500);
    writeFileSync(stateFile, JSON.stringify(state));
    ({ port } = await simulator(stateFile));
    writeFileSync(configFile, JSON.stringify(configFor(port)));

    const csv = join(dir, 'out.csv');
    const json = join(dir, 'out.json');
    const differ = await cli(['reconcile', '--config', configFile, '--csv', csv, '--json', json]);
    expect(differ.code).toBe(3);
    expect(differ.stdout).toMatch(/MISSING AT HOST\s+lane1 C-2: journal 25\.00 EUR approved/);
    expect(differ.stdout).toContain('difference -25.00');
    expect(differ.stdout).toContain('discrepancies found');
    const rows = readFileSync(csv, 'utf8').trimEnd().split('\r\n');
    expect(rows[0]).toBe(RECON_CSV_COLUMNS.join(','));
    expect(rows.slice(1).map((r) => r.split(',').slice(0, 4).join(','))).toEqual([
      'missing_at_host,lane1,pos,C-2',
      'matched,lane1,pos,C-1',
    ]);
    const report = JSON.parse(readFileSync(json, 'utf8')) as ReconciliationReport;
    expect(report.summary).toMatchObject({ matched: 1, missing_at_host: 1 });
    expect(report.terminals[0]).toMatchObject({ source: 'terminal_lookup', ok: true });
    // Stored in the journal and exported next to it as well.
    expect(readFileSync(join(dir, 'data', 'reports', `reconciliation-${report.businessDay}.csv`), 'utf8')).toBe(
      readFileSync(csv, 'utf8'),
    );

    // A bad day is a usage error, not a crash.
    const bad = await cli(['reconcile', '--config', configFile, '--day', '14.03.2025']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--day must be a date YYYY-MM-DD/);
  }, 120_000);
});
