/**
 * The fault matrix (spec §9.3, §11.14): every fault at every step leaves exactly one payment per reference at the
 * gateway and the true outcome — or in_doubt, which `lookup` resolves once the gateway answers again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Fault, FaultRoute } from '../../src/terminal/simulator/epos-gateway';
import { recordingContext, sale, startHarness, type Harness } from './epos-harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const FAULTS: Record<string, Fault> = {
  '503 before it took effect': { kind: 'status', status: 503 },
  '500 after it took effect': { kind: 'status', status: 500, phase: 'after' },
  '429 with Retry-After': { kind: 'rate_limit', retryAfter: '2' },
  'slow answer beyond the timeout': { kind: 'slow' },
  'answer dropped after it took effect': { kind: 'drop' },
  '401 (token or session expired)': { kind: 'unauthorized' },
};

const STEPS: Record<string, FaultRoute> = {
  token: 'token',
  session: 'session',
  create: 'create',
  poll: 'get',
  cancel: 'cancel',
};

const cases = Object.entries(STEPS).flatMap(([step, route]) =>
  Object.entries(FAULTS).map(([name, fault]) => [step, route, name, fault] as const),
);

describe('fault matrix', () => {
  it.each(cases)('%s step, %s fault "%s"', async (step, route, _name, fault) => {
    h = await startHarness();
    // HTTP timeout in real time: a held answer always outlasts it, so no timing luck is involved.
    const driver = h.driver({}, { timeoutMs: 200 });
    const cmd = sale(2500);
    const ctx = recordingContext();
    if (step === 'cancel') {
      h.gateway.hold();
      h.gateway.once('payment', () => ctx.controller.abort());
    }
    h.gateway.fault(route, fault);

    const outcome = await driver.execute(cmd, ctx);

    expect(h.gateway.requests.some((r) => r.route === route && r.fault === fault.kind)).toBe(true);
    const created = h.gateway.paymentsWithReference(cmd.reference);
    expect(created).toHaveLength(1);
    expect(h.gateway.duplicateReferences()).toEqual([]);
    if (step === 'cancel') {
      expect(outcome).toMatchObject({ outcome: 'cancelled', cancelTookEffect: true });
      expect(created[0]!.status).toBe('Canceled');
    } else {
      expect(outcome.outcome).toBe('approved');
      expect(created[0]!.status).toBe('Success');
    }
    expect(outcome.driverRef).toBe(created[0]!.id);
  });
});

describe('when the gateway cannot tell, in_doubt is resolved by lookup', () => {
  it('create answer lost and the payment list unreadable → in_doubt; lookup later finds the approval', async () => {
    h = await startHarness();
    const cmd = sale(2500);
    h.gateway.fault('create', { kind: 'drop' });
    h.gateway.fault('list', { kind: 'status', status: 502 }, 1000);
    const o = await h.driver().execute(cmd, recordingContext());
    expect(o.outcome).toBe('in_doubt');
    expect(o.driverRef).toBeUndefined();
    expect(h.gateway.requests.filter((r) => r.route === 'create')).toHaveLength(1);

    h.gateway.clearFaults();
    h.clock.advance(5_000);
    const found = await h.driver().lookup({ kind: 'sale', reference: cmd.reference, driverRef: cmd.reference });
    expect(found).toMatchObject({ outcome: 'approved' });
    expect(h.gateway.paymentsWithReference(cmd.reference)).toHaveLength(1);
    expect(found!.driverRef).toBe(h.gateway.paymentsWithReference(cmd.reference)[0]!.id);
  });

  it('create refused with 503 and the list unreadable → in_doubt; lookup later says it was never created', async () => {
    h = await startHarness();
    const cmd = sale(2500);
    h.gateway.fault('create', { kind: 'status', status: 503 });
    h.gateway.fault('list', { kind: 'drop' }, 1000);
    const o = await h.driver().execute(cmd, recordingContext());
    expect(o.outcome).toBe('in_doubt');
    h.gateway.clearFaults();
    const found = await h.driver().lookup({ kind: 'sale', reference: cmd.reference, driverRef: cmd.reference });
    expect(found).toMatchObject({ outcome: 'failed' });
    expect(h.gateway.payments()).toHaveLength(0);
  });

  it('polling fails until the deadline → in_doubt with the payment id; lookup later finds the approval', async () => {
    h = await startHarness();
    const cmd = sale(2500);
    h.gateway.fault('get', { kind: 'drop' }, 100_000);
    const o = await h.driver().execute(cmd, recordingContext());
    expect(o.outcome).toBe('in_doubt');
    const id = h.gateway.paymentsWithReference(cmd.reference)[0]!.id;
    expect(o.driverRef).toBe(id);
    h.gateway.clearFaults();
    expect(await h.driver().lookup({ kind: 'sale', reference: cmd.reference, driverRef: cmd.reference })).toMatchObject(
      { outcome: 'approved', driverRef: id },
    );
    expect(h.gateway.paymentsWithReference(cmd.reference)).toHaveLength(1);
  });

  it('a create whose answer is lost twice is still created only once, also when duplicate references are refused', async () => {
    h = await startHarness({ duplicateReference: 'refuse' });
    const cmd = sale(2500);
    h.gateway.fault('create', { kind: 'status', status: 503 });
    h.gateway.fault('create', { kind: 'drop' });
    const o = await h.driver().execute(cmd, recordingContext());
    expect(o.outcome).toBe('approved');
    expect(h.gateway.requests.filter((r) => r.route === 'create').map((r) => r.status)).toEqual([503, 0]);
    expect(h.gateway.paymentsWithReference(cmd.reference)).toHaveLength(1);
  });

  it('does not send again after a lost create when the register cancelled meanwhile', async () => {
    h = await startHarness();
    const cmd = sale(2500);
    const ctx = recordingContext();
    h.gateway.fault('create', { kind: 'status', status: 503 });
    h.gateway.on('request', (r: { route: string }) => {
      if (r.route === 'list') ctx.controller.abort();
    });
    const o = await h.driver().execute(cmd, ctx);
    expect(o).toMatchObject({ outcome: 'cancelled', cancelTookEffect: true });
    expect(h.gateway.requests.filter((r) => r.route === 'create')).toHaveLength(1);
    expect(h.gateway.payments()).toHaveLength(0);
  });
});
