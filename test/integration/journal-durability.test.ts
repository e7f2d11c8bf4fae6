/**
 * Which journal commits of a sale take their own fsync (src/journal/durability.ts): the intent, the driver reference
 * sent to the terminal, the outcome and the settle decision do; progress stages, the delivery mark and the settled
 * mark after COMPLETE_TX ride on the next one. The whole product on loopback, a real journal file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load';
import { money } from '../../src/domain/money';
import { Journal } from '../../src/journal/journal';
import { approve, ScriptedDriver } from '../helpers/scripted-driver';
import { needsOwnFsync } from '../../src/journal/durability';
import { startHarness, type Harness } from '../helpers/bridge-harness';
import { startedBridge } from '../helpers/bridge-parts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Resolves when the journal shows the payment of `ref` settled on the terminal. */
function settled(harness: Harness, ref: string): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      const r = harness.service.journal.list({ ref, limit: 1 })[0];
      if (r?.settlement === 'completed') {
        harness.service.bridge.off('payment', check);
        resolve();
      }
    };
    harness.service.bridge.on('payment', check);
    check();
  });
}

describe('journal durability per commit', () => {
  it('an approved sale on IPP is made durable at four points: intent, sent, outcome, settle decision', async () => {
    h = await startHarness();
    const journal = h.service.journal;
    const register = await h.client();
    const before = { ...journal.commits };
    const done = settled(h, 'DUR-1');
    const result = await register.request({ op: 'sale', id: 'a', ref: 'DUR-1', amount: 1250, currency: 'EUR' }, [
      'result',
    ]);
    expect(result.outcome).toBe('approved');
    await done;
    const commits = { ...journal.commits };

    const record = journal.list({ ref: 'DUR-1', limit: 1 })[0]!;
    const events = journal.events(record.id);
    const durable = events.filter((e) => needsOwnFsync(e.type, e.data)).map((e) => e.type);
    expect(durable).toEqual(['intent', 'sent', 'outcome', 'settle_decision']);
    expect(events.filter((e) => !needsOwnFsync(e.type, e.data)).map((e) => e.type)).toEqual(
      expect.arrayContaining(['stage', 'delivered', 'settled']),
    );
    // The journal did what the rule says: exactly those four commits were made durable before the bridge went on —
    // by the group flush the bridge awaited (none took an fsync of its own on the thread) — and the rest rode along:
    // the delivery mark in the settle decision's commit (the register's acceptance decides it), the progress stages
    // and the settled mark without a commit of their own (they ride on the next one).
    expect(commits.grouped - before.grouped).toBe(4);
    expect(commits.durable - before.durable).toBe(0);
    const stages = events.filter((e) => e.type === 'stage').length;
    expect(stages).toBeGreaterThanOrEqual(2);
    // At most the commit that wrote the settled mark (the test's own query writes what rides first, or the journal
    // does so a second later).
    expect(commits.deferred - before.deferred).toBeLessThanOrEqual(1);
    expect(events.map((e) => e.type).slice(-3)).toEqual(['delivered', 'settle_decision', 'settled']);
    const at = (type: string): string => events.find((e) => e.type === type)!.at;
    expect(at('delivered')).toBe(at('settle_decision'));
    expect(journal.flushStats().flushes).toBeGreaterThanOrEqual(1);
  });

  it('with journal.groupCommit false, each of those four commits takes its own fsync instead', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-nogroup-'));
    try {
      const minimal = {
        listeners: [{ id: 'pos', protocol: 'native', transport: { type: 'tcp', host: '127.0.0.1', port: 7450 } }],
        terminals: [{ id: 'lane1', driver: 'simulator' }],
      };
      expect(parseConfig({ ...minimal, journal: { groupCommit: false } }).journal).toMatchObject({
        groupCommit: false,
        retentionDays: 400,
      });
      expect(parseConfig(minimal).journal.groupCommit).toBe(true);
      expect(() => parseConfig({ ...minimal, journal: { groupCommit: 'no' } })).toThrow(/journal\.groupCommit/);
      const journal = Journal.open(dir, { groupCommit: false });
      const driver = new ScriptedDriver('t1');
      driver.script(approve(true));
      const bridge = await startedBridge(journal, driver);
      const before = { ...journal.commits };
      const who = { listener: 'pos', register: 'pos' };
      const h = await bridge.submit(who, { kind: 'sale', ref: 'NG-1', amount: money(100, 'EUR') });
      expect((await h.result).outcome).toBe('approved');
      await bridge.delivery(who, 'NG-1', 'written');
      for (const end = Date.now() + 20_000; Date.now() < end && driver.settled.length === 0;)
        await new Promise((r) => setTimeout(r, 5));
      expect(driver.settled).toHaveLength(1);
      expect(journal.commits.durable - before.durable).toBe(4);
      expect(journal.commits.grouped - before.grouped).toBe(0);
      expect(journal.flushStats().flushes).toBe(0);
      await bridge.close();
      journal.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps every change that decides money durable', () => {
    for (const type of [
      'intent',
      'sent',
      'outcome',
      'acknowledged',
      'settle_decision',
      'in_doubt',
      'recovered',
      'reversed',
      'cancel_requested',
    ]) {
      expect(needsOwnFsync(type), type).toBe(true);
    }
    // A cancel's settlement turns an approval into a reversal: durable before it is reported.
    expect(needsOwnFsync('settled', { decision: 'cancel' })).toBe(true);
    expect(needsOwnFsync('settled', { decision: 'complete' })).toBe(false);
    expect(needsOwnFsync('delivered')).toBe(false);
    expect(needsOwnFsync('stage', { stage: 'present_card' })).toBe(false);
  });
});
