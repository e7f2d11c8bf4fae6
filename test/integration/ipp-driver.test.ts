/**
 * IppDriver over real loopback TCP against a scripted fake terminal (a net.Server written here, answering with
 * frames each test scripts). Read beside mypos-ipp.md §4 (transmission), §5/§6 (stages, statuses), §8 (two-phase
 * completion, recovery), §11 (Slave mode). No sleeps: tests wait on events; timers are injected short where a
 * timeout is the point of the test.
 */
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { IppDriver } from '../../src/terminal/ipp/driver';
import { encodeIpp, IppReader, IppMessage } from '../../src/terminal/ipp/codec';
import type { IppDriverOptions, Scheduler } from '../../src/terminal/ipp/options';
import type { DriverContext, TerminalCommand } from '../../src/terminal/driver';
import type { Stage } from '../../src/domain/vocabulary';
import { money } from '../../src/domain/money';
import { silentLogger } from '../../src/log/logger';

type Pairs = Array<[string, string]>;

// ---------------------------------------------------------------------------------------------------------------
// The fake terminal

class FakeConn {
  /** Resolves when the client closed its side (or the socket closed). */
  readonly clientEnded: Promise<void>;
  private endedByClient = false;

  constructor(readonly socket: net.Socket) {
    this.clientEnded = new Promise((resolve) => {
      socket.once('end', () => {
        this.endedByClient = true;
        resolve();
      });
      socket.once('close', () => resolve());
    });
  }

  get closedByClient(): boolean {
    return this.endedByClient;
  }

  /** Writes frames in one TCP write (coalesced). */
  send(...frames: Buffer[]): void {
    if (!this.socket.destroyed) this.socket.write(Buffer.concat(frames));
  }

  /** Writes frames in small pieces, each write flushed before the next (split across reads). */
  async sendSplit(frames: Buffer[], piece = 3): Promise<void> {
    const all = Buffer.concat(frames);
    for (let i = 0; i < all.length; i += piece) {
      await new Promise<void>((resolve) => this.socket.write(all.subarray(i, i + piece), () => resolve()));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

type Script = (req: IppMessage, conn: FakeConn) => void | Promise<void>;

/** Builds an answer echoing the request: PROTOCOL, METHOD, SID, STAGE, STATUS, then extras. */
function answer(req: IppMessage, stage: number, status: number, extra: Pairs = []): Buffer {
  return encodeIpp([
    ['PROTOCOL', 'IPP'],
    ['METHOD', req.method ?? ''],
    ['SID', req.sid ?? ''],
    ['STAGE', String(stage)],
    ['STATUS', String(status)],
    ...extra,
  ]);
}

class FakeTerminal {
  readonly server = net.createServer((socket) => this.accept(socket));
  readonly requests: IppMessage[] = [];
  readonly conns: FakeConn[] = [];
  connections = 0;
  private waiters: Array<{ n: number; resolve: (m: IppMessage) => void }> = [];
  private connWaiters: Array<{ n: number; resolve: () => void }> = [];

  constructor(public script: Script) {}

  async listen(): Promise<number> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return (this.server.address() as net.AddressInfo).port;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Resolves with the n-th request (1-based) once it arrived. */
  request(n: number): Promise<IppMessage> {
    const have = this.requests[n - 1];
    if (have) return Promise.resolve(have);
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  /** Resolves once n connections were accepted. */
  connection(n: number): Promise<void> {
    if (this.connections >= n) return Promise.resolve();
    return new Promise((resolve) => this.connWaiters.push({ n, resolve }));
  }

  methods(): string[] {
    return this.requests.map((r) => r.method ?? '?');
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const conn = new FakeConn(socket);
    this.conns.push(conn);
    this.connections++;
    socket.on('error', () => undefined);
    for (const w of this.connWaiters.filter((w) => this.connections >= w.n)) w.resolve();
    this.connWaiters = this.connWaiters.filter((w) => this.connections < w.n);
    const reader = new IppReader();
    socket.on('data', (chunk) => {
      for (const item of reader.push(chunk)) {
        if (!(item instanceof IppMessage)) throw new Error(`client sent an undecodable frame: ${item.message}`);
        this.requests.push(item);
        for (const w of this.waiters.filter((w) => w.n === this.requests.length)) w.resolve(item);
        this.waiters = this.waiters.filter((w) => w.n !== this.requests.length);
        void this.script(item, conn);
      }
    });
  }
}

/** Answers every request STAGE=1 STATUS=0 then STAGE=5 STATUS=0 in one write. */
const approveAll: Script = (req, conn) => conn.send(answer(req, 1, 0), answer(req, 5, 0));

// ---------------------------------------------------------------------------------------------------------------
// Helpers

let terminals: FakeTerminal[] = [];
let drivers: IppDriver[] = [];

afterEach(async () => {
  await Promise.all(drivers.map((d) => d.close()));
  await Promise.all(terminals.map((t) => t.close()));
  terminals = [];
  drivers = [];
});

async function terminal(script: Script = approveAll): Promise<FakeTerminal> {
  const t = new FakeTerminal(script);
  await t.listen();
  terminals.push(t);
  return t;
}

function counter(prefix: string): () => string {
  let i = 0;
  return () => `${prefix}-${++i}`;
}

function driverFor(port: number, options: Partial<IppDriverOptions> = {}): IppDriver {
  const d = new IppDriver({
    host: '127.0.0.1',
    port,
    currency: 'EUR',
    sid: counter('sid'),
    logger: silentLogger(),
    ...options,
  });
  drivers.push(d);
  return d;
}

interface TestCtx extends DriverContext {
  readonly stages: Array<{ stage: Stage; message?: string }>;
  readonly sent: string[];
  readonly controller: AbortController;
  /** Resolves when the given stage was reported. */
  reached(stage: Stage): Promise<void>;
}

function context(beforeSend?: (sid: string) => Promise<void> | void): TestCtx {
  const controller = new AbortController();
  const stages: Array<{ stage: Stage; message?: string }> = [];
  const sent: string[] = [];
  const waiters: Array<{ stage: Stage; resolve: () => void }> = [];
  return {
    controller,
    signal: controller.signal,
    stages,
    sent,
    stage(stage, message) {
      stages.push(message === undefined ? { stage } : { stage, message });
      for (const w of waiters.filter((w) => w.stage === stage)) w.resolve();
    },
    async beforeSend(sid) {
      sent.push(sid);
      await beforeSend?.(sid);
    },
    reached(stage) {
      if (stages.some((s) => s.stage === stage)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ stage, resolve }));
    },
  };
}

const sale: TerminalCommand = { kind: 'sale', amount: money(1234, 'EUR'), reference: 'INV-1001' };

const APPROVED_FIELDS: Pairs = [
  ['AMOUNT', '12.34'],
  ['CURRENCY', '978'],
  ['APPROVAL', '00'],
  ['AUTH_CODE', 'A1B2C3'],
  ['RRN', '512345678901'],
  ['STAN', '000123'],
  ['TERMINAL_ID', '80123457'],
  ['PAN_MASKED', '541333******1234'],
  ['AID', 'A0000000041010'],
  ['APPL_PREF_NAME', 'Mastercard'],
  ['REFERENCE_NUMBER', 'INV-1001'],
];

// ---------------------------------------------------------------------------------------------------------------

describe('IPP driver over TCP: outcomes (§4, §5, §6)', () => {
  it('approved purchase with stages, answers coalesced: fields mapped, open until settled, client closes', async () => {
    const t = await terminal((req, conn) =>
      conn.send(
        answer(req, 1, 0, [['TIMEOUT', '60']]),
        answer(req, 2, 0, [['TIMEOUT', '60']]),
        answer(req, 3, 0),
        answer(req, 5, 0, APPROVED_FIELDS),
      ),
    );
    const c = context(async (sid) => {
      // beforeSend is awaited before the first byte: the terminal has seen nothing yet.
      expect(t.requests).toHaveLength(0);
      expect(sid).toBe('sid-1');
    });
    const r = await driverFor(t.port).execute(sale, c);
    expect(r.outcome).toBe('approved');
    expect(r.needsSettlement).toBe(true);
    expect(r.driverRef).toBe('sid-1');
    expect(r.fields).toMatchObject({
      authCode: 'A1B2C3',
      rrn: '512345678901',
      stan: '000123',
      terminalId: '80123457',
      hostCode: '00',
      panMasked: '541333******1234',
      cardScheme: 'MASTERCARD',
      applicationLabel: 'Mastercard',
      processedAmount: money(1234, 'EUR'),
    });
    expect(c.sent).toEqual(['sid-1']);
    expect(c.stages.map((s) => s.stage)).toEqual(['connecting', 'sent', 'accepted', 'present_card', 'pin_entry']);
    // §4 step 5: the caller closes the TCP connection.
    await t.conns[0]!.clientEnded;
    expect(t.conns[0]!.closedByClient).toBe(true);
  });

  it('reads answers split into 3-byte writes', async () => {
    const t = await terminal((req, conn) =>
      conn.sendSplit([answer(req, 1, 0), answer(req, 2, 0), answer(req, 5, 0, APPROVED_FIELDS)]),
    );
    const r = await driverFor(t.port).execute(sale, context());
    expect(r.outcome).toBe('approved');
    expect(r.fields.authCode).toBe('A1B2C3');
  });

  it('decline with APPROVAL 51 → declined with host code and reason', async () => {
    const t = await terminal((req, conn) =>
      conn.send(
        answer(req, 1, 0),
        answer(req, 5, 14, [
          ['APPROVAL', '51'],
          ['DECLINED_REASON1', 'INSUFFICIENT FUNDS'],
        ]),
      ),
    );
    const r = await driverFor(t.port).execute(sale, context());
    expect(r.outcome).toBe('declined');
    expect(r.fields.hostCode).toBe('51');
    expect(r.fields.declineReason).toBe('INSUFFICIENT FUNDS');
    expect(r.needsSettlement).toBeUndefined();
  });

  it('user cancel on the terminal (13) → cancelled', async () => {
    const t = await terminal((req, conn) => conn.send(answer(req, 1, 0), answer(req, 2, 0), answer(req, 5, 13)));
    const r = await driverFor(t.port).execute(sale, context());
    expect(r.outcome).toBe('cancelled');
    expect(r.cancelTookEffect).toBeUndefined();
  });

  it('an informational status with a stage is progress, not an outcome (§5: 9 INVALID PIN)', async () => {
    const t = await terminal((req, conn) =>
      conn.send(answer(req, 1, 0), answer(req, 3, 9, [['TRIES_LEFT', '2']]), answer(req, 3, 0), answer(req, 5, 0)),
    );
    const c = context();
    const r = await driverFor(t.port).execute(sale, c);
    expect(r.outcome).toBe('approved');
    expect(c.stages).toContainEqual({ stage: 'pin_entry', message: expect.stringMatching(/wrong PIN/i) });
  });

  it('BUSY at stage 1 → refused terminal_busy (retryable), nothing re-sent', async () => {
    const t = await terminal((req, conn) => conn.send(answer(req, 1, 1)));
    const r = await driverFor(t.port).execute(sale, context());
    expect(r.outcome).toBe('failed');
    expect(r.refused).toEqual({ code: 'terminal_busy', status: '1', retryable: true });
    expect(t.requests).toHaveLength(1);
  });

  it('status 20 at stage 1 → refused not_completed_last_tx', async () => {
    const t = await terminal((req, conn) => conn.send(answer(req, 1, 20)));
    const r = await driverFor(t.port).execute(sale, context());
    expect(r.outcome).toBe('failed');
    expect(r.refused?.code).toBe('not_completed_last_tx');
  });

  it('status 26 at stage 1 → terminal_error with a plain message', async () => {
    const t = await terminal((req, conn) => conn.send(answer(req, 1, 26)));
    const r = await driverFor(t.port).execute(sale, context());
    expect(r.refused).toEqual({ code: 'terminal_error', status: '26', retryable: false });
    expect(r.message).toMatch(/update/i);
  });

  it('status 38 → one retry with VERSION=202 and a fresh SID; the working version is kept', async () => {
    const t = await terminal((req, conn) => {
      if (req.get('VERSION') === '200') conn.send(answer(req, 1, 38));
      else conn.send(answer(req, 1, 0), answer(req, 5, 0));
    });
    const d = driverFor(t.port);
    const c = context();
    const r = await d.execute(sale, c);
    expect(r.outcome).toBe('approved');
    expect(t.requests.map((q) => [q.get('VERSION'), q.sid])).toEqual([
      ['200', 'sid-1'],
      ['202', 'sid-2'],
    ]);
    expect(c.sent).toEqual(['sid-1', 'sid-2']);
    expect(r.driverRef).toBe('sid-2');
    expect(d.protocolVersion).toBe('202');
    await d.settle('sid-2', 'complete');
    expect(t.requests[2]?.get('VERSION')).toBe('202');
  });

  it('status 38 twice → refused terminal_error, no third attempt', async () => {
    const t = await terminal((req, conn) => conn.send(answer(req, 1, 38)));
    const r = await driverFor(t.port).execute(sale, context());
    expect(r.refused?.code).toBe('terminal_error');
    expect(t.requests).toHaveLength(2);
  });

  it('STAGE=4 (Slave mode) → failed, telling the operator to switch to Cash Register', async () => {
    const t = await terminal((req, conn) =>
      conn.send(
        answer(req, 1, 0),
        answer(req, 4, 32, [
          ['IP', 'pos1.mypos.com'],
          ['PORT', '3012'],
        ]),
      ),
    );
    const r = await driverFor(t.port).execute(sale, context());
    expect(r.outcome).toBe('failed');
    expect(r.message).toMatch(/Cash Register/);
    expect(r.refused?.code).toBe('config_invalid');
  });

  it('ignores messages with a foreign SID or METHOD and undecodable frames', async () => {
    const t = await terminal((req, conn) => {
      const foreign = encodeIpp([
        ['PROTOCOL', 'IPP'],
        ['METHOD', 'PURCHASE'],
        ['SID', 'someone-else'],
        ['STAGE', '5'],
        ['STATUS', '0'],
      ]);
      const init = encodeIpp([
        ['PROTOCOL', 'IPP'],
        ['METHOD', 'INIT'],
        ['STAGE', '1'],
        ['STATUS', '0'],
      ]);
      const garbage = Buffer.concat([Buffer.from([0x00, 0x0a]), Buffer.from('JUNK=1\r\n')]);
      conn.send(answer(req, 1, 0), foreign, init, garbage, answer(req, 5, 13));
    });
    const r = await driverFor(t.port).execute(sale, context());
    expect(r.outcome).toBe('cancelled');
    expect(r.raw?.SID).toBe('sid-1');
  });

  it('never puts card data in raw: PAN, EXPIRE_DATE, EMBOSS_NAME, track data are dropped', async () => {
    const PAN = '5413330089020011';
    const t = await terminal((req, conn) =>
      conn.send(
        answer(req, 1, 0),
        answer(req, 5, 0, [
          ['PAN', PAN],
          ['EXPIRE_DATE', '2612'],
          ['EMBOSS_NAME', 'JANE DOE'],
          ['TRACK2', `${PAN}=26121010000000000`],
          ['PAN_MASKED', PAN],
          ['AUTH_CODE', 'OK1234'],
          ['X_UNKNOWN', 'kept'],
        ]),
      ),
    );
    const r = await driverFor(t.port).execute(sale, context());
    expect(r.outcome).toBe('approved');
    expect(r.raw).toMatchObject({ AUTH_CODE: 'OK1234', X_UNKNOWN: 'kept', PAN_MASKED: '****0011' });
    for (const name of ['PAN', 'EXPIRE_DATE', 'EMBOSS_NAME', 'TRACK2']) expect(r.raw).not.toHaveProperty(name);
    const everything = JSON.stringify(r);
    expect(everything).not.toContain(PAN);
    expect(everything).not.toContain('2612');
    expect(everything).not.toContain('JANE DOE');
    expect(r.fields.panMasked).toBe('****0011');
  });
});

describe('IPP driver over TCP: lost answers and timers (§4, §12)', () => {
  it('honours the announced TIMEOUT (+grace) instead of the default', async () => {
    const t = await terminal((req, conn) => conn.send(answer(req, 1, 0, [['TIMEOUT', '0']])));
    const d = driverFor(t.port, { graceMs: 20, defaultStageTimeoutMs: 10 * 60_000 });
    const r = await d.execute(sale, context());
    expect(r.outcome).toBe('in_doubt');
    expect(r.driverRef).toBe('sid-1');
    expect(t.requests).toHaveLength(1);
  });

  it('waits firstAnswerMs for stage 1, then TIMEOUT×1000 + grace, else the default', async () => {
    const waits: number[] = [];
    const schedule: Scheduler = (ms, fn) => {
      waits.push(ms);
      const timer = setTimeout(fn, ms);
      return () => clearTimeout(timer);
    };
    const t = await terminal((req, conn) =>
      conn.send(answer(req, 1, 0), answer(req, 2, 0, [['TIMEOUT', '60']]), answer(req, 3, 0), answer(req, 5, 0)),
    );
    const d = driverFor(t.port, { schedule, firstAnswerMs: 5000, graceMs: 5000, defaultStageTimeoutMs: 120_000 });
    expect((await d.execute(sale, context())).outcome).toBe('approved');
    expect(waits).toEqual([5000, 120_000, 65_000, 65_000]);
  });

  it('link dropped after STAGE=1 STATUS=0 → in_doubt with the SID; never re-sent', async () => {
    const t = await terminal((req, conn) => {
      conn.send(answer(req, 1, 0, [['TIMEOUT', '60']]));
      conn.socket.end(() => conn.destroy());
    });
    const r = await driverFor(t.port).execute(sale, context());
    expect(r.outcome).toBe('in_doubt');
    expect(r.driverRef).toBe('sid-1');
    expect(t.requests).toHaveLength(1);
  });

  it('no answer at all after the request was written → in_doubt', async () => {
    const t = await terminal(() => undefined);
    const c = context();
    const r = await driverFor(t.port, { firstAnswerMs: 30 }).execute(sale, c);
    expect(r.outcome).toBe('in_doubt');
    expect(r.driverRef).toBe('sid-1');
    expect(c.sent).toEqual(['sid-1']);
    expect(t.requests).toHaveLength(1);
  });

  it('connection refused → refused terminal_offline, nothing committed or sent', async () => {
    const t = await terminal();
    const port = t.port;
    await t.close();
    terminals = [];
    const c = context();
    const r = await driverFor(port).execute(sale, c);
    expect(r.outcome).toBe('failed');
    expect(r.refused).toEqual({ code: 'terminal_offline', status: '', retryable: true });
    expect(c.sent).toEqual([]);
  });
});

describe('IPP driver over TCP: register cancel (§4 no client abort)', () => {
  it('cancel before the request was written → cancelled, terminal untouched', async () => {
    const t = await terminal();
    const c = context();
    c.controller.abort();
    const r = await driverFor(t.port).execute(sale, c);
    expect(r).toMatchObject({ outcome: 'cancelled', cancelTookEffect: true });
    expect(t.connections).toBe(0);
  });

  it('cancel while the SID is being committed → cancelled, no request bytes written', async () => {
    const t = await terminal();
    const c = context(() => c.controller.abort());
    const r = await driverFor(t.port).execute(sale, c);
    expect(r).toMatchObject({ outcome: 'cancelled', cancelTookEffect: true });
    // The connection was opened, then closed by the driver without a request on it.
    await t.connection(1);
    await t.conns[0]!.clientEnded;
    expect(t.conns[0]!.closedByClient).toBe(true);
    expect(t.requests).toHaveLength(0);
  });

  it('cancel during the payment, terminal approves → CANCEL_TX for it at once → cancelled', async () => {
    let letItEnd!: () => void;
    const ended = new Promise<void>((resolve) => (letItEnd = resolve));
    const t = await terminal(async (req, conn) => {
      if (req.method === 'PURCHASE') {
        conn.send(answer(req, 1, 0), answer(req, 2, 0));
        await ended;
        conn.send(answer(req, 5, 0, APPROVED_FIELDS));
      } else conn.send(answer(req, 1, 0), answer(req, 5, 0));
    });
    const c = context();
    const running = driverFor(t.port).execute(sale, c);
    await c.reached('present_card');
    c.controller.abort();
    letItEnd();
    const r = await running;
    expect(r).toMatchObject({ outcome: 'cancelled', cancelTookEffect: true, driverRef: 'sid-1' });
    expect(r.needsSettlement).toBeUndefined();
    expect(t.methods()).toEqual(['PURCHASE', 'CANCEL_TX']);
    expect(t.requests[1]!.get('SID_ORIGINAL')).toBe('sid-1');
    expect(t.requests[1]!.sid).toBe('sid-2');
    expect(c.stages.map((s) => s.stage)).toContain('cancelling');
  });

  it('cancel during the payment, CANCEL_TX fails → approved and open, cancelTookEffect false', async () => {
    let letItEnd!: () => void;
    const ended = new Promise<void>((resolve) => (letItEnd = resolve));
    const t = await terminal(async (req, conn) => {
      if (req.method === 'PURCHASE') {
        conn.send(answer(req, 1, 0), answer(req, 2, 0));
        await ended;
        conn.send(answer(req, 5, 0, APPROVED_FIELDS));
      } else conn.send(answer(req, 1, 1));
    });
    const c = context();
    const running = driverFor(t.port).execute(sale, c);
    await c.reached('present_card');
    c.controller.abort();
    letItEnd();
    const r = await running;
    expect(r).toMatchObject({
      outcome: 'approved',
      needsSettlement: true,
      cancelTookEffect: false,
      driverRef: 'sid-1',
    });
    expect(t.methods()).toEqual(['PURCHASE', 'CANCEL_TX']);
  });

  it('cancel during the payment, terminal ends not approved → that outcome, cancelTookEffect true', async () => {
    let letItEnd!: () => void;
    const ended = new Promise<void>((resolve) => (letItEnd = resolve));
    const t = await terminal(async (req, conn) => {
      conn.send(answer(req, 1, 0), answer(req, 2, 0));
      await ended;
      conn.send(answer(req, 5, 13));
    });
    const c = context();
    const running = driverFor(t.port).execute(sale, c);
    await c.reached('present_card');
    c.controller.abort();
    letItEnd();
    const r = await running;
    expect(r).toMatchObject({ outcome: 'cancelled', cancelTookEffect: true });
    expect(t.methods()).toEqual(['PURCHASE']);
  });
});

describe('IPP driver over TCP: settle, lookup, health, one request at a time', () => {
  it('settle sends COMPLETE_TX with SID_ORIGINAL; status 17 → nothing open', async () => {
    const t = await terminal((req, conn) => {
      if (req.get('SID_ORIGINAL') === 'gone') conn.send(answer(req, 1, 0), answer(req, 5, 17));
      else conn.send(answer(req, 1, 0), answer(req, 5, 0));
    });
    const d = driverFor(t.port);
    expect(await d.settle('sid-x', 'complete')).toMatchObject({ ok: true });
    expect(t.requests[0]!.method).toBe('COMPLETE_TX');
    expect(t.requests[0]!.get('SID_ORIGINAL')).toBe('sid-x');
    expect(await d.settle('gone', 'cancel')).toMatchObject({ ok: false, nothingOpen: true });
  });

  const query = { kind: 'sale' as const, reference: 'INV-1001', driverRef: 'sid-orig', amount: money(1234, 'EUR') };

  it('lookup: an answer naming our SID → its outcome (approved, still open)', async () => {
    const t = await terminal((req, conn) =>
      conn.send(
        answer(req, 1, 0),
        answer(req, 5, 0, [['SID_ORIGINAL', req.get('SID_ORIGINAL') ?? ''], ...APPROVED_FIELDS]),
      ),
    );
    const r = await driverFor(t.port).lookup(query);
    expect(t.requests[0]!.method).toBe('GET_STATUS');
    expect(t.requests[0]!.get('SID_ORIGINAL')).toBe('sid-orig');
    expect(r).toMatchObject({ outcome: 'approved', needsSettlement: true, driverRef: 'sid-orig' });
    expect(r?.fields.authCode).toBe('A1B2C3');
  });

  it('lookup: matched by REFERENCE_NUMBER when no SID_ORIGINAL is echoed; a host decline counts as declined', async () => {
    const t = await terminal((req, conn) =>
      conn.send(
        answer(req, 1, 0),
        answer(req, 5, 0, [
          ['REFERENCE_NUMBER', 'INV-1001'],
          ['AMOUNT', '12.34'],
          ['APPROVAL', '51'],
        ]),
      ),
    );
    const r = await driverFor(t.port, { statusSelector: 'none' }).lookup(query);
    expect(t.requests[0]!.get('SID_ORIGINAL')).toBeUndefined();
    expect(r).toMatchObject({ outcome: 'declined' });
  });

  it('lookup: TX_STATUS read as words — completed is no longer open, cancelled was not charged', async () => {
    let txStatus = 'COMPLETED';
    const t = await terminal((req, conn) =>
      conn.send(
        answer(req, 1, 0),
        answer(req, 5, 0, [
          ['SID_ORIGINAL', 'sid-orig'],
          ['TX_STATUS', txStatus],
          ['APPROVAL', '00'],
        ]),
      ),
    );
    const d = driverFor(t.port);
    const completed = await d.lookup(query);
    expect(completed?.outcome).toBe('approved');
    expect(completed?.needsSettlement).toBeUndefined();
    txStatus = 'CANCELLED';
    expect((await d.lookup(query))?.outcome).toBe('cancelled');
    txStatus = 'OPEN';
    expect(await d.lookup(query)).toMatchObject({ outcome: 'approved', needsSettlement: true });
  });

  it('status 100 → approved, then GET_STATUS for the extra information, merged when it names our payment', async () => {
    const t = await terminal((req, conn) => {
      if (req.method === 'PURCHASE')
        conn.send(
          answer(req, 1, 0),
          answer(req, 5, 100, [
            ['AMOUNT', '12.34'],
            ['CURRENCY', '978'],
          ]),
        );
      else
        conn.send(
          answer(req, 1, 0),
          answer(req, 5, 0, [
            ['SID_ORIGINAL', req.get('SID_ORIGINAL') ?? ''],
            ['AUTH_CODE', 'INFO01'],
            ['RRN', '999'],
          ]),
        );
    });
    const r = await driverFor(t.port).execute(sale, context());
    expect(t.methods()).toEqual(['PURCHASE', 'GET_STATUS']);
    expect(t.requests[1]!.get('SID_ORIGINAL')).toBe('sid-1');
    expect(r).toMatchObject({ outcome: 'approved', needsSettlement: true, driverRef: 'sid-1' });
    expect(r.fields).toMatchObject({ authCode: 'INFO01', rrn: '999', terminalStatus: '100' });
    expect(r.raw).toMatchObject({ METHOD: 'PURCHASE', STATUS: '100', AUTH_CODE: 'INFO01' });
  });

  it('lookup: status 17 → failed, nothing was charged', async () => {
    const t = await terminal((req, conn) => conn.send(answer(req, 1, 0), answer(req, 5, 17)));
    const r = await driverFor(t.port).lookup(query);
    expect(r).toMatchObject({ outcome: 'failed' });
    expect(r?.message).toMatch(/nothing was charged/);
  });

  it('lookup: another transaction, or no answer → undefined (still in doubt)', async () => {
    const other = await terminal((req, conn) =>
      conn.send(
        answer(req, 1, 0),
        answer(req, 5, 0, [
          ['SID_ORIGINAL', 'another'],
          ['REFERENCE_NUMBER', 'INV-1001'],
        ]),
      ),
    );
    expect(await driverFor(other.port).lookup(query)).toBeUndefined();
    const otherRef = await terminal((req, conn) =>
      conn.send(answer(req, 1, 0), answer(req, 5, 0, [['REFERENCE_NUMBER', 'INV-0999']])),
    );
    expect(await driverFor(otherRef.port).lookup(query)).toBeUndefined();
    const sameRefOtherAmount = await terminal((req, conn) =>
      conn.send(
        answer(req, 1, 0),
        answer(req, 5, 0, [
          ['REFERENCE_NUMBER', 'INV-1001'],
          ['AMOUNT', '99.00'],
        ]),
      ),
    );
    expect(await driverFor(sameRefOtherAmount.port).lookup(query)).toBeUndefined();
    const silent = await terminal(() => undefined);
    expect(await driverFor(silent.port, { firstAnswerMs: 30 }).lookup(query)).toBeUndefined();
  });

  it('health: PING then GET_STATUS; reads terminal id, software version and currency', async () => {
    const t = await terminal((req, conn) => {
      if (req.method === 'PING') conn.send(answer(req, 1, 0), answer(req, 5, 0));
      else
        conn.send(
          answer(req, 1, 0),
          answer(req, 5, 0, [
            ['TERMINAL_ID', '80123457'],
            ['SN', 'SN42'],
            ['SOFTWARE_VERSION', '1.2.3'],
            ['CURRENCY_NAME', 'EUR'],
          ]),
        );
    });
    const h = await driverFor(t.port).health();
    expect(t.methods()).toEqual(['PING', 'GET_STATUS']);
    expect(h).toMatchObject({ online: true, terminalId: '80123457', softwareVersion: '1.2.3', currency: 'EUR' });
    expect(h.message).toContain('SN42');
  });

  it('health tolerates a failing PING when GET_STATUS answers, and reports an unreachable terminal', async () => {
    const t = await terminal((req, conn) => {
      if (req.method === 'PING') conn.send(answer(req, 1, 4));
      else conn.send(answer(req, 1, 0), answer(req, 5, 0, [['TERMINAL_ID', 'T1']]));
    });
    expect(await driverFor(t.port).health()).toMatchObject({ online: true, terminalId: 'T1' });
    const port = t.port;
    await t.close();
    terminals = [];
    expect((await driverFor(port).health()).online).toBe(false);
  });

  it('runs one request at a time per driver', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const t = await terminal(async (req, conn) => {
      order.push(`request ${req.sid}`);
      conn.send(answer(req, 1, 0));
      if (req.sid === 'sid-1') await gate;
      order.push(`final ${req.sid}`);
      conn.send(answer(req, 5, 0));
    });
    const d = driverFor(t.port);
    const first = d.execute(sale, context());
    await t.request(1);
    const second = d.execute({ ...sale, reference: 'INV-1002' }, context());
    // While a payment runs, health answers from what it knows instead of talking to the terminal.
    const health = await d.health();
    expect(health.message).toMatch(/busy/i);
    expect(t.methods()).toEqual(['PURCHASE']);
    release();
    const [a, b] = await Promise.all([first, second]);
    expect([a.outcome, b.outcome]).toEqual(['approved', 'approved']);
    expect(order).toEqual(['request sid-1', 'final sid-1', 'request sid-2', 'final sid-2']);
  });
});
