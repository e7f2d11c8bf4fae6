import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { startHarness, type Harness } from '../helpers/bridge-harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const sale = (id: string, ref: string, amount: number, extra: Record<string, unknown> = {}) => ({
  op: 'sale',
  id,
  ref,
  amount,
  currency: 'EUR',
  ...extra,
});

async function settledCharges(harness: Harness, ref: string, expected: number): Promise<void> {
  // COMPLETE_TX / CANCEL_TX follow the result: wait for the simulator's ledger to show them.
  const until = Date.now() + 10_000;
  while (harness.sim.openTransaction() !== undefined && Date.now() < until) await once(harness.sim, 'ledger');
  expect(harness.sim.openTransaction()).toBeUndefined();
  expect(harness.sim.netCharges(ref)).toBe(expected);
}

describe('native register → bridge → IPP terminal (real sockets)', () => {
  it('approved sale: progress in stages, then the result with the terminal data; charged once', async () => {
    h = await startHarness();
    const pos = await h.client();
    const hello = await pos.request({ op: 'hello', id: 'h', client: 'TEST POS' }, ['hello']);
    expect(hello).toMatchObject({ type: 'hello', protocol: 1, terminals: [{ id: 'lane1' }] });
    const result = await pos.request(sale('1', 'INV-1001', 1234));
    expect(result).toMatchObject({
      type: 'result',
      ref: 'INV-1001',
      kind: 'sale',
      outcome: 'approved',
      amount: 1234,
      currency: 'EUR',
      terminalId: '80123457',
      panMasked: expect.stringMatching(/\*{4}1234$/),
    });
    expect(result.authCode).toMatch(/\w+/);
    const stages = pos
      .of('1')
      .filter((m) => m.type === 'progress')
      .map((m) => m.stage);
    expect(stages).toEqual(expect.arrayContaining(['queued', 'sent', 'accepted', 'present_card']));
    await settledCharges(h, 'INV-1001', 1);
  });

  it('declined sale carries the issuer code', async () => {
    h = await startHarness();
    const pos = await h.client();
    const r = await pos.request(sale('1', 'D-1', 1051));
    expect(r).toMatchObject({ outcome: 'declined', hostCode: '51' });
    expect(h.sim.netCharges('D-1')).toBe(0);
  });

  it('cardholder cancels on the terminal', async () => {
    h = await startHarness();
    const pos = await h.client();
    expect(await pos.request(sale('1', 'C-1', 1013))).toMatchObject({ outcome: 'cancelled' });
  });

  it('cancel from the register while the card is being presented takes effect: nothing charged', async () => {
    h = await startHarness();
    h.sim.hold();
    const pos = await h.client();
    const held = once(h.sim, 'held');
    pos.send(sale('1', 'X-1', 2500));
    await held;
    pos.send({ op: 'cancel', id: '2', ref: 'X-1' });
    // The cardholder completes the payment on the terminal after the register gave up: the bridge reverses it.
    h.sim.release();
    const cancel = await pos.waitFor((m) => m.id === '2');
    expect(cancel).toMatchObject({ type: 'cancel', ref: 'X-1', tookEffect: true });
    expect(await pos.waitFor((m) => m.id === '1' && m.type === 'result')).toMatchObject({
      outcome: 'cancelled',
      cancelTookEffect: true,
    });
    await settledCharges(h, 'X-1', 0);
  });

  it('cancel arriving too late leaves the approved payment alone', async () => {
    h = await startHarness();
    const pos = await h.client();
    expect(await pos.request(sale('1', 'T-1', 700))).toMatchObject({ outcome: 'approved' });
    const c = await pos.request({ op: 'cancel', id: '2', ref: 'T-1' }, ['cancel']);
    expect(c).toMatchObject({ tookEffect: false, outcome: 'approved' });
    await settledCharges(h, 'T-1', 1);
  });

  it('refund, and reversal of the last sale', async () => {
    h = await startHarness();
    const pos = await h.client();
    expect(await pos.request({ op: 'refund', id: '1', ref: 'RF-77', amount: 500, currency: 'EUR' })).toMatchObject({
      kind: 'refund',
      outcome: 'approved',
    });
    await settledCharges(h, 'RF-77', 0);
    expect(h.sim.netRefunds('RF-77')).toBe(1);
    expect(await pos.request(sale('2', 'S-1', 1998))).toMatchObject({ outcome: 'approved' });
    await settledCharges(h, 'S-1', 1);
    expect(await pos.request({ op: 'reversal', id: '3', ref: 'S-1' })).toMatchObject({
      kind: 'reversal',
      outcome: 'approved',
    });
    expect(h.sim.netCharges('S-1')).toBe(0);
    const status = await pos.request({ op: 'status', id: '4', ref: 'S-1' }, ['status']);
    expect(status).toMatchObject({ outcome: 'approved', reversed: true });
  });

  it('pre-authorisation, then completion with the final amount', async () => {
    h = await startHarness();
    const pos = await h.client();
    const pre = await pos.request({ op: 'preauth', id: '1', ref: 'HOTEL-9', amount: 20000, currency: 'EUR' });
    expect(pre).toMatchObject({
      kind: 'preauth',
      outcome: 'approved',
      preauthCode: expect.stringMatching(/^[0-9]{6}$/),
    });
    await settledCharges(h, 'HOTEL-9', 0);
    const done = await pos.request({ op: 'completion', id: '2', ref: 'HOTEL-9', amount: 18050, currency: 'EUR' });
    expect(done).toMatchObject({ kind: 'completion', outcome: 'approved', amount: 18050 });
  });

  it('two registers on one terminal: the second queues until the first is done', async () => {
    h = await startHarness();
    h.sim.hold();
    const a = await h.client();
    const b = await h.client();
    a.send({ op: 'hello', id: 'h', register: 'till-1' });
    b.send({ op: 'hello', id: 'h', register: 'till-2' });
    await a.waitFor((m) => m.type === 'hello');
    await b.waitFor((m) => m.type === 'hello');
    const held = once(h.sim, 'held');
    a.send(sale('1', 'A-1', 1000));
    await held;
    b.send(sale('1', 'B-1', 2000));
    await b.waitFor((m) => m.type === 'progress' && m.stage === 'queued');
    expect(h.service.bridge.terminals()[0]).toMatchObject({ state: 'busy', queue: 1, currentRef: 'A-1' });
    h.sim.setFaults({ hold: false });
    h.sim.release();
    expect(await a.waitFor((m) => m.type === 'result')).toMatchObject({ ref: 'A-1', outcome: 'approved' });
    expect(await b.waitFor((m) => m.type === 'result')).toMatchObject({ ref: 'B-1', outcome: 'approved' });
    await settledCharges(h, 'B-1', 1);
    expect(h.sim.netCharges('A-1')).toBe(1);
  });

  it('link dropped after approval: recovered through GET_STATUS, delivered, completed once', async () => {
    h = await startHarness();
    h.sim.dropAfterApproval(true);
    const pos = await h.client();
    const dropped = once(h.sim, 'dropped');
    pos.send(sale('1', 'L-1', 4200));
    await dropped;
    h.sim.dropAfterApproval(false);
    const r = await pos.waitFor((m) => m.id === '1' && m.type === 'result');
    expect(r).toMatchObject({ outcome: 'approved', ref: 'L-1' });
    expect(pos.of('1').some((m) => m.stage === 'recovering')).toBe(true);
    await settledCharges(h, 'L-1', 1);
    const methods = h.sim.ledger().map((e) => e.kind);
    expect(methods).toContain('complete_tx');
  });

  it('resending the same ref never charges twice, also after a bridge restart', async () => {
    h = await startHarness();
    let pos = await h.client();
    expect(await pos.request(sale('1', 'DUP-1', 1500))).toMatchObject({ outcome: 'approved' });
    expect(await pos.request(sale('2', 'DUP-1', 1500))).toMatchObject({ outcome: 'approved', attached: true });
    await settledCharges(h, 'DUP-1', 1);
    h = await h.restart();
    pos = await h.client();
    expect(await pos.request(sale('3', 'DUP-1', 1500))).toMatchObject({ outcome: 'approved', attached: true });
    const conflict = await pos.request(sale('4', 'DUP-1', 1600));
    expect(conflict).toMatchObject({ type: 'error', code: 'ref_conflict' });
    expect(h.sim.netCharges('DUP-1')).toBe(1);
    expect(h.sim.ledger().filter((e) => e.reference === 'DUP-1' && e.kind === 'sale')).toHaveLength(1);
  });

  it('malformed lines get an error and the connection lives on', async () => {
    h = await startHarness();
    const pos = await h.client();
    const other = await h.client();
    pos.send('this is not json');
    pos.send('{"op":"sale"');
    pos.send('[1,2]');
    pos.send({ op: 'dance', id: 'x' });
    pos.send({ id: 'y' });
    pos.send(sale('a', 'F-1', 12.5));
    pos.send(sale('b', 'F-2', -5));
    pos.send(sale('c', 'F-3', 100, { currency: 'XXX1' }));
    pos.send(sale('d', 'F-4', 100, { currency: 'USD' }));
    pos.send(sale('e', '', 100));
    pos.send({ op: 'status', id: 'f', ref: 'never-seen' });
    pos.send('x'.repeat(70_000));
    const codes = async (id: string | null) => (await pos.waitFor((m) => m.type === 'error' && m.id === id)).code;
    expect(await codes('x')).toBe('unknown_op');
    expect(await codes('y')).toBe('bad_request');
    expect(await codes('a')).toBe('invalid_amount');
    expect(await codes('b')).toBe('invalid_amount');
    expect(await codes('c')).toBe('unknown_currency');
    expect(await codes('d')).toBe('currency_mismatch');
    expect(await codes('e')).toBe('invalid_ref');
    expect(await codes('f')).toBe('unknown_ref');
    await pos.waitFor((m) => m.code === 'line_too_long');
    expect(pos.messages.filter((m) => m.code === 'bad_json')).toHaveLength(3);
    expect(await pos.request({ op: 'ping', id: 'p' }, ['pong'])).toMatchObject({ type: 'pong' });
    expect(await other.request(sale('1', 'OK-1', 300))).toMatchObject({ outcome: 'approved' });
    expect(pos.closed).toBe(false);
  });
});
