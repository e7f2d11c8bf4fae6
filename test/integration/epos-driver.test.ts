/**
 * The ePOS driver over real loopback HTTP against the fake gateway, with a manual clock (spec §6, §7, §9).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeError } from '../../src/domain/errors';
import { createLogger } from '../../src/log/logger';
import { DEMO_EPOS, recordingContext, sale, startHarness, type Harness } from './epos-harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const T = DEMO_EPOS.terminalId;
const M = DEMO_EPOS.merchantClientId;

describe('sale', () => {
  it('creates the payment with the reference, minor units and currency, after beforeSend, and reports the approval', async () => {
    h = await startHarness();
    const d = h.driver();
    const ctx = recordingContext();
    const createsAtBeforeSend: number[] = [];
    const cmd = sale(2500);
    const outcome = await d.execute(cmd, {
      ...ctx,
      beforeSend: async (ref) => {
        createsAtBeforeSend.push(h!.gateway.requests.filter((r) => r.route === 'create').length);
        await ctx.beforeSend(ref);
      },
    });
    expect(ctx.sent).toEqual([cmd.reference]);
    expect(createsAtBeforeSend).toEqual([0]);
    const create = h.gateway.requests.find((r) => r.route === 'create')!;
    expect(JSON.parse(create.body)).toEqual({
      terminal_id: T,
      amount: { value: 2500, currency_code: 'EUR' },
      app_name: 'Register Bridge',
      app_version: '0.1.0',
      reference_number: cmd.reference,
    });
    expect(outcome.outcome).toBe('approved');
    expect(outcome.message).toBe('Approved');
    expect(outcome.driverRef).toMatch(/^[0-9a-f]{24}$/);
    expect(outcome.fields).toMatchObject({
      authCode: 'VISSIM',
      hostCode: '00',
      cardScheme: 'VISA',
      panMasked: '****6693',
      terminalId: T,
      processedAmount: { minor: 2500, currency: 'EUR' },
    });
    expect(outcome.raw?.status).toBe('Success');
    expect(ctx.stages.map((s) => s.stage)).toEqual(['connecting', 'accepted', 'present_card']);
    expect(h.gateway.paymentsWithReference(cmd.reference)).toHaveLength(1);
  });

  it('sends the tip separately by default, or inside value when configured (§5, unconfirmed)', async () => {
    h = await startHarness();
    await h.driver().execute(sale(2500, { tip: 200 }), recordingContext());
    await h.driver({ tipMode: 'included' }).execute(sale(2500, { tip: 200 }), recordingContext());
    const bodies = h.gateway.requests.filter((r) => r.route === 'create').map((r) => JSON.parse(r.body).amount);
    expect(bodies).toEqual([
      { value: 2500, currency_code: 'EUR', tip: 200 },
      { value: 2700, currency_code: 'EUR', tip: 200 },
    ]);
  });

  it.each([
    [2551, 'declined', '51', /INSUFFICIENT_FUNDS/],
    [2555, 'declined', '55', /INCORRECT_PIN/],
    [2513, 'cancelled', undefined, /Cancelled on the terminal/],
    [2505, 'declined', undefined, /NO_CARD_PRESENTED/],
    [2591, 'failed', '91', /HOST_UNREACHABLE/],
    [2577, 'approved', '00', /Approved/],
  ] as const)('magic amount %i ends %s', async (minor, outcome, hostCode, message) => {
    h = await startHarness();
    const o = await h.driver().execute(sale(minor), recordingContext());
    expect(o.outcome).toBe(outcome);
    expect(o.fields.hostCode).toBe(hostCode);
    expect(o.message).toMatch(message);
    expect(o.cancelTookEffect).toBeUndefined();
  });

  it('polls every second for 30 s, then every 2 s (§9.4)', async () => {
    h = await startHarness();
    h.gateway.scriptNext({ steps: [{ afterMs: 50_000, status: 'Success', responseCode: '00' }] });
    const o = await h.driver().execute(sale(2500), recordingContext());
    expect(o.outcome).toBe('approved');
    const gets = h.gateway.requests.filter((r) => r.route === 'get').map((r) => r.at);
    const gaps = gets.slice(1).map((t, i) => t - gets[i]!);
    expect(gaps.slice(0, 28).every((g) => g === 1000)).toBe(true);
    expect(gaps.slice(-5).every((g) => g === 2000)).toBe(true);
  });

  it('treats an unknown status as not final, raises an alert once, and keeps polling (§7)', async () => {
    h = await startHarness();
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', destination: { write: (s: string) => void lines.push(s) } });
    h.gateway.scriptNext({
      steps: [
        { afterMs: 1000, status: 'PendingX' },
        { afterMs: 5000, status: 'Completed', responseCode: '00' },
      ],
    });
    const o = await h.driver({ log }).execute(sale(2500), recordingContext());
    expect(o.outcome).toBe('approved');
    expect(h.gateway.requests.filter((r) => r.route === 'get').length).toBeGreaterThanOrEqual(4);
    expect(lines.filter((l) => l.includes('unknown status'))).toHaveLength(1);
    expect(lines[0]).toContain('PendingX');
  });

  it('cancels after the deadline and reports in_doubt when the terminal never finishes (§9.5)', async () => {
    h = await startHarness();
    const t0 = h.clock.now();
    const ctx = recordingContext();
    const o = await h.driver().execute(sale(2599), ctx);
    expect(o.outcome).toBe('in_doubt');
    expect(o.message).toMatch(/check the terminal/);
    expect(o.driverRef).toMatch(/^[0-9a-f]{24}$/);
    expect(h.clock.now() - t0).toBeGreaterThanOrEqual(240_000);
    expect(h.gateway.requests.filter((r) => r.route === 'cancel').map((r) => r.status)).toEqual([202]);
    expect(ctx.stages.map((s) => s.stage)).toContain('cancelling');
    const d2 = h.driver();
    expect(await d2.lookup({ kind: 'sale', reference: 'x', driverRef: o.driverRef! })).toBeUndefined();
    h.gateway.setStatus(o.driverRef!, 'Success', '00');
    expect((await d2.lookup({ kind: 'sale', reference: 'x', driverRef: o.driverRef! }))?.outcome).toBe('approved');
  });

  it('refuses bad commands with BridgeErrors before anything is sent', async () => {
    h = await startHarness();
    const d = h.driver({ minAmountMinor: 100 });
    await expect(d.execute(sale(2500, { reference: 'x'.repeat(51) }), recordingContext())).rejects.toMatchObject({
      code: 'invalid_ref',
    });
    await expect(d.execute(sale(2500, { reference: 'Zahlung-ü' }), recordingContext())).rejects.toMatchObject({
      code: 'invalid_ref',
    });
    await expect(
      d.execute({ ...sale(2500), amount: { minor: 2500, currency: 'USD' } }, recordingContext()),
    ).rejects.toMatchObject({ code: 'currency_mismatch' });
    await expect(d.execute(sale(99), recordingContext())).rejects.toMatchObject({ code: 'invalid_amount' });
    await expect(d.execute({ ...sale(2500), kind: 'preauth' }, recordingContext())).rejects.toBeInstanceOf(BridgeError);
    expect(h.gateway.requests.filter((r) => r.route === 'create')).toHaveLength(0);
  });

  it('reports a 403 on create as a configuration refusal naming POSLink Manager and the ePOS permission', async () => {
    h = await startHarness({ terminals: [{ terminalId: T, merchant: M, currency: 'EUR', eposEnabled: false }] });
    const o = await h.driver().execute(sale(2500), recordingContext());
    expect(o.outcome).toBe('failed');
    expect(o.refused).toEqual({ code: 'config_invalid', status: '403', retryable: false });
    expect(o.message).toMatch(/POSLink Manager/);
    expect(h.gateway.payments()).toHaveLength(0);
  });

  it('refuses cleanly: unknown terminal (404), busy terminal (409, retryable), wrong credentials (nothing sent)', async () => {
    h = await startHarness();
    const unknown = await h.driver({ terminalId: '89999999' }).execute(sale(2500), recordingContext());
    expect(unknown.refused).toMatchObject({ code: 'unknown_terminal', status: '404', retryable: false });
    h.gateway.hold();
    await h.client().createPayment({
      terminal_id: T,
      amount: { value: 100, currency_code: 'EUR' },
      app_name: 'other',
      app_version: '1',
    });
    const busy = await h.driver().execute(sale(2500), recordingContext());
    expect(busy.refused).toMatchObject({ code: 'terminal_busy', status: '409', retryable: true });
    const ctx = recordingContext();
    const denied = await h.driver({}, { merchantSecret: 'sec_wrong' }).execute(sale(2500), ctx);
    expect(denied.refused).toMatchObject({ code: 'config_invalid', retryable: false });
    expect(denied.message).toMatch(/merchant credentials/);
    expect(ctx.sent).toEqual([]);
  });
});

describe('register cancel (§6.4, §9.6)', () => {
  it('cancels an unfinished payment with DELETE and reports that the cancel took effect', async () => {
    h = await startHarness();
    h.gateway.hold();
    const ctx = recordingContext();
    h.gateway.once('payment', () => ctx.controller.abort());
    const o = await h.driver().execute(sale(2500), ctx);
    expect(o.outcome).toBe('cancelled');
    expect(o.cancelTookEffect).toBe(true);
    expect(h.gateway.requests.filter((r) => r.route === 'cancel').map((r) => r.status)).toEqual([202]);
    expect(ctx.stages.map((s) => s.stage)).toContain('cancelling');
    expect(h.gateway.payments()[0]!.status).toBe('Canceled');
  });

  it('reports a cancel that came too late: the payment is approved', async () => {
    h = await startHarness({ cancelRace: true });
    h.gateway.hold();
    const ctx = recordingContext();
    h.gateway.once('payment', () => ctx.controller.abort());
    const o = await h.driver({ reverseLateApproval: false }).execute(sale(2500), ctx);
    expect(o.outcome).toBe('approved');
    expect(o.cancelTookEffect).toBe(false);
    expect(o.message).toMatch(/before the cancel reached the terminal/);
    expect(h.gateway.payments()[0]!.status).toBe('Success');
  });

  it('reports a cancel that arrived after the approval (DELETE refused) as too late', async () => {
    h = await startHarness();
    h.gateway.scriptNext({ steps: [{ afterMs: 0, status: 'Success', responseCode: '00' }] });
    const ctx = recordingContext();
    h.gateway.once('payment', () => ctx.controller.abort());
    const o = await h.driver({ reverseLateApproval: false }).execute(sale(2500), ctx);
    expect(o.outcome).toBe('approved');
    expect(o.cancelTookEffect).toBe(false);
    expect(h.gateway.requests.filter((r) => r.route === 'cancel').map((r) => r.status)).toEqual([400]);
  });

  it('reverses a payment that still ended Success after the register cancelled it (default)', async () => {
    h = await startHarness({ cancelRace: true });
    h.gateway.hold();
    const ctx = recordingContext();
    h.gateway.once('payment', () => ctx.controller.abort());
    const o = await h.driver().execute(sale(2500), ctx);
    expect(o.outcome).toBe('cancelled');
    expect(o.cancelTookEffect).toBe(true);
    expect(o.raw?.late_cancel_reversed).toBe('true');
    expect(h.gateway.payments()[0]!.history).toEqual(['InProgress', 'Success', 'InProgress', 'Reversed']);
    expect(h.gateway.payments()).toHaveLength(1);
  });

  it('does not send anything when the register cancelled before the payment was sent', async () => {
    h = await startHarness();
    const ctx = recordingContext();
    ctx.controller.abort();
    const o = await h.driver().execute(sale(2500), ctx);
    expect(o).toMatchObject({ outcome: 'cancelled', cancelTookEffect: true });
    expect(ctx.sent).toEqual([]);
    expect(h.gateway.payments()).toHaveLength(0);
  });
});

describe('reversal (§6.5)', () => {
  it('reverses an earlier payment known by the journal only by its reference, also after a restart', async () => {
    h = await startHarness();
    const first = sale(2500);
    const approved = await h.driver().execute(first, recordingContext());
    expect(approved.outcome).toBe('approved');
    // A new driver (bridge restarted): the journal knows the reference, which is also its driverRef.
    const ctx = recordingContext();
    const o = await h.driver().execute(
      {
        kind: 'reversal',
        reference: 'REV-1',
        original: { reference: first.reference, driverRef: first.reference, amount: first.amount! },
      },
      ctx,
    );
    expect(o.outcome).toBe('approved');
    expect(o.message).toMatch(/Reversed/);
    expect(ctx.sent).toEqual([approved.driverRef]);
    expect(h.gateway.payment(approved.driverRef!)!.status).toBe('Reversed');
    const body = JSON.parse(h.gateway.requests.find((r) => r.route === 'reversal')!.body);
    expect(body).toMatchObject({ terminal_id: T, app_name: 'Register Bridge', app_version: '0.1.0' });
    expect(
      await h.driver().lookup({ kind: 'reversal', reference: 'REV-1', driverRef: approved.driverRef! }),
    ).toMatchObject({ outcome: 'approved' });
  });

  it('refuses a reversal the terminal forbids, and one of an unknown payment', async () => {
    h = await startHarness({ terminals: [{ terminalId: T, merchant: M, currency: 'EUR', forbiddenReversal: true }] });
    const d = h.driver();
    const first = sale(2500);
    const approved = await d.execute(first, recordingContext());
    const o = await d.execute(
      {
        kind: 'reversal',
        reference: 'REV-2',
        original: { reference: first.reference, driverRef: approved.driverRef! },
      },
      recordingContext(),
    );
    expect(o.outcome).toBe('failed');
    expect(o.refused?.code).toBe('not_reversible');
    expect(o.message).toMatch(/forbidden/);
    const unknown = await d.execute(
      { kind: 'reversal', reference: 'REV-3', original: { reference: 'NEVER-SENT' } },
      recordingContext(),
    );
    expect(unknown.refused?.code).toBe('unknown_ref');
  });

  it('reports a reversal the gateway could not carry out as declined', async () => {
    h = await startHarness({ reversalFails: true });
    const d = h.driver();
    const first = sale(2500);
    const approved = await d.execute(first, recordingContext());
    const o = await d.execute(
      {
        kind: 'reversal',
        reference: 'REV-4',
        original: { reference: first.reference, driverRef: approved.driverRef! },
      },
      recordingContext(),
    );
    expect(o.outcome).toBe('declined');
  });
});

describe('refund (§6.6)', () => {
  it('runs an unreferenced refund on the terminal and polls it to its end', async () => {
    h = await startHarness();
    const o = await h
      .driver()
      .execute({ kind: 'refund', reference: 'RF-1', amount: { minor: 1500, currency: 'EUR' } }, recordingContext());
    expect(o.outcome).toBe('approved');
    const body = JSON.parse(h.gateway.requests.find((r) => r.route === 'refund')!.body);
    expect(body).toEqual({
      terminal_id: T,
      amount: { value: 1500, currency_code: 'EUR' },
      app_name: 'Register Bridge',
      app_version: '0.1.0',
      description: 'Refund RF-1',
    });
    expect(h.gateway.payments()[0]!.kind).toBe('refund');
    const declined = await h
      .driver()
      .execute({ kind: 'refund', reference: 'RF-2', amount: { minor: 1551, currency: 'EUR' } }, recordingContext());
    expect(declined.outcome).toBe('declined');
  });

  it('refuses clearly when the terminal does not allow refunds, without sending one', async () => {
    h = await startHarness({ terminals: [{ terminalId: T, merchant: M, currency: 'EUR', forbiddenRefund: true }] });
    const ctx = recordingContext();
    const o = await h
      .driver()
      .execute({ kind: 'refund', reference: 'RF-3', amount: { minor: 1500, currency: 'EUR' } }, ctx);
    expect(o.outcome).toBe('failed');
    expect(o.refused).toMatchObject({ code: 'unsupported', retryable: false });
    expect(o.message).toMatch(/Refunds are disabled for terminal 80123457/);
    expect(ctx.sent).toEqual([]);
    expect(h.gateway.requests.filter((r) => r.route === 'refund')).toHaveLength(0);
  });

  it('explains a refund the gateway refuses', async () => {
    h = await startHarness({ terminals: [{ terminalId: T, merchant: M, currency: 'EUR', eposEnabled: false }] });
    const o = await h
      .driver()
      .execute({ kind: 'refund', reference: 'RF-4', amount: { minor: 1500, currency: 'EUR' } }, recordingContext());
    expect(o.outcome).toBe('failed');
    expect(o.message).toMatch(/The gateway refused the refund.*need the card on the terminal/);
  });
});

describe('lookup, health, settle', () => {
  it('looks a payment up by id, or by reference through the terminal list (first and last pages, either order, either id field)', async () => {
    for (const variant of [
      { listOrder: 'oldest_first', listItemId: 'payment_id' },
      { listOrder: 'newest_first', listItemId: 'request_id' },
    ] as const) {
      h = await startHarness({ ...variant, oneInProgressPerTerminal: false, approveDelayMs: 0 });
      const c = h.client();
      for (let i = 0; i < 95; i++)
        await c.createPayment({
          terminal_id: T,
          amount: { value: 100 + i * 100, currency_code: 'EUR' },
          app_name: 'a',
          app_version: '1',
          reference_number: `OLD-${i}`,
        });
      const cmd = sale(2500);
      const o = await h.driver().execute(cmd, recordingContext());
      const fresh = h.driver({ scan: { pageSize: 10, firstPages: 2, lastPages: 1 } });
      expect(await fresh.lookup({ kind: 'sale', reference: cmd.reference, driverRef: o.driverRef! })).toMatchObject({
        outcome: 'approved',
        driverRef: o.driverRef,
      });
      const byRef = await fresh.lookup({ kind: 'sale', reference: cmd.reference, driverRef: cmd.reference });
      expect(byRef).toMatchObject({ outcome: 'approved', driverRef: o.driverRef });
      const pages = h.gateway.requests.filter((r) => r.route === 'list').map((r) => r.query.page);
      expect(pages).toEqual(['1', '2', '10']);
      await h.close();
      h = undefined;
    }
  });

  it('says a payment was never created only after two scans at least 10 s apart (§9.3)', async () => {
    h = await startHarness();
    const t0 = h.clock.now();
    const o = await h.driver().lookup({ kind: 'sale', reference: 'NEVER-1', driverRef: 'NEVER-1' });
    expect(o).toMatchObject({ outcome: 'failed' });
    expect(o!.message).toMatch(/never reached the gateway/);
    const scans = h.gateway.requests.filter((r) => r.route === 'list').map((r) => r.at - t0);
    expect(scans).toHaveLength(2);
    expect(scans[1]! - scans[0]!).toBeGreaterThanOrEqual(10_000);
  });

  it('cannot tell (undefined) when the list cannot be read or the payment is still running', async () => {
    h = await startHarness();
    h.gateway.fault('list', { kind: 'status', status: 500 }, 10);
    expect(await h.driver().lookup({ kind: 'sale', reference: 'R-X', driverRef: 'R-X' })).toBeUndefined();
    h.gateway.hold();
    const p = await h.client().createPayment({
      terminal_id: T,
      amount: { value: 100, currency_code: 'EUR' },
      app_name: 'a',
      app_version: '1',
      reference_number: 'R-RUN',
    });
    expect(await h.driver().lookup({ kind: 'sale', reference: 'R-RUN', driverRef: p.paymentId })).toBeUndefined();
  });

  it('reports health from the terminal details and settles nothing', async () => {
    h = await startHarness({
      terminals: [
        { terminalId: T, merchant: M, currency: 'EUR', model: 'N96' },
        { terminalId: '80000009', merchant: M, currency: 'EUR', status: 'Deactive' },
      ],
    });
    expect(await h.driver().health()).toMatchObject({ online: true, terminalId: T, model: 'N96', currency: 'EUR' });
    const off = await h.driver({ terminalId: '80000009' }).health();
    expect(off).toMatchObject({ online: false });
    expect(off.message).toMatch(/Deactive/);
    expect(await h.driver().settle()).toMatchObject({ ok: true });
    expect(h.driver().info).toMatchObject({ driver: 'epos', reversal: 'any', currency: 'EUR' });
  });
});
