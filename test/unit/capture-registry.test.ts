import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../src/domain/errors';
import { silentLogger } from '../../src/log/logger';
import {
  CaptureRegistry,
  type CaptureRecord,
  type PendingConfirmation,
} from '../../src/register/capture/capture-registry';
import { parsePoleOptions, parsePrinterOptions } from '../../src/register/capture/options';
import type { PaymentView } from '../../src/bridge/api';
import { FakeApi, ManualClock } from './capture-helpers';

const EUR = (minor: number) => ({ minor, currency: 'EUR' });

function setup(options: Record<string, unknown> = {}, listener = 'pole', mode: 'pole' | 'printer' = 'pole') {
  const registry = new CaptureRegistry();
  const api = new FakeApi();
  const clock = new ManualClock();
  const lane = registry.lane({
    api,
    identity: { listener, register: listener },
    log: silentLogger(),
    options: mode === 'pole' ? parsePoleOptions(options) : parsePrinterOptions(options),
    clock,
  });
  const pending: PendingConfirmation[] = [];
  const captures: CaptureRecord[] = [];
  registry.on('pending', (p) => pending.push(p));
  registry.on('capture', (c) => captures.push(c));
  return { registry, api, clock, lane, pending, captures };
}

const view = (ref: string): PaymentView => ({
  id: ref,
  register: 'pole',
  ref,
  kind: 'sale',
  amount: EUR(100),
  terminal: 'lane1',
  stage: 'done',
  outcome: 'approved',
  message: '',
  delivered: true,
  acknowledged: false,
  createdAt: '',
  updatedAt: '',
});

describe('duplicate window and confirmations', () => {
  it('the same total again within the window is held, not charged; confirm charges it, discard drops it', async () => {
    const t = setup();
    expect(t.lane.offer(EUR(1234), 'TOTAL 12,34')).toBe('started');
    await t.registry.idle();
    t.clock.advance(30_000);
    expect(t.lane.offer(EUR(1234), 'TOTAL 12,34')).toBe('held');
    expect(t.api.amounts()).toEqual([1234]);
    const [held] = t.registry.listPendingConfirmations();
    expect(held).toMatchObject({
      listener: 'pole',
      mode: 'pole-display',
      amount: EUR(1234),
      text: 'TOTAL 12,34',
      previousRef: 'POLE-20260314-0001',
      times: 1,
    });
    expect(t.pending).toEqual([held]);

    const resolved: unknown[] = [];
    t.registry.on('resolved', (r) => resolved.push(r));
    expect(t.registry.confirm(held!.id)).toEqual({ ref: 'POLE-20260314-0002' });
    expect(t.api.amounts()).toEqual([1234, 1234]);
    expect(t.registry.listPendingConfirmations()).toEqual([]);
    await t.registry.idle();
    expect(t.registry.recentCaptures()[0]).toMatchObject({
      ref: 'POLE-20260314-0002',
      confirmed: true,
      outcome: 'approved',
    });

    // A third time: held again (the confirmed payment is now the previous one); this time discarded.
    t.lane.offer(EUR(1234), 'TOTAL 12,34');
    const again = t.registry.listPendingConfirmations()[0]!;
    expect(again.previousRef).toBe('POLE-20260314-0002');
    expect(t.registry.discard(again.id)).toBe(true);
    expect(t.registry.discard(again.id)).toBe(false);
    expect(() => t.registry.confirm(again.id)).toThrow(BridgeError);
    expect(resolved).toEqual([
      { id: held!.id, action: 'confirmed', ref: 'POLE-20260314-0002' },
      { id: again.id, action: 'discarded' },
    ]);
    expect(t.api.amounts()).toEqual([1234, 1234]);
  });

  it('a repeat while a total already waits counts on that entry', () => {
    const t = setup();
    t.lane.offer(EUR(500), 'a');
    t.lane.offer(EUR(500), 'b');
    t.lane.offer(EUR(500), 'c');
    expect(t.registry.listPendingConfirmations()).toMatchObject([{ times: 2, text: 'c' }]);
    expect(t.pending).toHaveLength(1);
  });

  it('a held payment is also held while the first still runs', () => {
    const t = setup();
    t.api.hold = true;
    t.lane.offer(EUR(500), 'a');
    expect(t.lane.offer(EUR(500), 'a')).toBe('held');
  });

  it('after a declined, cancelled or refused payment the same total is charged again (the customer tries again)', async () => {
    const t = setup();
    t.lane.offer(EUR(1051), 'TOTAL 10,51');
    await t.registry.idle();
    expect(t.lane.offer(EUR(1051), 'TOTAL 10,51')).toBe('started');
    t.api.submit = async () => {
      throw new BridgeError('terminal_offline', 'the terminal does not answer');
    };
    t.lane.offer(EUR(700), 'TOTAL 7,00');
    await t.registry.idle();
    expect(t.registry.recentCaptures().find((c) => c.amount.minor === 700)).toMatchObject({
      amount: EUR(700),
      outcome: 'failed',
      message: 'terminal_offline: the terminal does not answer',
    });
    expect(t.lane.offer(EUR(700), 'TOTAL 7,00')).toBe('started');
  });

  it('other totals, totals after the window and other listeners are charged', async () => {
    const t = setup({ duplicateWindowMs: 10_000 });
    t.lane.offer(EUR(100), '');
    expect(t.lane.offer(EUR(200), '')).toBe('started');
    await t.registry.idle();
    t.clock.advance(9_999);
    expect(t.lane.offer(EUR(100), '')).toBe('held');
    t.clock.advance(1);
    expect(t.lane.offer(EUR(100), '')).toBe('started');
    const other = t.registry.lane({
      api: t.api,
      identity: { listener: 'pole2', register: 'pole2' },
      log: silentLogger(),
      options: parsePoleOptions({}),
      clock: t.clock,
    });
    expect(other.offer(EUR(100), '')).toBe('started');
  });

  it('a held total is dropped when the same total is charged after the window: a late confirm cannot charge twice', async () => {
    const t = setup({ duplicateWindowMs: 10_000 });
    const resolved: unknown[] = [];
    t.registry.on('resolved', (r) => resolved.push(r));
    t.lane.offer(EUR(100), 'TOTAL 1,00');
    t.lane.offer(EUR(555), 'TOTAL 5,55');
    await t.registry.idle();
    t.clock.advance(5_000);
    expect(t.lane.offer(EUR(100), 'TOTAL 1,00')).toBe('held');
    expect(t.lane.offer(EUR(555), 'TOTAL 5,55')).toBe('held');
    const [held100, held555] = t.registry.listPendingConfirmations();
    // The cashier shows the total again once the window has passed: charged, and the held one goes.
    t.clock.advance(5_000);
    expect(t.lane.offer(EUR(100), 'TOTAL 1,00')).toBe('started');
    expect(t.registry.listPendingConfirmations()).toEqual([held555]);
    expect(resolved).toEqual([{ id: held100!.id, action: 'superseded', ref: 'POLE-20260314-0003' }]);
    expect(() => t.registry.confirm(held100!.id)).toThrow(BridgeError);
    expect(t.api.amounts()).toEqual([100, 555, 100]);
  });

  it('window 0 turns the hold off', () => {
    const t = setup({ duplicateWindowMs: 0 });
    t.lane.offer(EUR(100), '');
    expect(t.lane.offer(EUR(100), '')).toBe('started');
  });

  it('capture events: started, then the outcome', async () => {
    const t = setup({}, 'prn', 'printer');
    t.lane.offer(EUR(1051), 'TOTAL 10,51');
    await t.registry.idle();
    expect(t.captures.map((c) => [c.ref, c.outcome])).toEqual([
      ['PRN-20260314-0001', null],
      ['PRN-20260314-0001', 'declined'],
    ]);
    expect(t.registry.recentCaptures()).toHaveLength(1);
  });
});

describe('generated refs', () => {
  it('continue from the journal after a restart and skip refs it already knows', () => {
    const t = setup();
    t.api.known.set('POLE-20260314-0042', view('POLE-20260314-0042'));
    t.api.known.set('POLE-20260314-0041', view('POLE-20260314-0041'));
    // The journal's last ref is 0041; 0042 exists already (e.g. entered by hand): it is skipped.
    expect(t.lane.nextRef()).toBe('POLE-20260314-0043');
    expect(t.lane.nextRef()).toBe('POLE-20260314-0044');
  });

  it('start at 0001 each day, with the configured prefix', () => {
    const t = setup({ refPrefix: 'KASSE2' });
    t.api.known.set('KASSE2-20260313-0099', view('KASSE2-20260313-0099'));
    expect(t.lane.nextRef()).toBe('KASSE2-20260314-0001');
    t.clock.advance(24 * 3600 * 1000);
    expect(t.lane.nextRef()).toBe('KASSE2-20260315-0001');
  });
});
