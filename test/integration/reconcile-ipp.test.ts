import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IppSimulator } from '../../src/terminal/simulator/ipp-simulator';
import type { IppLedgerSnapshot } from '../../src/terminal/simulator/ipp-ledger';
import { parseConfig } from '../../src/config/load';
import { startService, type Service } from '../../src/service';
import { silentLogger } from '../../src/log/logger';
import type { ReconciliationReport, ReconItem } from '../../src/reports/reconcile';
import { NativeClient } from '../helpers/native-client';

/**
 * Reconciliation with an IPP terminal. IPP has no transaction list (mypos-ipp.md §7): the bridge asks the terminal
 * about each journal payment with GET_STATUS naming it (§8.3). What the terminal says is altered between two runs of
 * the simulated terminal (its ledger kept in a state file, as a real terminal keeps its own across a restart), so
 * that each discrepancy IPP can reveal exists once. A sale made on the terminal alone is in its ledger too: IPP
 * cannot list it, so it is not reported (docs/receipts.md says so).
 */

let dir: string | undefined;
let service: Service | undefined;
let sim: IppSimulator | undefined;
const clients: NativeClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await service?.close();
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  service = undefined;
  sim = undefined;
  dir = undefined;
});

async function startBridge(cutoffHour: number): Promise<NativeClient> {
  const port = await sim!.listen({ host: '127.0.0.1', port: 0 });
  const config = parseConfig({
    dataDir: join(dir!, 'data'),
    listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 } }],
    terminals: [{ id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port }, currency: 'EUR' }],
    status: { enabled: false },
    businessDay: { timeZone: 'UTC', cutoffHour },
  });
  service = await startService(config, {
    log: silentLogger(),
    status: false,
    bridge: {
      busyBackoffMs: 10,
      deliveryTimeoutMs: 5000,
      recoveryMinMs: 50,
      recoveryMaxMs: 200,
      healthIntervalMs: 0,
      inDoubtLookupDelayMs: 20,
    },
  });
  const c = await NativeClient.open(service.listeners[0]!.port!);
  clients.push(c);
  await c.request({ op: 'hello', id: 'h', client: 'TEST POS' }, ['hello']);
  return c;
}

async function settled(s: IppSimulator): Promise<void> {
  // COMPLETE_TX follows each result: wait until the terminal holds no open transaction.
  const until = Date.now() + 10_000;
  while (s.openTransaction() !== undefined && Date.now() < until) await once(s, 'ledger');
  expect(s.openTransaction()).toBeUndefined();
}

const refs = (items: ReconItem[]): string[] => items.map((i) => i.ref ?? '?').sort();

describe('reconciliation with an IPP terminal (asked per payment)', () => {
  it('finds matched, missing at the terminal, amount and status mismatches and open payments; totals balance to the cent', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rb-recon-ipp-'));
    const stateFile = join(dir, 'terminal.json');
    const cutoffHour = (new Date().getUTCHours() + 12) % 24;
    sim = new IppSimulator({ fast: true, stateFile });
    let pos = await startBridge(cutoffHour);
    const paid = async (id: string, ref: string, amount: number, outcome = 'approved') => {
      expect(await pos.request({ op: 'sale', id, ref, amount, currency: 'EUR' })).toMatchObject({ ref, outcome });
      await settled(sim!);
    };
    await paid('1', 'M-1', 1234);
    await paid('2', 'M-2', 1051, 'declined');
    await paid('3', 'R-1', 1998);
    expect(await pos.request({ op: 'reversal', id: '4', ref: 'R-1' })).toMatchObject({ outcome: 'approved' });
    await paid('5', 'H-1', 2500);
    await paid('6', 'A-1', 2501);
    await paid('7', 'S-1', 4000);
    for (const c of clients.splice(0)) c.close();
    await service!.close();
    await sim.close();

    // The terminal's record changes: H-1 is gone, A-1 shows 25.10, S-1 was reversed on the terminal, and a sale
    // of 17.50 was made on the terminal alone.
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as IppLedgerSnapshot;
    const sale = (minor: number) => state.entries.find((e) => e.kind === 'sale' && e.amountMinor === minor)!;
    const standalone = {
      ...sale(1234),
      sid: 'TERMINAL-UI-1',
      reference: '',
      amountMinor: 1750,
      fields: { ...sale(1234).fields, AMOUNT: '17.50' },
    };
    state.entries = state.entries.filter((e) => e !== sale(2500));
    sale(2501).fields.AMOUNT = '25.10';
    sale(4000).state = 'reversed';
    state.entries.push(standalone);
    writeFileSync(stateFile, JSON.stringify(state));

    sim = new IppSimulator({ fast: true, stateFile });
    pos = await startBridge(cutoffHour);
    // A payment the bridge could not tell yet (a lost answer): still open.
    const j = service!.journal;
    const open = j.insertIntent({
      register: 'pos',
      ref: 'Q-1',
      kind: 'sale',
      amount: { minor: 880, currency: 'EUR' },
      tip: 0,
      terminal: 'lane1',
    });
    j.update(
      open.id,
      { outcome: 'in_doubt', stage: 'recovering', driverRef: 'LOST-SID', message: 'The terminal could not tell yet' },
      { type: 'outcome' },
    );

    const reconciled = once(service!.bridge, 'reconciliation') as Promise<[ReconciliationReport]>;
    const eod = await pos.request({ op: 'end_of_day', id: 'e' }, ['end_of_day', 'error']);
    expect(eod).toMatchObject({ type: 'end_of_day', reconciliation: 'scheduled', cutoffHour });
    expect(eod.batches).toEqual([
      { terminal: 'lane1', closed: false, message: expect.stringMatching(/IPP has no batch close/) },
    ]);
    const [report] = await reconciled;

    expect(report.terminals).toEqual([
      expect.objectContaining({ terminal: 'lane1', source: 'terminal_lookup', ok: true }),
    ]);
    expect(refs(report.matched)).toEqual(['M-1', 'M-2', 'R-1']);
    expect(refs(report.missingAtHost)).toEqual(['H-1']);
    expect(refs(report.amountMismatch)).toEqual(['A-1']);
    expect(refs(report.statusMismatch)).toEqual(['S-1']);
    expect(refs(report.inDoubt)).toEqual(['Q-1']);
    // IPP cannot list the terminal's transactions: the standalone sale is not found, and nothing else is reported.
    expect(report.missingInJournal).toEqual([]);
    expect(report.unverified).toEqual([]);
    expect(report.amountMismatch[0]).toMatchObject({ hostAmount: { minor: 2510, currency: 'EUR' }, difference: 9 });
    expect(report.statusMismatch[0]).toMatchObject({
      journalStatus: 'approved',
      hostStatus: 'declined',
      difference: -4000,
    });

    const journalCharged = 1234 + 2500 + 2501 + 4000;
    const hostCharged = 1234 + 2510;
    expect(report.totals).toEqual([
      {
        currency: 'EUR',
        journal: { count: 4, minor: journalCharged },
        host: { count: 2, minor: hostCharged },
        difference: hostCharged - journalCharged,
      },
    ]);
    expect(hostCharged - journalCharged).toBe(-2500 + 9 - 4000);

    // This register's own totals: nothing closed for the bridge, no reconciliation.
    const mine = await pos.request({ op: 'end_of_day', id: 'e2', scope: 'register' }, ['end_of_day', 'error']);
    expect(mine).toMatchObject({
      type: 'end_of_day',
      reconciliation: 'off',
      register: 'pos',
      counts: { approved: 6, declined: 1, open: 1 },
    });
    expect(mine.currencies).toEqual([expect.objectContaining({ currency: 'EUR', net: journalCharged })]);
  });
});
