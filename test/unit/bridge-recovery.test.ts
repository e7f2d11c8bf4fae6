import { afterEach, describe, expect, it, vi } from 'vitest';
import { Recovery } from '../../src/bridge/recovery';
import { Settler } from '../../src/bridge/settlement';
import { Journal } from '../../src/journal/journal';
import { silentLogger } from '../../src/log/logger';
import { ScriptedDriver } from '../helpers/scripted-driver';
import { approvedOpen, eventTypes, recorded, testLane } from '../helpers/bridge-parts';

/** Recovery at its seam: a scripted terminal answers the lookups, a real in-memory journal holds what was left open. */

afterEach(() => {
  vi.useRealTimers();
});

function setup(o: { running?: Set<string> } = {}) {
  const journal = Journal.open(':memory:');
  const driver = new ScriptedDriver();
  const { lane, views } = testLane(driver);
  const settler = new Settler({
    journal,
    log: silentLogger(),
    requireAck: () => undefined,
    deliveryTimeoutMs: 1000,
    retryLater: (l) => recovery.schedule(l),
    reverse: async () => undefined,
    changed: () => undefined,
  });
  const recovery = new Recovery({
    journal,
    log: silentLogger(),
    settler,
    isRunning: (id) => o.running?.has(id) ?? false,
    changed: () => undefined,
    minMs: 100,
    maxMs: 300,
  });
  return { journal, driver, lane, views, recovery };
}

describe('Recovery', () => {
  it('fails an intent that never reached the terminal, without asking it', async () => {
    const { journal, driver, lane, recovery } = setup();
    const r = recorded(journal, 'N1');
    await recovery.recoverLane(lane, true);
    expect(journal.get(r.id)).toMatchObject({ outcome: 'failed', stage: 'done' });
    expect(journal.events(r.id).at(-1)).toMatchObject({ type: 'recovered', data: { reason: 'never_sent' } });
    expect(driver.lookups).toEqual([]);
  });

  it('an approval found only by recovery is reversed on the terminal (the register never accepted it)', async () => {
    const { journal, driver, lane, recovery } = setup();
    const r = recorded(journal, 'L1', { outcome: 'in_doubt', stage: 'recovering', driverRef: 'sid-L1' });
    driver.lookupAnswer = () => ({ outcome: 'approved', fields: {}, needsSettlement: true, message: 'found' });
    await recovery.recoverLane(lane, false);
    expect(driver.settled).toEqual([{ driverRef: 'sid-L1', decision: 'cancel' }]);
    expect(journal.get(r.id)).toMatchObject({ outcome: 'cancelled', settlement: 'cancelled' });
    expect(eventTypes(journal, r.id).slice(-4)).toEqual(['recovery_lookup', 'recovered', 'settle_decision', 'settled']);
  });

  it('settles an approval left pending by the rule of the journal: delivered without an ack rule completes', async () => {
    const { journal, driver, lane, recovery } = setup();
    approvedOpen(journal, 'P1', { deliveredAt: '2026-12-07T12:00:00.000Z' });
    approvedOpen(journal, 'P2');
    await recovery.recoverLane(lane, true);
    expect(driver.settled).toEqual([
      { driverRef: 'sid-P1', decision: 'complete' },
      { driverRef: 'sid-P2', decision: 'cancel' },
    ]);
    expect(driver.lookups).toEqual([]);
  });

  it('leaves a payment that runs on its lane to its run', async () => {
    const running = new Set<string>();
    const { journal, driver, lane, recovery } = setup({ running });
    running.add(recorded(journal, 'R1', { driverRef: 'sid-R1' }).id);
    await recovery.recoverLane(lane, false);
    expect(driver.lookups).toEqual([]);
  });

  it('keeps asking what the terminal cannot tell, with a doubling delay up to the maximum', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { journal, driver, lane, views, recovery } = setup();
    const r = recorded(journal, 'D1', { driverRef: 'sid-D1' });
    await recovery.recoverLane(lane, true);
    expect(journal.get(r.id)).toMatchObject({ outcome: 'in_doubt', stage: 'recovering' });
    expect(views.map((v) => v.state)).toEqual(['recovering', 'ready']);
    const lookupsAt: number[] = [];
    for (const step of [100, 200, 300, 300]) {
      await vi.advanceTimersByTimeAsync(step - 1);
      const before = driver.lookups.length;
      await vi.advanceTimersByTimeAsync(1);
      lookupsAt.push(driver.lookups.length - before);
    }
    expect(lookupsAt).toEqual([1, 1, 1, 1]);
    driver.lookupAnswer = () => ({ outcome: 'declined', fields: {}, message: 'declined' });
    await vi.advanceTimersByTimeAsync(300);
    expect(journal.get(r.id)!.outcome).toBe('declined');
    // Resolved: nothing is scheduled any more.
    const after = driver.lookups.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(driver.lookups.length).toBe(after);
    recovery.close();
  });

  it('after close nothing is scheduled', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { journal, driver, lane, recovery } = setup();
    recorded(journal, 'C1', { driverRef: 'sid-C1' });
    await recovery.recoverLane(lane, true);
    recovery.close();
    const before = driver.lookups.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(driver.lookups.length).toBe(before);
  });
});
