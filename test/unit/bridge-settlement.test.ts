import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeliveryWaiter, Settler, type Settling } from '../../src/bridge/settlement';
import { Journal, type PaymentRecord } from '../../src/journal/journal';
import { silentLogger } from '../../src/log/logger';
import type { Lane } from '../../src/bridge/lane';
import { ScriptedDriver } from '../helpers/scripted-driver';
import { approvedOpen, eventTypes, recorded, testLane } from '../helpers/bridge-parts';

/** Settlement at its seam: a fake clock, a real in-memory journal, a scripted terminal, the reversal as a callback. */

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(requireAck?: number) {
  const journal = Journal.open(':memory:');
  const driver = new ScriptedDriver();
  const { lane } = testLane(driver);
  const retries: Lane[] = [];
  const reversals: Array<{ ref: string; why: string }> = [];
  const settler = new Settler({
    journal,
    log: silentLogger(),
    requireAck: () => requireAck,
    deliveryTimeoutMs: 10_000,
    retryLater: (l) => void retries.push(l),
    reverse: async (r, why) => void reversals.push({ ref: r.ref, why }),
    changed: () => undefined,
  });
  const settling = (record: PaymentRecord): Settling => ({ record, delivery: new DeliveryWaiter() });
  return { journal, driver, lane, settler, retries, reversals, settling };
}

describe('DeliveryWaiter', () => {
  it('takes the strongest report that came before the wait', async () => {
    const w = new DeliveryWaiter();
    w.report('written');
    w.report('acknowledged');
    w.report('undeliverable');
    expect(await w.wait(undefined, 1000)).toBe('acknowledged');
  });

  it('one connection gone is not the answer while another handle may still deliver', async () => {
    const w = new DeliveryWaiter();
    w.addHandle();
    const how = w.wait(undefined, 1000);
    w.report('undeliverable');
    let ended = false;
    void how.then(() => (ended = true));
    await Promise.resolve();
    expect(ended).toBe(false);
    w.report('undeliverable');
    expect(await how).toBe('undeliverable');
  });

  it('ends at its timer: timeout without a report; written when the ack did not come within requireAck', async () => {
    const plain = new DeliveryWaiter().wait(undefined, 1000);
    const ack = new DeliveryWaiter();
    const acked = ack.wait(2, 1000);
    vi.advanceTimersByTime(999);
    ack.report('written'); // written in time: now the register has 2 s to acknowledge
    vi.advanceTimersByTime(1);
    expect(await plain).toBe('timeout');
    let ended = false;
    void acked.then(() => (ended = true));
    vi.advanceTimersByTime(1998);
    await Promise.resolve();
    expect(ended).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await acked).toBe('written');
  });

  it('ends with closed when the bridge closes, and any later wait ends at once', async () => {
    const w = new DeliveryWaiter();
    const how = w.wait(undefined, 1000);
    w.close();
    expect(await how).toBe('closed');
    expect(await w.wait(undefined, 1000)).toBe('closed');
  });
});

describe('Settler', () => {
  it('completes what the register accepted: decision recorded before COMPLETE_TX, then settled', async () => {
    const { journal, driver, lane, settler, settling } = setup();
    const p = settling(approvedOpen(journal, 'S1'));
    const done = settler.afterDelivery(lane, p);
    p.delivery.report('written');
    await done;
    expect(driver.settled).toEqual([{ driverRef: 'sid-S1', decision: 'complete' }]);
    expect(p.record).toMatchObject({ settlement: 'completed', stage: 'done', outcome: 'approved' });
    expect(eventTypes(journal, p.record.id).slice(-2)).toEqual(['settle_decision', 'settled']);
  });

  it("the register's acceptance records the delivery and the decision in one commit, durable before COMPLETE_TX", async () => {
    const { journal, driver, lane, settler, settling } = setup();
    const p = settling(approvedOpen(journal, 'S1b'));
    const done = settler.afterDelivery(lane, p);
    const before = { ...journal.commits };
    await settler.recordDelivery(p.record, 'written', p);
    // One commit, durable (an in-memory journal has no group flush: its own sync), holding both events.
    const total = (c: typeof before): number => c.durable + c.grouped + c.deferred;
    expect(total(journal.commits) - total(before)).toBe(1);
    expect(journal.commits.deferred - before.deferred).toBe(0);
    expect(journal.get(p.record.id)).toMatchObject({ settlement: 'complete', stage: 'confirming' });
    await done;
    expect(driver.settled).toEqual([{ driverRef: 'sid-S1b', decision: 'complete' }]);
    const events = journal.events(p.record.id);
    expect(events.map((e) => e.type).slice(-3)).toEqual(['delivered', 'settle_decision', 'settled']);
    expect(events.at(-3)!.at).toBe(events.at(-2)!.at);
    // The decision was not written twice.
    expect(events.filter((e) => e.type === 'settle_decision')).toHaveLength(1);
  });

  it('a decision recorded with the delivery is replaced when a stronger report ends the wait (rejected)', async () => {
    const { journal, driver, lane, settler, settling } = setup();
    const p = settling(approvedOpen(journal, 'S1c'));
    // Both reports come before anyone waits: the strongest one (rejected) decides.
    await settler.recordDelivery(p.record, 'written', p);
    await settler.recordDelivery(p.record, 'rejected', p);
    await settler.afterDelivery(lane, p);
    expect(driver.settled).toEqual([{ driverRef: 'sid-S1c', decision: 'cancel' }]);
    const decisions = journal.events(p.record.id).filter((e) => e.type === 'settle_decision');
    expect(decisions.map((e) => (e.data as { decision: string }).decision)).toEqual(['complete', 'cancel']);
  });

  it('with requireAck a written result decides nothing yet: only the delivery is recorded', async () => {
    const { journal, settler, settling } = setup(3);
    const p = settling(approvedOpen(journal, 'S1d'));
    await settler.recordDelivery(p.record, 'written', p);
    expect(journal.get(p.record.id)).toMatchObject({ settlement: 'pending' });
    expect(eventTypes(journal, p.record.id).at(-1)).toBe('delivered');
  });

  it('cancels when no report comes before the delivery timeout: the approval becomes a reversal', async () => {
    const { journal, driver, lane, settler, settling } = setup();
    const p = settling(approvedOpen(journal, 'S2'));
    const done = settler.afterDelivery(lane, p);
    vi.advanceTimersByTime(10_000);
    await done;
    expect(driver.settled).toEqual([{ driverRef: 'sid-S2', decision: 'cancel' }]);
    expect(journal.get(p.record.id)).toMatchObject({ settlement: 'cancelled', outcome: 'cancelled' });
    expect(journal.get(p.record.id)!.message).toMatch(/no delivery report from the register/);
  });

  it('with requireAck, written is not enough: cancelled when the ack does not come', async () => {
    const { journal, driver, lane, settler, settling } = setup(3);
    const p = settling(approvedOpen(journal, 'S3'));
    const done = settler.afterDelivery(lane, p);
    p.delivery.report('written');
    vi.advanceTimersByTime(3000);
    await done;
    expect(driver.settled.map((s) => s.decision)).toEqual(['cancel']);
    expect(journal.get(p.record.id)!.message).toMatch(/did not acknowledge within 3 s/);
  });

  it('a settlement the terminal does not take stays decided and is retried later', async () => {
    const { journal, driver, lane, settler, retries } = setup();
    driver.settleAnswer = () => ({ ok: false, message: 'no answer' });
    const r = approvedOpen(journal, 'S4');
    expect(await settler.settle(lane, r, 'complete', 'test')).toBe(false);
    expect(journal.get(r.id)!.settlement).toBe('complete');
    expect(eventTypes(journal, r.id).at(-1)).toBe('settle_failed');
    expect(retries).toEqual([lane]);
  });

  it('a final approval the register never acknowledges is reversed through the callback', async () => {
    const { journal, settler, reversals, settling } = setup(5);
    const p = settling(recorded(journal, 'F1', { outcome: 'approved', stage: 'done', driverRef: 'sid-F1' }));
    const done = settler.afterFinalApproval(p);
    p.delivery.report('written');
    vi.advanceTimersByTime(5000);
    await done;
    expect(reversals).toEqual([{ ref: 'F1', why: 'the register did not acknowledge within 5 s' }]);
  });

  it('a rejected final approval with no payment running is reversed; the rejection is noted first', async () => {
    const { journal, settler, reversals } = setup();
    const r = recorded(journal, 'F2', { outcome: 'approved', stage: 'done', driverRef: 'sid-F2' });
    await settler.recordDelivery(r, 'rejected', undefined);
    expect(reversals).toEqual([{ ref: 'F2', why: 'the register rejected the approved result' }]);
    expect(eventTypes(journal, r.id).at(-1)).toBe('rejected_by_register');
  });

  it('decides from the journal after a restart: complete only what the register accepted', () => {
    const { journal, settler } = setup();
    const at = '2026-12-07T12:00:00.000Z';
    expect(settler.decisionFromJournal(approvedOpen(journal, 'D1'))).toBe('cancel');
    expect(settler.decisionFromJournal(approvedOpen(journal, 'D2', { deliveredAt: at }))).toBe('complete');
    expect(settler.decisionFromJournal(approvedOpen(journal, 'D3', { settlement: 'cancel', deliveredAt: at }))).toBe(
      'cancel',
    );
    const acked = setup(5);
    expect(acked.settler.decisionFromJournal(approvedOpen(acked.journal, 'D4', { deliveredAt: at }))).toBe('cancel');
    expect(
      acked.settler.decisionFromJournal(approvedOpen(acked.journal, 'D5', { deliveredAt: at, acknowledgedAt: at })),
    ).toBe('complete');
  });
});
