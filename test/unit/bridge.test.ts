import { afterEach, describe, expect, it } from 'vitest';
import { Bridge } from '../../src/bridge/bridge';
import { Journal } from '../../src/journal/journal';
import { silentLogger } from '../../src/log/logger';
import { money } from '../../src/domain/money';
import type { RegisterIdentity } from '../../src/bridge/api';
import { approve, decline, held, lost, refused, ScriptedDriver } from '../helpers/scripted-driver';

const who: RegisterIdentity = { listener: 'native', register: 'native' };
const eur = (minor: number) => money(minor, 'EUR');
const open: Bridge[] = [];

async function setup(
  driver = new ScriptedDriver(),
  journal = Journal.open(':memory:'),
  extra: Partial<ConstructorParameters<typeof Bridge>[0]> = {},
) {
  const bridge = new Bridge({
    journal,
    terminals: [{ driver }],
    log: silentLogger(),
    version: 'test',
    busyBackoffMs: 1,
    deliveryTimeoutMs: 2000,
    healthIntervalMs: 0,
    recoveryMinMs: 10_000,
    inDoubtLookupDelayMs: 1,
    ...extra,
  });
  await bridge.start();
  open.push(bridge);
  return { bridge, driver, journal };
}

afterEach(async () => {
  for (const b of open.splice(0)) await b.close();
});

describe('bridge orchestration', () => {
  it('writes the intent before the terminal sees the command, and the outcome before the register does', async () => {
    const { bridge, driver, journal } = await setup();
    let seenAtSend: string | undefined;
    driver.script(async (cmd, ctx, sid) => {
      const row = journal.list({ ref: 'A1' })[0]!;
      seenAtSend = row.stage;
      await ctx.beforeSend(sid);
      expect(journal.list({ ref: 'A1' })[0]!.driverRef).toBe(sid);
      return { outcome: 'approved', fields: {}, driverRef: sid, needsSettlement: true, message: 'ok' };
    });
    const h = await bridge.submit(who, { kind: 'sale', ref: 'A1', amount: eur(1234) });
    const result = await h.result;
    expect(seenAtSend).toBe('queued');
    expect(result.outcome).toBe('approved');
    expect(journal.list({ ref: 'A1' })[0]!.outcome).toBe('approved');
    await bridge.delivery(who, 'A1', 'written', 'sale');
    await waitFor(() => driver.settled.length === 1);
    expect(driver.settled[0]).toEqual({ driverRef: 'sid-1', decision: 'complete' });
    const events = journal.events(h.id).map((e) => e.type);
    expect(events.indexOf('intent')).toBeLessThan(events.indexOf('sent'));
    expect(events.indexOf('outcome')).toBeLessThan(events.indexOf('delivered'));
    expect(events.indexOf('delivered')).toBeLessThan(events.indexOf('settle_decision'));
  });

  it('a known ref with the same amount attaches; with another amount it is ref_conflict', async () => {
    const { bridge, driver } = await setup();
    driver.script(approve(false));
    const a = await bridge.submit(who, { kind: 'sale', ref: 'R', amount: eur(500) });
    const b = await bridge.submit(who, { kind: 'sale', ref: 'R', amount: eur(500) });
    expect(b.attached).toBe(true);
    expect((await a.result).outcome).toBe('approved');
    expect((await b.result).outcome).toBe('approved');
    const c = await bridge.submit(who, { kind: 'sale', ref: 'R', amount: eur(500) });
    expect((await c.result).outcome).toBe('approved');
    await expect(bridge.submit(who, { kind: 'sale', ref: 'R', amount: eur(501) })).rejects.toMatchObject({
      code: 'ref_conflict',
    });
    expect(driver.executed).toHaveLength(1);
  });

  it('refs are per register', async () => {
    const { bridge, driver } = await setup();
    driver.script(approve(false), approve(false));
    await (
      await bridge.submit(who, { kind: 'sale', ref: 'R', amount: eur(500) })
    ).result;
    await (
      await bridge.submit({ ...who, register: 'other' }, { kind: 'sale', ref: 'R', amount: eur(700) })
    ).result;
    expect(driver.executed).toHaveLength(2);
    expect(driver.executed[1]!.reference).not.toBe(driver.executed[0]!.reference);
  });

  it('one transaction at a time per terminal: the second waits in the queue', async () => {
    const { bridge, driver } = await setup();
    const first = held(approve(false));
    driver.script(first.step, approve(false));
    const a = await bridge.submit(who, { kind: 'sale', ref: 'Q1', amount: eur(100) });
    const b = await bridge.submit({ ...who, register: 'r2' }, { kind: 'sale', ref: 'Q2', amount: eur(200) });
    await first.reached;
    expect(driver.executed).toHaveLength(1);
    expect(bridge.terminals()[0]!.queue).toBe(1);
    first.release();
    expect((await a.result).outcome).toBe('approved');
    expect((await b.result).outcome).toBe('approved');
    expect(driver.executed.map((c) => c.reference)).toEqual(['Q1', 'Q2']);
  });

  it('cancel of a queued payment takes effect without touching the terminal', async () => {
    const { bridge, driver } = await setup();
    const first = held(approve(false));
    driver.script(first.step);
    await bridge.submit(who, { kind: 'sale', ref: 'C1', amount: eur(100) });
    const b = await bridge.submit(who, { kind: 'sale', ref: 'C2', amount: eur(200) });
    await first.reached;
    const answer = await bridge.cancel(who, 'C2');
    expect(answer.tookEffect).toBe(true);
    expect((await b.result).outcome).toBe('cancelled');
    first.release();
    expect(driver.executed).toHaveLength(1);
  });

  it('cancel of a finished payment is too late', async () => {
    const { bridge, driver } = await setup();
    driver.script(approve(false));
    await (
      await bridge.submit(who, { kind: 'sale', ref: 'L', amount: eur(100) })
    ).result;
    const answer = await bridge.cancel(who, 'L');
    expect(answer.tookEffect).toBe(false);
    expect(answer.message).toMatch(/Too late/);
    await expect(bridge.cancel(who, 'nope')).rejects.toMatchObject({ code: 'unknown_ref' });
  });

  it('an approval the register never received is cancelled on the terminal (two-phase rule)', async () => {
    const { bridge, driver, journal } = await setup();
    driver.script(approve(true));
    const h = await bridge.submit(who, { kind: 'sale', ref: 'U', amount: eur(100) });
    await h.result;
    await bridge.delivery(who, 'U', 'undeliverable', 'sale');
    await waitFor(() => journal.get(h.id)!.settlement === 'cancelled');
    expect(driver.settled).toEqual([{ driverRef: 'sid-1', decision: 'cancel' }]);
    expect(journal.get(h.id)!.outcome).toBe('cancelled');
    expect(bridge.status(who, 'U')!.outcome).toBe('cancelled');
  });

  it('an approval delivered through an attached resend is confirmed even when the first connection is gone', async () => {
    const { bridge, driver, journal } = await setup();
    const first = held(approve(true));
    driver.script(first.step);
    const a = await bridge.submit(who, { kind: 'sale', ref: 'AT', amount: eur(100) });
    await first.reached;
    const b = await bridge.submit(who, { kind: 'sale', ref: 'AT', amount: eur(100) });
    first.release();
    await a.result;
    await b.result;
    await bridge.delivery(who, 'AT', 'undeliverable', 'sale');
    await bridge.delivery(who, 'AT', 'written', 'sale');
    await waitFor(() => journal.get(a.id)!.settlement === 'completed');
    expect(driver.settled).toEqual([{ driverRef: 'sid-1', decision: 'complete' }]);
  });

  it('requireAck: an approval not acknowledged in time is reversed; an acknowledged one completes', async () => {
    const { bridge, driver, journal } = await setup(undefined, undefined, { requireAck: () => 0.05 });
    driver.script(approve(true), approve(true));
    const a = await bridge.submit(who, { kind: 'sale', ref: 'K1', amount: eur(100) });
    await a.result;
    await bridge.delivery(who, 'K1', 'written', 'sale');
    await waitFor(() => journal.get(a.id)!.settlement === 'cancelled');
    const b = await bridge.submit(who, { kind: 'sale', ref: 'K2', amount: eur(100) });
    await b.result;
    await bridge.delivery(who, 'K2', 'written', 'sale');
    await bridge.delivery(who, 'K2', 'acknowledged', 'sale');
    await waitFor(() => journal.get(b.id)!.settlement === 'completed');
    expect(driver.settled.map((s) => s.decision)).toEqual(['cancel', 'complete']);
  });

  it('BUSY is retried; an unknown open transaction (status 20) is settled from the journal first', async () => {
    const { bridge, driver } = await setup();
    driver.script(refused('terminal_busy'), approve(false));
    expect((await (await bridge.submit(who, { kind: 'sale', ref: 'B', amount: eur(100) })).result).outcome).toBe(
      'approved',
    );
    expect(driver.executed).toHaveLength(2);
  });

  it('a terminal holding an open transaction (status 20): unknown to the journal, known but not yet finished, finished first', async () => {
    const { bridge, driver, journal } = await setup();
    driver.script(refused('not_completed_last_tx'));
    const unknown = await (await bridge.submit(who, { kind: 'sale', ref: 'U', amount: eur(100) })).result;
    expect(unknown.message).toMatch(/does not know/);

    // An approval whose confirmation the terminal did not take: the journal knows it and keeps it open.
    driver.settleAnswer = () => ({ ok: false, message: 'no answer' });
    driver.script(approve(true));
    const first = await bridge.submit(who, { kind: 'sale', ref: 'K1', amount: eur(200) });
    expect((await first.result).outcome).toBe('approved');
    await bridge.delivery(who, 'K1', 'written', 'sale');
    await waitFor(() => driver.settled.length === 1);
    await waitFor(() => journal.get(first.id)!.settlement === 'complete');

    driver.script(refused('not_completed_last_tx'));
    const blocked = await (await bridge.submit(who, { kind: 'sale', ref: 'K2', amount: eur(300) })).result;
    expect(blocked.outcome).not.toBe('approved');
    expect(blocked.message).not.toMatch(/does not know/);
    expect(blocked.message).toMatch(/knows but could not finish/);
    expect(driver.settled.at(-1)).toEqual({ driverRef: 'sid-2', decision: 'complete' });

    driver.settleAnswer = () => ({ ok: true, message: 'ok' });
    driver.script(refused('not_completed_last_tx'), approve(false));
    const cleared = await (await bridge.submit(who, { kind: 'sale', ref: 'K3', amount: eur(400) })).result;
    expect(cleared.outcome).toBe('approved');
    expect(journal.get(first.id)!.settlement).toBe('completed');
  });

  it('a terminal blocked by a payment still in doubt: the bridge looks it up, reverses the approval nobody got, then pays', async () => {
    const { bridge, driver, journal } = await setup();
    driver.script(lost());
    const first = await bridge.submit(who, { kind: 'sale', ref: 'L1', amount: eur(100) });
    expect((await first.result).outcome).toBe('in_doubt');
    // The terminal approved it after all and waits for COMPLETE_TX: it refuses the next sale (status 20).
    driver.lookupAnswer = (q) =>
      q.driverRef === 'sid-1'
        ? { outcome: 'approved', fields: { authCode: 'LATE' }, needsSettlement: true, message: 'found' }
        : undefined;
    driver.script(refused('not_completed_last_tx'), approve(false));
    const next = await (await bridge.submit(who, { kind: 'sale', ref: 'L2', amount: eur(200) })).result;
    expect(next.outcome).toBe('approved');
    expect(driver.settled).toContainEqual({ driverRef: 'sid-1', decision: 'cancel' });
    expect(journal.get(first.id)!.outcome).toBe('cancelled');
  });

  it('a lost answer is in_doubt, and recovery asks the terminal before new work after a restart', async () => {
    const journal = Journal.open(':memory:');
    const first = await setup(new ScriptedDriver(), journal);
    first.driver.script(lost());
    const h = await first.bridge.submit(who, { kind: 'sale', ref: 'D', amount: eur(100) });
    expect((await h.result).outcome).toBe('in_doubt');
    await first.bridge.close();
    const driver = new ScriptedDriver();
    driver.lookupAnswer = (q) =>
      q.driverRef === 'sid-1'
        ? { outcome: 'approved', fields: { authCode: 'X' }, needsSettlement: true, message: 'found' }
        : undefined;
    const second = await setup(driver, journal);
    expect(driver.lookups).toHaveLength(1);
    // Found approved-open after a restart with no delivery: cancelled by the documented rule.
    expect(driver.settled).toEqual([{ driverRef: 'sid-1', decision: 'cancel' }]);
    expect(second.bridge.status(who, 'D')!.outcome).toBe('cancelled');
  });

  it('an in_doubt payment stays in doubt while the terminal cannot tell, then resolves', async () => {
    const { bridge, driver, journal } = await setup();
    driver.script(lost());
    const h = await bridge.submit(who, { kind: 'sale', ref: 'I', amount: eur(100) });
    expect((await h.result).outcome).toBe('in_doubt');
    await bridge.recoverNow();
    expect(journal.get(h.id)!.outcome).toBe('in_doubt');
    driver.lookupAnswer = () => ({ outcome: 'declined', fields: {}, message: 'declined' });
    await bridge.recoverNow();
    expect(journal.get(h.id)!.outcome).toBe('declined');
  });

  it('a payment never sent before a crash fails safely at restart', async () => {
    const journal = Journal.open(':memory:');
    journal.insertIntent({ register: 'native', ref: 'N', kind: 'sale', amount: eur(100), tip: 0, terminal: 't1' });
    const { bridge, driver } = await setup(new ScriptedDriver(), journal);
    expect(driver.lookups).toHaveLength(0);
    expect(bridge.status(who, 'N')!.outcome).toBe('failed');
  });

  it('reversal only of the last transaction; follow-ups need an approved original', async () => {
    const { bridge, driver } = await setup();
    driver.script(approve(false), approve(false), approve(false, {}), decline());
    await (
      await bridge.submit(who, { kind: 'sale', ref: 'S1', amount: eur(100) })
    ).result;
    await (
      await bridge.submit(who, { kind: 'sale', ref: 'S2', amount: eur(200) })
    ).result;
    await expect(bridge.submit(who, { kind: 'reversal', ref: 'S1' })).rejects.toMatchObject({ code: 'not_reversible' });
    const r = await bridge.submit(who, { kind: 'reversal', ref: 'S2' });
    expect((await r.result).outcome).toBe('approved');
    expect(bridge.status(who, 'S2')!.reversed).toBe(true);
    await expect(bridge.submit(who, { kind: 'reversal', ref: 'S9' })).rejects.toMatchObject({ code: 'unknown_ref' });
    const d = await bridge.submit(who, { kind: 'sale', ref: 'S3', amount: eur(51) });
    expect((await d.result).outcome).toBe('declined');
    await expect(bridge.submit(who, { kind: 'reversal', ref: 'S3' })).rejects.toMatchObject({ code: 'not_reversible' });
  });

  it('refuses bad requests with stable codes', async () => {
    const { bridge } = await setup();
    await expect(bridge.submit(who, { kind: 'sale', ref: '', amount: eur(1) })).rejects.toMatchObject({
      code: 'invalid_ref',
    });
    await expect(bridge.submit(who, { kind: 'sale', ref: 'x', amount: eur(0) })).rejects.toMatchObject({
      code: 'invalid_amount',
    });
    await expect(bridge.submit(who, { kind: 'sale', ref: 'x', amount: money(100, 'USD') })).rejects.toMatchObject({
      code: 'currency_mismatch',
    });
    await expect(
      bridge.submit(who, { kind: 'sale', ref: 'x', amount: eur(1), terminal: 'nope' }),
    ).rejects.toMatchObject({ code: 'unknown_terminal' });
  });
});

async function waitFor(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}
