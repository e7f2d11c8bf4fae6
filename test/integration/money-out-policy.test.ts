/**
 * A listener's money-out policy with the whole product on loopback (native and ZVT registers, the bridge, the
 * simulated myPOS terminal): operations not allowed get the protocol's refusal, refunds and reversals over a
 * limit are refused, day limits come from the journal and so hold across a restart, and a refund above the
 * confirmation threshold waits (stage awaiting_manager) until the operator confirms or refuses it.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/bridge-harness';
import { TestEcr } from '../unit/zvt-helpers';

let h: Harness | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await h?.close();
  h = undefined;
});

const sale = (ref: string, amount: number) => ({ id: `s-${ref}`, op: 'sale', ref, amount, currency: 'EUR' });
const refund = (ref: string, amount: number) => ({ id: `r-${ref}`, op: 'refund', ref, amount, currency: 'EUR' });

function refundsOnTerminal(harness: Harness): number[] {
  return harness.sim
    .ledger()
    .filter((e) => e.kind === 'refund')
    .map((e) => Number(e.amountMinor ?? 0));
}

describe('money-out policy (native listener)', () => {
  it('a listener without "refund" in allow refuses refunds with not_allowed; sales still run', async () => {
    h = await startHarness({ listener: { policy: { allow: ['sale', 'reversal'] } } });
    const c = await h.client();
    expect(await c.request(refund('R1', 1000))).toMatchObject({ type: 'error', code: 'not_allowed' });
    expect(await c.request({ id: 'e', op: 'end_of_day' }, ['end_of_day', 'error'])).toMatchObject({
      type: 'error',
      code: 'not_allowed',
    });
    expect(await c.request(sale('S1', 1000))).toMatchObject({ type: 'result', outcome: 'approved' });
    expect(h.sim.ledger().map((e) => e.kind)).not.toContain('refund');
    expect(h.service.journal.list({}).map((r) => r.kind)).toEqual(['sale']);
  });

  it('refuses a refund over the per-transaction limit, and a reversal of a sale over it', async () => {
    h = await startHarness({ listener: { policy: { limits: { EUR: { perTransaction: 5000 } } } } });
    const c = await h.client();
    expect(await c.request(refund('R1', 5001))).toMatchObject({ type: 'error', code: 'limit_exceeded' });
    expect(await c.request(refund('R2', 5000))).toMatchObject({ type: 'result', outcome: 'approved' });
    expect(await c.request(sale('S1', 9000))).toMatchObject({ outcome: 'approved' });
    const rev = await c.request({ id: 'v', op: 'reversal', ref: 'S1' });
    expect(rev).toMatchObject({ type: 'error', code: 'limit_exceeded', currency: 'EUR', limit: 5000 });
  });

  it("the per-day limit counts the business day's refunds from the journal, across a restart", async () => {
    h = await startHarness({ listener: { policy: { limits: { EUR: { perDay: 10000 } } } } });
    let c = await h.client();
    expect(await c.request(refund('R1', 6000))).toMatchObject({ outcome: 'approved' });
    h = await h.restart();
    c = await h.client();
    const over = await c.request(refund('R2', 5000));
    expect(over).toMatchObject({
      type: 'error',
      code: 'limit_exceeded',
      currency: 'EUR',
      dayLimit: 10000,
      dayTotal: 6000,
    });
    expect(await c.request(refund('R3', 4000))).toMatchObject({ outcome: 'approved' });
    // A resend of a known ref attaches; it is not counted again.
    expect(await c.request({ ...refund('R3', 4000), id: 'again' })).toMatchObject({ outcome: 'approved', ref: 'R3' });
  });

  it('a refund above the threshold waits for the manager; confirmed it runs, refused the register hears so', async () => {
    h = await startHarness({ listener: { policy: { limits: { EUR: { confirmAbove: 5000 } } } } });
    const c = await h.client();
    c.send(refund('BIG1', 8000));
    const waiting = await c.waitFor((m) => m.id === 'r-BIG1' && m.type === 'progress');
    expect(waiting).toMatchObject({ stage: 'awaiting_manager', message: 'Waiting for the manager to confirm' });
    const [held] = h.service.holds.list();
    expect(held).toMatchObject({
      listener: 'pos',
      register: 'pos',
      kind: 'refund',
      ref: 'BIG1',
      amount: { minor: 8000, currency: 'EUR' },
    });
    expect(h.sim.ledger()).toEqual([]);
    expect(h.service.journal.list({})).toEqual([]);
    expect(h.service.holds.decide(held!.id, 'confirm')).toBe(true);
    expect(await c.waitFor((m) => m.id === 'r-BIG1' && m.type === 'result')).toMatchObject({
      outcome: 'approved',
      kind: 'refund',
    });

    c.send(refund('BIG2', 7000));
    await c.waitFor((m) => m.id === 'r-BIG2' && m.type === 'progress');
    const [second] = h.service.holds.list();
    h.service.holds.decide(second!.id, 'refuse');
    expect(await c.waitFor((m) => m.id === 'r-BIG2' && m.type === 'error')).toMatchObject({
      code: 'refused_by_operator',
    });

    // Below the threshold: straight through. A cancel withdraws a held one.
    expect(await c.request(refund('SMALL', 5000))).toMatchObject({ outcome: 'approved' });
    c.send(refund('BIG3', 9000));
    await c.waitFor((m) => m.id === 'r-BIG3' && m.type === 'progress');
    expect(await c.request({ id: 'c', op: 'cancel', ref: 'BIG3' }, ['cancel'])).toMatchObject({ tookEffect: true });
    expect(await c.waitFor((m) => m.id === 'r-BIG3' && m.type === 'error')).toMatchObject({
      code: 'refused_by_operator',
    });
    expect(h.service.holds.list()).toEqual([]);
    expect(refundsOnTerminal(h).length).toBe(2);
  });
});

describe('money-out policy (ZVT listener)', () => {
  async function ecr(harness: Harness): Promise<TestEcr> {
    const socket = connect({ host: '127.0.0.1', port: harness.port });
    sockets.push(socket);
    await once(socket, 'connect');
    return new TestEcr({ write: (b) => socket.write(b), onData: (l) => socket.on('data', l) }, 'tcp');
  }

  it('refund, end of day and registration not allowed: answered in ZVT (06 1E 6B, 84 6B 00)', async () => {
    h = await startHarness({
      listener: { protocol: 'zvt', options: { receipts: 'off' }, policy: { allow: ['sale'] } },
    });
    const e = await ecr(h);
    await e.send('06 00 04 00 00 00 BA');
    await e.expect('84 6B 00');
    await e.send('06 31 0A 00 00 00 04 00 00 00 00 05 00');
    await e.expect('80 00 00');
    await e.expect('06 1E 01 6B');
    await e.ack();
    await e.send('06 50 03 00 00 00');
    await e.expect('80 00 00');
    await e.expect('06 1E 01 6B');
    await e.ack();
    expect(h.sim.ledger()).toEqual([]);
  });
});
