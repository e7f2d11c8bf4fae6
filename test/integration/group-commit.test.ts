/**
 * Group commit (src/journal/wal-flusher.ts): the bridge never acts on a commit before the journal's flush of the
 * write-ahead log has made it durable — no byte to the terminal before the intent and driver reference, no result to
 * the register before the outcome, no COMPLETE_TX before the settle decision. The test holds the flush itself (the
 * journal's `flush` seam) and looks while it is held: nothing here depends on timing, the bridge cannot go on until
 * the test lets the flush finish.
 */
import { fdatasyncSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Bridge } from '../../src/bridge/bridge';
import { money } from '../../src/domain/money';
import { Journal } from '../../src/journal/journal';
import { silentLogger } from '../../src/log/logger';
import type { PaymentResult } from '../../src/domain/payment';
import { ScriptedDriver, type Step } from '../helpers/scripted-driver';
import { tempDirs } from '../helpers/temp-dirs';

/** A disk whose flushes wait until the test releases them (then really flush). */
class HeldDisk {
  requested = 0;
  private gates: Array<{ fd: number; go: (e?: Error) => void }> = [];
  private watchers: Array<() => void> = [];
  failNext: Error | undefined;

  readonly flush = (fd: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      this.requested++;
      this.gates.push({ fd, go: (e) => (e ? reject(e) : (fdatasyncSync(fd), resolve())) });
      for (const w of this.watchers.splice(0)) w();
    });

  /** Resolves when a flush is waiting to be released. */
  async waiting(): Promise<void> {
    if (this.gates.length) return;
    await new Promise<void>((r) => this.watchers.push(r));
  }

  release(): void {
    for (const g of this.gates.splice(0)) g.go(this.failNext);
    this.failNext = undefined;
  }
}

/** Lets everything that can run without the disk run: a held flush stops the bridge no matter how long this is. */
async function turns(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

const tmp = tempDirs('rb-group-');
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function setup(drivers: ScriptedDriver[]): Promise<{ bridge: Bridge; journal: Journal; disk: HeldDisk }> {
  const dir = tmp();
  const disk = new HeldDisk();
  const journal = Journal.open(dir, { flush: disk.flush });
  const bridge = new Bridge({
    journal,
    terminals: drivers.map((driver) => ({ driver })),
    log: silentLogger(),
    version: 't',
    healthIntervalMs: 0,
  });
  await bridge.start();
  closers.push(
    () => journal.close(),
    async () => {
      disk.release();
      await bridge.close();
    },
  );
  return { bridge, journal, disk };
}

/** Approves (two-phase, like IPP) and notes when it would have written its request to the terminal. */
function approveNoting(wrote: string[]): Step {
  return async (cmd, ctx, sid) => {
    await ctx.beforeSend(sid);
    wrote.push(cmd.reference);
    return {
      outcome: 'approved',
      fields: { authCode: 'A1' },
      driverRef: sid,
      needsSettlement: true,
      message: 'Approved',
    };
  };
}

const who = { listener: 'pos', register: 'pos' };

describe('group commit: write before act', () => {
  it('holds the terminal request, the register result and COMPLETE_TX until each commit is on disk', async () => {
    const driver = new ScriptedDriver('t1');
    const wrote: string[] = [];
    driver.script(approveNoting(wrote));
    const { bridge, journal, disk } = await setup([driver]);

    const h = await bridge.submit(who, { kind: 'sale', ref: 'G-1', amount: money(500, 'EUR') });
    let result: PaymentResult | undefined;
    void h.result.then((r) => (result = r));

    // 1. Intent and driver reference are committed; the flush is held: the driver has not written.
    await disk.waiting();
    await turns();
    expect(journal.list({ ref: 'G-1' })[0]).toMatchObject({ driverRef: 'sid-1', outcome: null });
    expect(wrote).toEqual([]);
    disk.release();

    // 2. The outcome is committed; its flush is held: the register has no result, and asking shows none yet.
    await disk.waiting();
    await turns();
    expect(wrote).toEqual(['G-1']);
    expect(journal.list({ ref: 'G-1' })[0]).toMatchObject({ outcome: 'approved' });
    expect(result).toBeUndefined();
    expect(bridge.status(who, 'G-1')).toMatchObject({ outcome: null });
    disk.release();
    await h.result;
    expect(result).toMatchObject({ outcome: 'approved' });
    expect(bridge.status(who, 'G-1')).toMatchObject({ outcome: 'approved' });

    // 3. The register took it: the decision to complete is committed; its flush is held: no COMPLETE_TX yet.
    await bridge.delivery(who, 'G-1', 'written');
    await disk.waiting();
    await turns();
    expect(journal.list({ ref: 'G-1' })[0]).toMatchObject({ settlement: 'complete' });
    expect(driver.settled).toEqual([]);
    disk.release();
    for (let i = 0; i < 100 && driver.settled.length === 0; i++) await turns(1);
    expect(driver.settled).toEqual([{ driverRef: 'sid-1', decision: 'complete' }]);
  });

  it('commits made while a flush runs share the next one: one flush serves several lanes', async () => {
    const drivers = [new ScriptedDriver('t1'), new ScriptedDriver('t2'), new ScriptedDriver('t3')];
    const wrote: string[] = [];
    for (const d of drivers) d.script(approveNoting(wrote));
    const { bridge, journal, disk } = await setup(drivers);

    const handles = await Promise.all(
      drivers.map((d, i) =>
        bridge.submit(who, { kind: 'sale', ref: `L-${i}`, terminal: d.info.id, amount: money(100 + i, 'EUR') }),
      ),
    );
    // The first lane's flush is under way; the other two lanes commit meanwhile and wait for the next one.
    await disk.waiting();
    await turns();
    expect(wrote).toEqual([]);
    const before = journal.flushStats().flushes;
    disk.release();
    await disk.waiting();
    disk.release();
    await turns();
    // Those two flushes made all three lanes' intents and driver references durable.
    expect(journal.flushStats().flushes - before).toBe(2);
    expect([...wrote].sort()).toEqual(['L-0', 'L-1', 'L-2']);
    // Let the outcomes through.
    let done = false;
    const all = Promise.all(handles.map((h) => h.result)).finally(() => (done = true));
    while (!done) {
      disk.release();
      await turns(1);
    }
    const results = await all;
    expect(results.map((r) => r.outcome)).toEqual(['approved', 'approved', 'approved']);
    expect(journal.flushStats().commitsFlushed).toBeGreaterThan(journal.flushStats().flushes);
  });

  it('a disk that refuses the flush stops the payment before the terminal sees it', async () => {
    const driver = new ScriptedDriver('t1');
    const wrote: string[] = [];
    driver.script(approveNoting(wrote));
    const { bridge, disk } = await setup([driver]);

    const h = await bridge.submit(who, { kind: 'sale', ref: 'EIO-1', amount: money(700, 'EUR') });
    await disk.waiting();
    disk.failNext = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    disk.release();
    const result = await h.result;
    expect(wrote).toEqual([]);
    expect(['failed', 'in_doubt']).toContain(result.outcome);
  });
});
