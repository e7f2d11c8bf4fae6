import { afterEach, describe, expect, it } from 'vitest';
import { Bridge } from '../../src/bridge/bridge';
import { Journal } from '../../src/journal/journal';
import { money } from '../../src/domain/money';
import { ScriptedDriver } from '../helpers/scripted-driver';
import { tempDirs } from '../helpers/temp-dirs';
import { startedBridge } from '../helpers/bridge-parts';

const tmp = tempDirs('rb-queries-');
const who = { listener: 'pos', register: 'pos' };
const open: Array<{ bridge: Bridge; journal: Journal }> = [];

afterEach(async () => {
  for (const { bridge, journal } of open.splice(0)) {
    await bridge.close();
    journal.close();
  }
});

/**
 * A bridge whose journal's group flush a test can hold: once `holdFlushes()` was called, the next flush waits until
 * `release()` (the outcome is committed, not yet durable).
 */
async function setup() {
  let hold = false;
  let reached!: () => void;
  const flushReached = new Promise<void>((r) => (reached = r));
  const held: Array<() => void> = [];
  const journal = Journal.open(tmp(), {
    flush: () => {
      if (!hold) return Promise.resolve();
      reached();
      return new Promise<void>((r) => held.push(r));
    },
  });
  const driver = new ScriptedDriver();
  const bridge = await startedBridge(journal, driver);
  open.push({ bridge, journal });
  // Approved and final (no two-phase completion); the flushes after the terminal's answer are held.
  driver.script(async (_cmd, ctx, sid) => {
    await ctx.beforeSend(sid);
    hold = true;
    return { outcome: 'approved', fields: { authCode: 'OK1' }, driverRef: sid, message: 'Approved' };
  });
  return { bridge, journal, flushReached, release: () => held.splice(0).forEach((r) => r()) };
}

describe('queries see a committed outcome only once it is durable', () => {
  it('status, last, recent, receipt and receiptById all show the payment as before until the flush', async () => {
    const { bridge, journal, flushReached, release } = await setup();
    const h = await bridge.submit(who, { kind: 'sale', ref: 'OV-1', amount: money(250, 'EUR') });
    await flushReached;
    // Committed in the journal, not yet on disk.
    expect(journal.get(h.id)!.outcome).toBe('approved');

    expect(bridge.status(who, 'OV-1')!.outcome).toBeNull();
    expect(bridge.last(who)!.outcome).toBeNull();
    expect(bridge.recent().find((v) => v.id === h.id)!.outcome).toBeNull();
    expect(bridge.receiptById(h.id)).toBeUndefined();
    expect(() => bridge.receipt(who, 'OV-1')).toThrow(/no final outcome yet/);

    release();
    expect((await h.result).outcome).toBe('approved');
    expect(bridge.status(who, 'OV-1')!.outcome).toBe('approved');
    expect(bridge.recent().find((v) => v.id === h.id)!.outcome).toBe('approved');
    expect(bridge.receiptById(h.id)?.customer.join('\n')).toMatch(/2\.50/);
  });
});
