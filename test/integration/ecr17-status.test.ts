/**
 * An Italian register's approved sale everywhere the operator looks: the journal, the status page's dashboard state,
 * and the end-of-day report that the register's close session (C) triggers — with the simulated terminal's ledger
 * matching. Real ECR17 socket, service, status server over HTTP, simulated IPP terminal.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { DayReportsView, StateView } from '../../src/status/contract';
import { statusStacks } from '../helpers/status-stack';
import { TestRegister, closeRequest, paymentRequest, resultFields } from './ecr17-register';

const start = statusStacks();
const registers: TestRegister[] = [];
afterEach(() => {
  for (const r of registers.splice(0)) r.close();
});

describe('ECR17 payments in the journal, the dashboard and the end-of-day report', () => {
  it('an approved sale and its close session', async () => {
    const { sim, service, base } = await start((simPort, dir) => ({
      dataDir: dir,
      listeners: [
        {
          id: 'cassa',
          protocol: 'ecr17',
          transport: { type: 'tcp', host: '127.0.0.1', port: 0 },
          options: { closeAfterPayment: false },
        },
      ],
      terminals: [
        { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: simPort }, currency: 'EUR' },
      ],
      businessDay: { timeZone: 'UTC', cutoffHour: (new Date().getUTCHours() + 12) % 24 },
    }));
    const r = await TestRegister.open(service.listeners[0]!.port!);
    registers.push(r);
    r.send(paymentRequest(1250, { register: '00000007' }));
    await r.expectAck();
    expect(resultFields(await r.frame()).result).toBe('00');
    r.ack();
    while (sim.openTransaction() !== undefined) await once(sim, 'ledger');

    // journal (the settlement is recorded right after the terminal's completion)
    for (
      const end = Date.now() + 20_000;
      Date.now() < end && service.journal.list({ register: 'cassa/00000007' })[0]?.settlement !== 'completed';
    )
      await new Promise((res) => setTimeout(res, 20));
    const [record] = service.journal.list({ register: 'cassa/00000007' });
    expect(record).toMatchObject({
      kind: 'sale',
      outcome: 'approved',
      amount: { minor: 1250, currency: 'EUR' },
      settlement: 'completed',
    });
    expect(record!.acknowledgedAt).not.toBeNull();
    // the simulated terminal charged it once, for the same amount
    expect(sim.netCharges(record!.ref)).toBe(1);
    expect(sim.ledger().filter((e) => e.reference === record!.ref && e.kind === 'sale')).toEqual([
      expect.objectContaining({ amountMinor: 1250, state: 'completed' }),
    ]);

    // dashboard
    const state = (await (await fetch(`${base}/api/state`)).json()) as StateView;
    expect(state.recent).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ref: record!.ref,
          register: 'cassa/00000007',
          outcome: 'approved',
          acknowledged: true,
        }),
      ]),
    );
    expect(state.listeners).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'cassa', protocol: 'ecr17' })]),
    );

    // close session: the register's totals, and the bridge's end of day
    r.send(closeRequest('00000007'));
    await r.expectAck();
    expect(await r.frame()).toBe('123456780C00' + '1250'.padStart(16, '0') + '1250'.padStart(16, '0'));
    r.ack();
    let reports: DayReportsView | undefined;
    for (const end = Date.now() + 20_000; Date.now() < end; await new Promise((res) => setTimeout(res, 25))) {
      reports = (await (await fetch(`${base}/api/reports`)).json()) as DayReportsView;
      if (reports.lastEndOfDay) break;
    }
    expect(reports!.lastEndOfDay).toMatchObject({
      currencies: [expect.objectContaining({ currency: 'EUR', net: 1250 })],
    });
  });
});
