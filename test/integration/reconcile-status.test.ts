/**
 * End of day and reconciliation on the status page's API: the day's totals, closing the day, the reconciliation that
 * follows (announced on the event stream), and a reconciliation on demand — real service, simulated IPP terminal,
 * status server over HTTP.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { DayReportsView, EndOfDayReport, ReconciliationReport } from '../../src/status/contract';
import { NativeClient } from '../helpers/native-client';
import { statusStacks } from '../helpers/status-stack';

const start = statusStacks();
const closers: Array<() => void> = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

describe('end of day and reconciliation through the status API', () => {
  it('totals of the day, end of day with the reconciliation announced after it, reconcile on demand', async () => {
    const { sim, service, base, events } = await start((simPort, dir) => ({
      dataDir: dir,
      listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 0 } }],
      terminals: [
        { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: simPort }, currency: 'EUR' },
      ],
      businessDay: { timeZone: 'UTC', cutoffHour: (new Date().getUTCHours() + 12) % 24 },
    }));

    const pos = await NativeClient.open(service.listeners[0]!.port!);
    closers.push(() => pos.close());
    expect(await pos.request({ op: 'sale', id: '1', ref: 'S-1', amount: 1234, currency: 'EUR' })).toMatchObject({
      outcome: 'approved',
    });
    expect(await pos.request({ op: 'sale', id: '2', ref: 'S-2', amount: 1051, currency: 'EUR' })).toMatchObject({
      outcome: 'declined',
    });
    while (sim.openTransaction() !== undefined) await once(sim, 'ledger');

    const post = (path: string, body?: unknown) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: base },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });

    const before = (await (await fetch(`${base}/api/reports`)).json()) as DayReportsView;
    expect(before.totals.currencies).toEqual([expect.objectContaining({ currency: 'EUR', net: 1234 })]);
    expect(before.totals.counts).toMatchObject({ approved: 1, declined: 1 });
    expect(before.lastEndOfDay).toBeUndefined();
    expect(before.reconciliation).toBeUndefined();

    const closed = await post('/api/reports/end-of-day');
    expect(closed.status).toBe(200);
    const eod = (await closed.json()) as EndOfDayReport;
    expect(eod).toMatchObject({
      businessDay: before.totals.businessDay,
      reconciliation: 'scheduled',
      batches: [{ terminal: 'lane1', closed: false }],
    });
    for (
      const end = Date.now() + 20_000;
      Date.now() < end && !events.some((e) => e.type === 'state' && e.reason === 'reconciliation');
    )
      await new Promise((r) => setTimeout(r, 25));
    expect(events.filter((e) => e.type === 'state').map((e) => (e as { reason: string }).reason)).toEqual(
      expect.arrayContaining(['end_of_day', 'reconciliation']),
    );

    const after = (await (
      await fetch(`${base}/api/reports?day=${before.totals.businessDay}`)
    ).json()) as DayReportsView;
    expect(after.lastEndOfDay).toMatchObject({ businessDay: before.totals.businessDay, closedAt: eod.closedAt });
    expect(after.reconciliation).toMatchObject({
      clean: true,
      summary: { matched: 2 },
      totals: [{ currency: 'EUR', difference: 0 }],
    });

    const again = (await (await post('/api/reports/reconcile', {})).json()) as ReconciliationReport;
    expect(again).toMatchObject({ businessDay: before.totals.businessDay, clean: true });

    const bad = await post('/api/reports/reconcile', { day: '2025-02-30' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'bad_request', issues: [{ field: 'day' }] });
    expect((await fetch(`${base}/api/reports?day=yesterday`)).status).toBe(400);
  });
});
