import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { startHarness, type Harness } from '../helpers/bridge-harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const sale = (id: string, ref: string, amount: number) => ({ op: 'sale', id, ref, amount, currency: 'EUR' });

async function until(cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('exactly-once across link loss, restarts and unacknowledged results', () => {
  it('an in_doubt payment stays in doubt while the terminal is unreachable and resolves when it comes back', async () => {
    h = await startHarness();
    const harness = h;
    h.sim.dropAfterApproval(true);
    const pos = await h.client();
    const dropped = once(h.sim, 'dropped');
    pos.send(sale('1', 'ID-1', 3100));
    await dropped;
    h.sim.setFaults({ dropAfterApproval: false, offline: true });
    const r = await pos.waitFor((m) => m.id === '1' && m.type === 'result');
    expect(r).toMatchObject({ outcome: 'in_doubt' });
    const st = await pos.request({ op: 'status', id: '2', ref: 'ID-1' }, ['status']);
    expect(st).toMatchObject({ outcome: 'in_doubt' });
    expect(h.service.bridge.recent().find((p) => p.ref === 'ID-1')).toMatchObject({ outcome: 'in_doubt' });
    h.sim.offline(false);
    // Background recovery (backoff) asks again; the approval found this way was never seen by the register,
    // so by the documented rule it is cancelled on the terminal.
    await until(
      async () =>
        (await pos.request({ op: 'status', id: `s${Date.now()}`, ref: 'ID-1' }, ['status'])).outcome !== 'in_doubt',
    );
    const final = await pos.request({ op: 'status', id: '3', ref: 'ID-1' }, ['status']);
    expect(final.outcome).toBe('cancelled');
    await until(() => harness.sim.openTransaction() === undefined);
    expect(h.sim.netCharges('ID-1')).toBe(0);
  });

  it('requireAck: an approval the register does not acknowledge is reversed; an acknowledged one stands', async () => {
    h = await startHarness({ listener: { requireAck: 1 } });
    const harness = h;
    const pos = await h.client();
    expect(await pos.request(sale('1', 'ACK-1', 1200))).toMatchObject({ outcome: 'approved' });
    await until(() => harness.sim.openTransaction() === undefined);
    expect(h.sim.netCharges('ACK-1')).toBe(0);
    expect(await pos.request({ op: 'status', id: '2', ref: 'ACK-1' }, ['status'])).toMatchObject({
      outcome: 'cancelled',
    });

    expect(await pos.request(sale('3', 'ACK-2', 1300))).toMatchObject({ outcome: 'approved' });
    expect(await pos.request({ op: 'ack', id: '4', ref: 'ACK-2' }, ['ack'])).toMatchObject({ ref: 'ACK-2' });
    await until(() => harness.sim.openTransaction() === undefined);
    expect(h.sim.netCharges('ACK-2')).toBe(1);
    expect(await pos.request({ op: 'status', id: '5', ref: 'ACK-2' }, ['status'])).toMatchObject({
      outcome: 'approved',
      acknowledged: true,
    });
  });

  it('a result the register could not receive is delivered after its next hello', async () => {
    h = await startHarness();
    const harness = h;
    h.sim.hold();
    const a = await h.client();
    await a.request({ op: 'hello', id: 'h', register: 'till-7' }, ['hello']);
    const held = once(h.sim, 'held');
    a.send(sale('1', 'GONE-1', 2200));
    await held;
    a.close();
    h.sim.release();
    await until(
      () =>
        harness.sim.openTransaction() === undefined &&
        harness.service.bridge.recent().some((p) => p.ref === 'GONE-1' && p.stage === 'done'),
    );
    // Nobody was there to take the approval: reversed, nothing charged.
    expect(h.sim.netCharges('GONE-1')).toBe(0);
    const b = await h.client();
    b.send({ op: 'hello', id: 'h2', register: 'till-7' });
    const redelivered = await b.waitFor((m) => m.type === 'result' && m.ref === 'GONE-1');
    expect(redelivered).toMatchObject({ id: 'h2', redelivered: true, outcome: 'cancelled' });
    // Delivered now: not sent again on the next hello.
    const c = await h.client();
    await c.request({ op: 'hello', id: 'h3', register: 'till-7' }, ['hello']);
    await c.request({ op: 'ping', id: 'p' }, ['pong']);
    expect(c.messages.filter((m) => m.type === 'result')).toHaveLength(0);
  });

  it('resending a ref while its payment is running attaches to it: one charge', async () => {
    h = await startHarness();
    const harness = h;
    h.sim.hold();
    const pos = await h.client();
    const held = once(h.sim, 'held');
    pos.send(sale('1', 'RUN-1', 900));
    await held;
    const other = await h.client();
    other.send(sale('x', 'RUN-1', 900));
    await other.waitFor((m) => m.id === 'x' && m.type === 'progress');
    h.sim.release();
    expect(await pos.waitFor((m) => m.id === '1' && m.type === 'result')).toMatchObject({ outcome: 'approved' });
    expect(await other.waitFor((m) => m.id === 'x' && m.type === 'result')).toMatchObject({
      outcome: 'approved',
      attached: true,
    });
    await until(() => harness.sim.openTransaction() === undefined);
    expect(h.sim.netCharges('RUN-1')).toBe(1);
  });
});
