/**
 * The whole product with a French Caisse-AP register: a register written here (net.Socket, the request in one write,
 * the answer read the way the registers of caisse-ap.md §11 read it) talks to the bridge's Caisse-AP listener
 * (started from a config by the real service), which drives the simulated myPOS terminal over IPP on loopback.
 */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage, fieldMap } from '../../src/register/caisse-ap/codec';
import type { DayReportsView, EndOfDayReport, PaymentView, StateView } from '../../src/status/contract';
import { startHarness, type Harness } from '../helpers/bridge-harness';
import { statusStacks } from '../helpers/status-stack';

let h: Harness | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  h?.sim.release();
  await h?.close();
  h = undefined;
});

const WHO = { listener: 'pos', register: 'pos/01' };
const ECHO = 'CZ0040300CJ012012345678901CA00201CE003978BA0010';
const sale = (cb: string, extra = ''): string => `${ECHO}CD0010CB${String(cb.length).padStart(3, '0')}${cb}${extra}`;
const refund = (cb: string): string => `${ECHO}CD0011CB${String(cb.length).padStart(3, '0')}${cb}`;

async function caisseBridge(options: Record<string, unknown> = {}): Promise<Harness> {
  return startHarness({ listener: { protocol: 'caisse-ap', options: { quietMs: 50, ...options } } });
}

/** A register connection: the request goes out in one write; `first` is what one read returns (a read-once register). */
interface RegisterConnection {
  readonly socket: Socket;
  /** The first chunk the bridge sent. */
  readonly first: Promise<string>;
  /** Everything until the bridge closed its side. */
  readonly all: Promise<string>;
  /** The bridge ended the connection. */
  readonly ended: Promise<void>;
}

async function register(port: number, request?: string): Promise<RegisterConnection> {
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  const first = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
  socket.on('data', (d: Buffer) => chunks.push(d));
  const ended = new Promise<void>((resolve) => {
    socket.once('end', () => resolve());
    socket.once('close', () => resolve());
  });
  socket.on('error', () => undefined);
  if (request !== undefined) socket.write(Buffer.from(request, 'latin1'));
  return { socket, first, all: ended.then(() => Buffer.concat(chunks).toString('latin1')), ended };
}

/** One operation as the registers do it: connect, write, read the answer, and the bridge closes. */
async function ask(port: number, request: string): Promise<string> {
  const c = await register(port, request);
  const first = await c.first;
  expect(await c.all).toBe(first); // the whole answer in one write, nothing after it
  return first;
}

const tags = (answer: string): Map<string, string> => fieldMap(decodeMessage(Buffer.from(answer, 'latin1')));

async function settled(harness: Harness): Promise<void> {
  while (harness.sim.openTransaction() !== undefined) await once(harness.sim, 'ledger');
}

async function until(pred: () => boolean): Promise<void> {
  for (const end = Date.now() + 20_000; Date.now() < end && !pred();) await new Promise((r) => setTimeout(r, 10));
  expect(pred()).toBe(true);
}

describe('Caisse-AP register → bridge → simulated myPOS terminal (real sockets)', () => {
  it('approved sale: the echo block as sent, AE 10 AF 01, card tags, the masked PAN only; charged once and in the journal', async () => {
    h = await caisseBridge();
    const answer = await ask(h.port, sale('1250'));
    expect(answer.startsWith(`${sale('1250')}AE00210AF00201CC003`)).toBe(true);
    const t = tags(answer);
    expect(t.get('CI')).toMatch(/^[12]$/);
    expect(t.get('AA')).toBe('541333######1234');
    expect(answer).not.toMatch(/[^\x20-\x7e]/);
    // The answer reached the register before the bridge recorded that it was written.
    await until(() => h!.service.bridge.last(WHO)?.delivered === true);
    const payment = h.service.bridge.last(WHO)!;
    expect(payment).toMatchObject({
      ref: 'CA01-000001',
      kind: 'sale',
      outcome: 'approved',
      delivered: true,
      amount: { minor: 1250, currency: 'EUR' },
    });
    await settled(h);
    expect(h.sim.netCharges(payment.ref)).toBe(1);
    expect(h.service.journal.list({ register: 'pos/01' })).toHaveLength(1);
  });

  it('declined sale (amount ending 51): AE 01 AF 04 with the echo block; nothing charged', async () => {
    h = await caisseBridge();
    expect(await ask(h.port, sale('1051'))).toBe(`${sale('1051')}AE00201AF00204`);
    const payment = h.service.bridge.last(WHO)!;
    expect(payment).toMatchObject({ outcome: 'declined' });
    expect(h.sim.netCharges(payment.ref)).toBe(0);
  });

  it('cardholder cancels on the terminal (…13) → AF 06; no card in time (…05) → AF 08', async () => {
    h = await caisseBridge();
    expect(await ask(h.port, sale('1013'))).toBe(`${sale('1013')}AE00201AF00206`);
    expect(await ask(h.port, sale('1005'))).toBe(`${sale('1005')}AE00201AF00208`);
  });

  it('refund (CD=1): approved with CD0011 echoed; the simulated terminal refunded it', async () => {
    h = await caisseBridge();
    const answer = await ask(h.port, refund('500'));
    expect(answer.startsWith(`${refund('500')}AE00210AF00201`)).toBe(true);
    const payment = h.service.bridge.last(WHO)!;
    expect(payment).toMatchObject({ kind: 'refund', outcome: 'approved', amount: { minor: 500 } });
    await settled(h);
    expect(h.sim.netRefunds(payment.ref)).toBe(1);
  });

  it('the register disappears before its answer: the approval is reversed on the terminal and the journal says so', async () => {
    h = await caisseBridge();
    h.sim.hold();
    const held = once(h.sim, 'held');
    const c = await register(h.port, sale('1250'));
    await held;
    c.socket.destroy();
    await until(() => h!.service.bridge.last(WHO) !== undefined);
    const ref = h.service.bridge.last(WHO)!.ref;
    // The bridge has seen the hang-up before the terminal approves.
    await until(() => h!.service.listeners[0]!.connections?.list().length === 0);
    h.sim.release();
    await until(() => h!.sim.ledger().some((e) => e.reference === ref && e.state === 'cancelled'));
    expect(h.sim.netCharges(ref)).toBe(0);
    // The terminal's ledger changes before the journal records that the reversal was done.
    await until(() => h!.service.bridge.status(WHO, ref)?.message.startsWith('Reversed on the terminal') === true);
    const view = h.service.bridge.status(WHO, ref)!;
    const record = h.service.journal.list({ register: 'pos/01' })[0]!;
    const events = h.service.journal.events(record.id);
    expect(view, JSON.stringify(events)).toMatchObject({
      outcome: 'cancelled',
      delivered: false,
      message: expect.stringMatching(/^Reversed on the terminal: the register rejected the result/),
    });
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['rejected_by_register', 'settle_decision', 'settled']),
    );
  });

  it('a resend while the first runs gets the busy answer at once and charges nothing more', async () => {
    h = await caisseBridge();
    h.sim.hold();
    const held = once(h.sim, 'held');
    const first = await register(h.port, sale('1250'));
    await held;
    // The same request again, on a new connection (the register gave up waiting and sent it again).
    const busy = `${sale('1250')}AE00201AF00207`;
    expect(await ask(h.port, sale('1250'))).toBe(busy);
    // …and pipelined on the first connection: busy at once as well; the first request still gets its own answer.
    first.socket.write(sale('1250'));
    expect(await first.first).toBe(busy);
    h.sim.release();
    const all = await first.all;
    expect(all.startsWith(busy)).toBe(true);
    expect(tags(all.slice(busy.length)).get('AE')).toBe('10');
    await settled(h);
    const payments = h.service.journal.list({ register: 'pos/01' });
    expect(payments).toHaveLength(1);
    expect(h.sim.netCharges(payments[0]!.ref)).toBe(1);
    expect(h.sim.ledger().filter((e) => e.kind === 'sale')).toHaveLength(1);
  });

  it('a garbage frame is answered AE 01 AF 09 and closed; the next request is served', async () => {
    h = await caisseBridge();
    expect(await ask(h.port, 'HELLO TERMINAL\r\n')).toBe('CZ0040300AE00201AF00209');
    expect(await ask(h.port, `${ECHO}CD0010CB0x1250`)).toBe(`${ECHO}CD0010AE00201AF00209`);
    expect(tags(await ask(h.port, sale('1250'))).get('AE')).toBe('10');
  });

  it('with closeAfterAnswer off, a good request, a garbage frame and a good one on one connection are answered in turn', async () => {
    h = await caisseBridge({ closeAfterAnswer: false });
    const c = await register(h.port, sale('1250'));
    const next = (): Promise<string> =>
      new Promise<string>((resolve) => c.socket.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
    expect(tags(await c.first).get('AE')).toBe('10');
    let answer = next();
    c.socket.write('XXXXX');
    expect(await answer).toBe('CZ0040300AE00201AF00209');
    answer = next();
    c.socket.write(sale('2500'));
    expect(tags(await answer).get('AE')).toBe('10');
    expect(h.service.journal.list({ register: 'pos/01' })).toHaveLength(2);
  });

  it('with closeAfterAnswer off, a connection that does not start as Caisse-AP is answered AF 09 and closed', async () => {
    h = await caisseBridge({ closeAfterAnswer: false });
    const c = await register(h.port, 'XXXXX');
    expect(await c.first).toBe('CZ0040300AE00201AF00209');
    await c.ended;
  });

  it('an incomplete request is answered AE 01 AF 09 after incompleteMs', async () => {
    h = await caisseBridge({ incompleteMs: 200 });
    expect(await ask(h.port, 'CZ0040300CJ012012345678901CA002')).toBe('CZ0040300CJ012012345678901AE00201AF00209');
  });

  it('an HTTP request line on the port closes the connection; nothing is charged', async () => {
    h = await caisseBridge();
    const c = await register(
      h.port,
      'POST /pay HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 62\r\n\r\n' + sale('1250'),
    );
    await c.ended;
    expect(h.service.journal.list({})).toHaveLength(0);
    expect(h.sim.ledger()).toHaveLength(0);
  });

  it('immediate mode (BA=1): AE 11 at once, then CD=T gives busy while it runs and the stored final answer after', async () => {
    h = await caisseBridge();
    h.sim.hold();
    const request = sale('1250').replace('BA0010', 'BA0011');
    const held = once(h.sim, 'held');
    expect(await ask(h.port, request)).toBe(`${request}AE00211`);
    await held;
    const status = `${ECHO.replace('BA0010', '')}CD001T`;
    expect(await ask(h.port, status)).toBe(`${status}AE00201AF00207`);
    h.sim.release();
    await settled(h);
    await until(() => h!.service.bridge.last(WHO)?.outcome === 'approved');
    await until(() => h!.service.bridge.last(WHO)?.delivered === true);
    const final = await ask(h.port, status);
    expect(final.startsWith(`${request}AE00210AF00201`)).toBe(true);
    expect(h.sim.netCharges(h.service.bridge.last(WHO)!.ref)).toBe(1);
  });

  it('identification (CD=I) and the void of the last sale (CD=2, same amount only)', async () => {
    h = await caisseBridge();
    const ping = `${ECHO}CD001I`;
    expect(await ask(h.port, ping)).toBe(`${ping}AE00210`);
    await ask(h.port, sale('2000'));
    await settled(h);
    const ref = h.service.bridge.last(WHO)!.ref;
    const wrong = 'CZ0040320CJ012012345678901CA00201CB0041250CD0012CE003978';
    expect(await ask(h.port, wrong)).toBe(`${wrong}AE00201AF00207`);
    const right = wrong.replace('CB0041250', 'CB0042000');
    expect((await ask(h.port, right)).startsWith(`${right}AE00210`)).toBe(true);
    await until(() => h!.service.bridge.status(WHO, ref)?.reversed === true);
    expect(h.sim.netCharges(ref)).toBe(0);
  });

  it('a currency the terminal does not take → AF 13; a cheque → AF 10; nothing reaches the terminal', async () => {
    h = await caisseBridge();
    const xpf = sale('1000').replace('CE003978', 'CE003953');
    expect(await ask(h.port, xpf)).toBe(`${xpf}AE00201AF00213`);
    expect(await ask(h.port, sale('1250', 'CC00300C'))).toBe(`${sale('1250')}AE00201AF00210`);
    expect(h.sim.ledger()).toHaveLength(0);
  });
});

describe('Caisse-AP payments on the status page and in the end-of-day report', () => {
  const stack = statusStacks();

  it('the approved sale is on the dashboard, in the journal and in the day report; the terminal ledger matches', async () => {
    const { sim, service, base } = await stack((simPort, dir) => ({
      dataDir: dir,
      listeners: [
        {
          id: 'caisse',
          protocol: 'caisse-ap',
          transport: { type: 'tcp', host: '127.0.0.1', port: 0 },
          options: { quietMs: 50 },
        },
      ],
      terminals: [
        { id: 'lane1', driver: 'ipp', transport: { type: 'tcp', host: '127.0.0.1', port: simPort }, currency: 'EUR' },
      ],
      businessDay: { timeZone: 'UTC', cutoffHour: (new Date().getUTCHours() + 12) % 24 },
    }));
    const port = service.listeners[0]!.port!;
    const c = await register(port, sale('1250'));
    expect(tags(await c.first).get('AE')).toBe('10');
    const declined = await register(port, sale('1051'));
    expect(tags(await declined.first).get('AF')).toBe('04');
    while (sim.openTransaction() !== undefined) await once(sim, 'ledger');

    const state = (await (await fetch(`${base}/api/state`)).json()) as StateView;
    expect(state.listeners).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'caisse', protocol: 'caisse-ap' })]),
    );
    const approved = state.recent.find((p: PaymentView) => p.outcome === 'approved')!;
    expect(approved).toMatchObject({
      register: 'caisse/01',
      ref: 'CA01-000001',
      kind: 'sale',
      amount: { minor: 1250, currency: 'EUR' },
    });

    const journal = (await (await fetch(`${base}/api/journal?register=caisse/01`)).json()) as
      { items?: PaymentView[] } | PaymentView[];
    const items = Array.isArray(journal) ? journal : (journal.items ?? []);
    expect(items.map((p) => p.ref).sort()).toEqual(['CA01-000001', 'CA01-000002']);

    const day = (await (await fetch(`${base}/api/reports`)).json()) as DayReportsView;
    expect(day.totals.currencies).toEqual([expect.objectContaining({ currency: 'EUR', net: 1250 })]);
    expect(day.totals.counts).toMatchObject({ approved: 1, declined: 1 });
    const closed = await fetch(`${base}/api/reports/end-of-day`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
    });
    expect(closed.status).toBe(200);
    const eod = (await closed.json()) as EndOfDayReport;
    expect(eod.businessDay).toBe(day.totals.businessDay);

    // The simulated terminal took exactly what the journal and the report say.
    const taken = sim.ledger().filter((e) => e.kind === 'sale' && (e.state === 'completed' || e.state === 'open'));
    expect(taken.map((e) => [e.reference, e.amountMinor])).toEqual([['CA01-000001', 1250]]);
  });
});
