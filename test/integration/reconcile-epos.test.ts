import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEposDemo, type EposDemo } from '../../src/terminal/simulator/epos-demo';
import { DEMO_EPOS } from '../../src/terminal/simulator/epos-gateway';
import { EposGatewayClient } from '../../src/terminal/epos/gateway-client';
import { EposDriver } from '../../src/terminal/epos/driver';
import { parseConfig } from '../../src/config/load';
import { startService, type Service } from '../../src/service';
import { silentLogger } from '../../src/log/logger';
import type { ReconciliationReport, ReconItem } from '../../src/reports/reconcile';
import { NativeClient } from '../helpers/native-client';

/**
 * Receipts, end of day and reconciliation end to end: a register on the native protocol over TCP, the bridge, the
 * ePOS driver and the fake myPOS API Gateway (real HTTP). The gateway's transaction list is then altered so that
 * each kind of discrepancy exists once; the end of day triggers the reconciliation, which finds exactly those.
 */

let demo: EposDemo | undefined;
let service: Service | undefined;
let dir: string | undefined;
let cutoffHour = 0;
const clients: NativeClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await service?.close();
  await demo?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  service = undefined;
  demo = undefined;
  dir = undefined;
});

/** A cut-off twelve hours away from now, so that every payment of the test falls in the business day running now. */
const farCutoff = (): number => (new Date().getUTCHours() + 12) % 24;

async function start(): Promise<NativeClient> {
  demo = await startEposDemo('cloud');
  cutoffHour = farCutoff();
  dir = mkdtempSync(join(tmpdir(), 'rb-recon-epos-'));
  const config = parseConfig({
    dataDir: dir,
    listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 } }],
    terminals: [{ ...demo.config, pollIntervalMs: 100 }],
    status: { enabled: false },
    merchant: { name: 'CORNER SHOP', address: ['1 Main Street', 'Sofia'] },
    // The fake gateway writes its times as UTC wall-clock time without a zone.
    businessDay: { timeZone: 'UTC', cutoffHour },
  });
  service = await startService(config, { log: silentLogger(), status: false, bridge: { healthIntervalMs: 0 } });
  const c = await NativeClient.open(service.listeners[0]!.port!);
  clients.push(c);
  return c;
}

const sale = (id: string, ref: string, amount: number) => ({ op: 'sale', id, ref, amount, currency: 'EUR' });
const refs = (items: ReconItem[]): string[] => items.map((i) => i.ref ?? i.reference ?? i.hostId ?? '?').sort();

describe('receipts, end of day and reconciliation with the ePOS host', () => {
  it('results carry both receipt copies when asked in hello; any journaled receipt can be reprinted', async () => {
    const pos = await start();
    await pos.request({ op: 'hello', id: 'h', client: 'TEST POS', receipts: 'text', receiptWidth: 32 }, ['hello']);
    const r = await pos.request(sale('1', 'RC-1', 1234));
    expect(r).toMatchObject({ outcome: 'approved', amount: 1234 });
    const receipt = r.receipt as { merchant: string[]; customer: string[] };
    for (const copy of [receipt.merchant, receipt.customer]) {
      expect(copy.length).toBeGreaterThan(10);
      for (const line of copy) expect(line.length).toBeLessThanOrEqual(32);
      const text = copy.join('\n');
      expect(text).toContain('CORNER SHOP');
      expect(text).toContain('12.34');
      expect(text).not.toMatch(/\b\d{13,19}\b/);
    }
    expect(receipt.merchant.join('\n')).not.toEqual(receipt.customer.join('\n'));
    // Kept in the journal with the payment (the receipt data, with the masked PAN only).
    const record = service!.journal.list({ limit: 10 }).find((p) => p.ref === 'RC-1')!;
    const stored = JSON.stringify(service!.journal.receipt(record.id));
    expect(stored).toContain('"paymentId"');
    expect(JSON.parse(stored)).toMatchObject({
      ref: 'RC-1',
      outcome: 'approved',
      total: 1234,
      panMasked: expect.stringMatching(/^\*+\d{4}$/),
    });

    // A declined payment has a receipt too.
    const d = await pos.request(sale('2', 'RC-2', 1051));
    expect(d).toMatchObject({ outcome: 'declined' });
    expect((d.receipt as { customer: string[] }).customer.join('\n')).toMatch(/DECLINED/i);

    // Reprint: the customer copy at 48 columns, marked as a copy.
    const again = await pos.request({ op: 'receipt', id: '3', ref: 'RC-1', copy: 'customer', width: 48 }, [
      'receipt',
      'error',
    ]);
    expect(again).toMatchObject({ type: 'receipt', ref: 'RC-1', kind: 'sale', outcome: 'approved', width: 48 });
    const lines = (again.receipt as { customer: string[]; merchant?: string[] }).customer;
    expect((again.receipt as { merchant?: string[] }).merchant).toBeUndefined();
    expect(lines.some((l) => l.length > 32 && l.length <= 48)).toBe(true);
    expect(lines.join('\n')).toContain('*** DUPLICATE ***');

    // Unknown ref: a protocol error, and the connection lives on.
    expect(await pos.request({ op: 'receipt', id: '4', ref: 'NOPE' }, ['receipt', 'error'])).toMatchObject({
      type: 'error',
      id: '4',
    });
    expect(await pos.request({ op: 'ping', id: '5' }, ['pong', 'error'])).toMatchObject({ id: '5' });
  });

  it('without "receipts":"text" in hello a result carries no receipt', async () => {
    const pos = await start();
    await pos.request({ op: 'hello', id: 'h', client: 'TEST POS' }, ['hello']);
    const r = await pos.request(sale('1', 'NR-1', 1234));
    expect(r).toMatchObject({ outcome: 'approved' });
    expect(r.receipt).toBeUndefined();
  });

  it('end of day closes the totals and the reconciliation that follows finds each seeded discrepancy and nothing else', async () => {
    const pos = await start();
    const g = demo!.gateway;
    await pos.request({ op: 'hello', id: 'h', client: 'TEST POS' }, ['hello']);
    const paid = async (id: string, ref: string, amount: number, outcome = 'approved') =>
      expect(await pos.request(sale(id, ref, amount))).toMatchObject({ ref, outcome });
    await paid('1', 'M-1', 1234);
    await paid('2', 'M-2', 1051, 'declined');
    await paid('3', 'R-1', 1998);
    expect(await pos.request({ op: 'reversal', id: '4', ref: 'R-1' })).toMatchObject({
      kind: 'reversal',
      outcome: 'approved',
    });
    await paid('5', 'H-1', 2500);
    await paid('6', 'A-1', 2501);
    await paid('7', 'S-1', 4000);
    const byValue = (v: number) => g.payments().find((p) => p.value === v)!;
    // The host's record loses H-1, shows A-1 with another amount, and S-1 reversed.
    g.alterTransaction(byValue(2500).id, { hidden: true });
    g.alterTransaction(byValue(2501).id, { value: 2510 });
    g.setStatus(byValue(4000).id, 'Reversed');

    // A payment on the same terminal that never went through the bridge.
    const other = new EposDriver({
      id: 'other',
      terminalId: DEMO_EPOS.terminalId,
      currency: 'EUR',
      pollIntervalMs: 50,
      client: new EposGatewayClient({ baseUrl: g.url, ...credentials(), timeoutMs: 2_000 }),
    });
    const controller = new AbortController();
    const elsewhere = await other.execute(
      { kind: 'sale', amount: { minor: 1750, currency: 'EUR' }, reference: 'ELSEWHERE-1' },
      { signal: controller.signal, stage: () => undefined, beforeSend: async () => undefined },
    );
    expect(elsewhere.outcome).toBe('approved');
    await other.close();

    // A payment the bridge could not tell yet (as after a lost answer): still open.
    const j = service!.journal;
    const open = j.insertIntent({
      register: 'pos',
      ref: 'Q-1',
      kind: 'sale',
      amount: { minor: 880, currency: 'EUR' },
      tip: 0,
      terminal: 'cloud',
    });
    j.update(
      open.id,
      {
        outcome: 'in_doubt',
        stage: 'recovering',
        driverRef: 'lost-answer',
        message: 'The terminal could not tell yet',
      },
      { type: 'outcome' },
    );

    const reconciled = once(service!.bridge, 'reconciliation') as Promise<[ReconciliationReport]>;
    const eod = await pos.request({ op: 'end_of_day', id: 'e' }, ['end_of_day', 'error']);
    expect(eod).toMatchObject({ type: 'end_of_day', reconciliation: 'scheduled', cutoffHour, timeZone: 'UTC' });
    expect(eod.batches).toEqual([
      { terminal: 'cloud', closed: false, message: expect.stringMatching(/no batch close/) },
    ]);
    const eur = (
      eod.currencies as Array<{ currency: string; net: number; sales: { count: number; minor: number } }>
    ).find((c) => c.currency === 'EUR')!;
    // Journal: sales M-1, R-1 (reversed), H-1, A-1, S-1.
    expect(eur.sales).toEqual({ count: 5, minor: 1234 + 1998 + 2500 + 2501 + 4000 });
    expect(eur.net).toBe(1234 + 2500 + 2501 + 4000);
    expect(eod.inDoubt).toEqual([expect.objectContaining({ ref: 'Q-1', outcome: 'in_doubt' })]);

    const [report] = await reconciled;
    expect(report.terminals).toEqual([expect.objectContaining({ terminal: 'cloud', source: 'host_list', ok: true })]);
    expect(refs(report.matched)).toEqual(['M-1', 'M-2', 'R-1']);
    expect(refs(report.missingAtHost)).toEqual(['H-1']);
    expect(report.missingInJournal.map((i) => i.reference)).toEqual(['ELSEWHERE-1']);
    expect(refs(report.amountMismatch)).toEqual(['A-1']);
    expect(refs(report.statusMismatch)).toEqual(['S-1']);
    expect(refs(report.inDoubt)).toEqual(['Q-1']);
    expect(report.unverified).toEqual([]);
    expect(report.amountMismatch[0]).toMatchObject({
      journalAmount: { minor: 2501 },
      hostAmount: { minor: 2510 },
      difference: 9,
    });

    // Balanced to the cent: journal charged M-1 H-1 A-1 S-1; the host M-1 A-1(25.10) ELSEWHERE-1.
    const journalCharged = 1234 + 2500 + 2501 + 4000;
    const hostCharged = 1234 + 2510 + 1750;
    expect(report.totals).toEqual([
      {
        currency: 'EUR',
        journal: { count: 4, minor: journalCharged },
        host: { count: 3, minor: hostCharged },
        difference: hostCharged - journalCharged,
      },
    ]);
    expect(hostCharged - journalCharged).toBe(-2500 + 9 - 4000 + 1750);

    // Stored, and exported next to the end-of-day report.
    expect(service!.bridge.latestReconciliation(report.businessDay)).toEqual(report);
    const reports = join(dir!, 'reports');
    expect(existsSync(join(reports, `end-of-day-${report.businessDay}.csv`))).toBe(true);
    const csv = readFileSync(join(reports, `reconciliation-${report.businessDay}.csv`), 'utf8');
    expect(csv.split('\r\n')[1]).toMatch(/^missing_at_host,cloud,/);
    expect(csv).not.toMatch(/\b\d{13,19}\b/);
  });
});

function credentials() {
  return {
    partnerId: DEMO_EPOS.partnerId,
    applicationId: DEMO_EPOS.applicationId,
    partnerClientId: DEMO_EPOS.partnerClientId,
    partnerSecret: DEMO_EPOS.partnerSecret,
    merchantClientId: DEMO_EPOS.merchantClientId,
    merchantSecret: DEMO_EPOS.merchantSecret,
  };
}
