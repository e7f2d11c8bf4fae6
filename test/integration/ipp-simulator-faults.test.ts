/**
 * Magic amounts, the single-threaded rule (§4), malformed requests, the fault switches and serving a non-TCP byte
 * stream — all over real loopback TCP with raw IPP frames. Nothing here sleeps: tests wait for the simulator's
 * events or for answers on the wire.
 */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IppSimulator, GARBAGE_FRAME, type IppLedgerEntry } from '../../src/terminal/simulator/ipp-simulator';
import { IppDecodeError, IppMessage, IppReader } from '../../src/terminal/ipp/codec';
import type { ByteStream } from '../../src/transport/byte-stream';
import { exchangeOnce, ippRequest, IppTestClient, last, rawFrame, stages, waitForEvent } from './ipp-simulator-client';

const EUR = '978';
const sale = (amount: string, reference = `R-${amount}`): Array<[string, string]> => [
  ['AMOUNT', amount],
  ['CURRENCY', EUR],
  ['REFERENCE_NUMBER_TYPE', '2'],
  ['REFERENCE_NUMBER', reference],
];

let sim: IppSimulator;
let port: number;

async function fresh(options: ConstructorParameters<typeof IppSimulator>[0] = {}): Promise<void> {
  await sim?.close();
  sim = new IppSimulator({ fast: true, ...options });
  port = await sim.listen();
}

beforeEach(async () => {
  sim = new IppSimulator({ fast: true });
  port = await sim.listen();
});

afterEach(async () => {
  await sim.close();
});

describe('magic amounts', () => {
  const cases: Array<{
    amount: string;
    stages: Array<[number, number]>;
    approval?: string;
    state: IppLedgerEntry['state'];
  }> = [
    {
      amount: '10.51',
      stages: [
        [1, 0],
        [2, 0],
        [5, 14],
      ],
      approval: '51',
      state: 'declined',
    },
    {
      amount: '10.55',
      stages: [
        [1, 0],
        [2, 0],
        [3, 0],
        [3, 9],
        [3, 9],
        [5, 10],
      ],
      approval: '55',
      state: 'declined',
    },
    {
      amount: '10.13',
      stages: [
        [1, 0],
        [2, 0],
        [5, 13],
      ],
      state: 'aborted',
    },
    {
      amount: '10.05',
      stages: [
        [1, 0],
        [2, 0],
        [5, 5],
      ],
      state: 'aborted',
    },
    {
      amount: '10.91',
      stages: [
        [1, 0],
        [2, 0],
        [5, 15],
      ],
      approval: '91',
      state: 'failed',
    },
  ];
  for (const c of cases) {
    it(`…${c.amount.slice(-2)}: ends with status ${c.stages.at(-1)![1]}, nothing charged, nothing left open`, async () => {
      const answers = await exchangeOnce(port, 'PURCHASE', `m-${c.amount}`, sale(c.amount));
      expect(stages(answers)).toEqual(c.stages);
      const final = last(answers);
      expect(final.get('APPROVAL')).toBe(c.approval);
      expect(final.get('AMOUNT')).toBe(c.amount);
      expect(final.get('DECLINED_REASON1')).toBeTruthy();
      expect(final.get('AUTH_CODE')).toBeUndefined();
      expect(sim.ledger()).toEqual([
        expect.objectContaining({ sid: `m-${c.amount}`, state: c.state, status: c.stages[c.stages.length - 1]![1] }),
      ]);
      expect(sim.netCharges(`R-${c.amount}`)).toBe(0);
      expect(sim.openTransaction()).toBeUndefined();
      // The terminal is free and nothing is open: the next purchase is accepted.
      expect(last(await exchangeOnce(port, 'PURCHASE', 'after', sale('1.00'))).status).toBe(0);
    });
  }

  it('…51 carries the decline text; …55 counts down TRIES_LEFT', async () => {
    expect(last(await exchangeOnce(port, 'PURCHASE', 'd51', sale('0.51'))).get('DECLINED_REASON1')).toBe(
      'INSUFFICIENT FUNDS',
    );
    const pin = await exchangeOnce(port, 'PURCHASE', 'd55', sale('0.55'));
    expect(pin.filter((m) => m.stage === 3 && m.status === 9).map((m) => m.get('TRIES_LEFT'))).toEqual(['2', '1']);
  });

  it('magic amounts apply to REFUND too', async () => {
    expect(stages(await exchangeOnce(port, 'REFUND', 'rf', sale('3.13')))).toEqual([
      [1, 0],
      [2, 0],
      [5, 13],
    ]);
    expect(sim.netRefunds('R-3.13')).toBe(0);
  });

  it('…77 approves with every stage spaced by slowStageMs (normal amounts use stageDelayMs)', async () => {
    const asked: number[] = [];
    await fresh({ stageDelayMs: 5, slowStageMs: 1234, delay: async (ms) => void asked.push(ms) });
    const slow = await exchangeOnce(port, 'PURCHASE', 's77', sale('60.77'));
    expect(stages(slow)).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
      [5, 0],
    ]);
    expect(asked.length).toBeGreaterThanOrEqual(3);
    expect(new Set(asked)).toEqual(new Set([1234]));
    await exchangeOnce(port, 'COMPLETE_TX', 's77c', [['SID_ORIGINAL', 's77']]);
    asked.length = 0;
    await exchangeOnce(port, 'PURCHASE', 's00', sale('60.00'));
    expect(asked.length).toBeGreaterThanOrEqual(3);
    expect(new Set(asked)).toEqual(new Set([5]));
  });

  it('…99 never answers after stage 2: the terminal stays busy, the link stays open, until the client goes', async () => {
    const c = await IppTestClient.connect(port);
    const held = waitForEvent<{ stage: number; sid: string }>(sim, 'stage', (e) => e.sid === 's99' && e.stage === 2);
    c.request('PURCHASE', 's99', sale('10.99'));
    await held;
    expect(stages([await c.nextMessage(), await c.nextMessage()])).toEqual([
      [1, 0],
      [2, 0],
    ]);
    // Still in the transaction: another client gets BUSY.
    expect(stages(await exchangeOnce(port, 'PING', 'other'))).toEqual([[1, 1]]);
    expect(c.closed).toBe(false);
    expect(sim.busy).toBe(true);

    const ended = waitForEvent<IppLedgerEntry>(sim, 'ledger', (e) => e.sid === 's99');
    await c.close();
    expect(await ended).toMatchObject({ state: 'aborted', status: 5, amountMinor: 1099 });
    expect(c.received).toHaveLength(2);
    expect(sim.netCharges('R-10.99')).toBe(0);
    expect(stages(await exchangeOnce(port, 'PING', 'free'))).toEqual([
      [1, 0],
      [5, 0],
    ]);
    expect(last(await exchangeOnce(port, 'GET_STATUS', 'gs', [['SID_ORIGINAL', 's99']])).status).toBe(5);
  });

  it('…99 ends (silently) after the terminal’s own timeout when the link stays open', async () => {
    await fresh({ silentTimeoutMs: 20 });
    const c = await IppTestClient.connect(port);
    const ended = waitForEvent<IppLedgerEntry>(sim, 'ledger', (e) => e.sid === 't99');
    c.request('PURCHASE', 't99', sale('1.99'));
    expect((await ended).state).toBe('aborted');
    // Same link, next request: its answers follow stages 1 and 2 directly — no stage 5 was ever sent.
    c.request('PING', 'after');
    const seen: IppMessage[] = [];
    for (let i = 0; i < 4; i++) seen.push(await c.nextMessage());
    expect(seen.map((m) => [m.sid, m.stage])).toEqual([
      ['t99', 1],
      ['t99', 2],
      ['after', 1],
      ['after', 5],
    ]);
    await c.close();
  });
});

describe('single-threaded terminal (§4)', () => {
  it('answers BUSY to a second connection while a transaction runs, then finishes the first', async () => {
    sim.hold();
    const a = await IppTestClient.connect(port);
    const held = waitForEvent<{ sid: string }>(sim, 'held');
    a.request('PURCHASE', 'busy-a', sale('5.00'));
    expect((await held).sid).toBe('busy-a');

    const b = await exchangeOnce(port, 'PURCHASE', 'busy-b', sale('6.00'));
    expect(stages(b)).toEqual([[1, 1]]);
    expect([b[0]!.method, b[0]!.sid]).toEqual(['PURCHASE', 'busy-b']);
    expect(stages(await exchangeOnce(port, 'GET_STATUS', 'busy-c'))).toEqual([[1, 1]]);
    expect(stages(await exchangeOnce(port, 'PING', 'busy-d', [], '999'))).toEqual([[1, 1]]);

    expect(sim.release()).toBe(true);
    expect(stages(await a.untilFinal())).toEqual([
      [1, 0],
      [2, 0],
      [5, 0],
    ]);
    await a.close();
    expect(sim.ledger().map((e) => e.sid)).toEqual(['busy-a']);
  });

  it('a second request pipelined on the same connection is answered BUSY too', async () => {
    const c = await IppTestClient.connect(port);
    c.send(Buffer.concat([ippRequest('PURCHASE', 'p-1', sale('2.00')), ippRequest('PING', 'p-2')]));
    const seen: IppMessage[] = [];
    for (let i = 0; i < 4; i++) seen.push(await c.nextMessage());
    expect(seen.map((m) => [m.sid, m.stage, m.status])).toEqual([
      ['p-1', 1, 0],
      ['p-2', 1, 1],
      ['p-1', 2, 0],
      ['p-1', 5, 0],
    ]);
    await c.close();
  });
});

describe('malformed requests get STATUS=2 and the connection lives on (§2, §3)', () => {
  it('garbage, wrong first line, missing METHOD/SID, a header below 2 — then a PING on the same link works', async () => {
    const c = await IppTestClient.connect(port);
    c.send(rawFrame('HELLO\r\n'));
    let m = await c.nextMessage();
    expect([m.stage, m.status, m.method, m.sid]).toEqual([1, 2, undefined, undefined]);

    c.send(rawFrame('METHOD=PING\r\nSID=echo-me\r\nPROTOCOL=IPP\r\n'));
    m = await c.nextMessage();
    expect([m.stage, m.status, m.method, m.sid]).toEqual([1, 2, 'PING', 'echo-me']);

    c.send(rawFrame('PROTOCOL=IPP\r\nVERSION=200\r\nMETHOD=PING\r\n'));
    m = await c.nextMessage();
    expect([m.stage, m.status, m.method]).toEqual([1, 2, 'PING']);

    c.send(rawFrame('PROTOCOL=IPP\r\nVERSION=200\r\nSID=no-method\r\n'));
    m = await c.nextMessage();
    expect([m.stage, m.status, m.sid]).toEqual([1, 2, 'no-method']);

    c.send(rawFrame(Buffer.from([0x50, 0x52, 0xff, 0x00])));
    expect((await c.nextMessage()).status).toBe(2);

    c.send(Buffer.from([0x00, 0x01, 0x41, 0x42]));
    expect((await c.nextMessage()).status).toBe(2);

    expect(stages(await c.exchange('PING', 'still-alive'))).toEqual([
      [1, 0],
      [5, 0],
    ]);
    expect(c.closed).toBe(false);
    await c.close();
  });

  it('a message cut short is discarded after partialTimeoutMs without a byte, answered STATUS=2', async () => {
    await fresh({ partialTimeoutMs: 20 });
    const c = await IppTestClient.connect(port);
    const whole = ippRequest('PING', 'cut');
    c.send(whole.subarray(0, 10));
    expect((await c.nextMessage()).status).toBe(2);
    expect(stages(await c.exchange('PING', 'whole'))).toEqual([
      [1, 0],
      [5, 0],
    ]);
    await c.close();
  });

  it('a request split over many writes is reassembled', async () => {
    const c = await IppTestClient.connect(port);
    const bytes = ippRequest('PING', 'split');
    for (let i = 0; i < bytes.length; i += 3) c.send(bytes.subarray(i, i + 3));
    expect(stages(await c.untilFinal())).toEqual([
      [1, 0],
      [5, 0],
    ]);
    await c.close();
  });
});

describe('fault switches', () => {
  it('dropAfterApproval: the approval is in the ledger, the link is reset before STAGE=5; recovery finds it open', async () => {
    sim.dropAfterApproval();
    const c = await IppTestClient.connect(port);
    const dropped = waitForEvent<{ sid: string }>(sim, 'dropped');
    c.request('PURCHASE', 'lost-1', sale('8.00', 'R-LOST'));
    await c.whenClosed();
    expect((await dropped).sid).toBe('lost-1');
    expect(c.received.map((m) => (m as IppMessage).stage)).toEqual([1, 2]);
    expect(sim.openTransaction()?.sid).toBe('lost-1');
    expect(sim.netCharges('R-LOST')).toBe(1);

    // Follow-ups are answered even with the switch on (only approvals that take money are dropped).
    const status = last(await exchangeOnce(port, 'GET_STATUS', 'rec-1', [['SID_ORIGINAL', 'lost-1']]));
    expect(status.toRecord()).toMatchObject({
      STATUS: '0',
      TX_STATUS: 'OPEN',
      SID_ORIGINAL: 'lost-1',
      REFERENCE_NUMBER: 'R-LOST',
    });
    expect(last(await exchangeOnce(port, 'CANCEL_TX', 'rec-2', [['SID_ORIGINAL', 'lost-1']])).status).toBe(0);
    expect(sim.netCharges('R-LOST')).toBe(0);

    sim.dropAfterApproval(false);
    expect(last(await exchangeOnce(port, 'PURCHASE', 'ok', sale('8.00', 'R-OK'))).status).toBe(0);
  });

  it('busyNext(n): the next n requests get BUSY with METHOD and SID echoed, then normal service', async () => {
    sim.busyNext(2);
    const one = await exchangeOnce(port, 'PURCHASE', 'b1', sale('1.00'));
    expect(stages(one)).toEqual([[1, 1]]);
    expect([one[0]!.method, one[0]!.sid]).toEqual(['PURCHASE', 'b1']);
    expect(stages(await exchangeOnce(port, 'PING', 'b2'))).toEqual([[1, 1]]);
    expect(stages(await exchangeOnce(port, 'PING', 'b3'))).toEqual([
      [1, 0],
      [5, 0],
    ]);
    expect(sim.ledger()).toEqual([]);
    expect(sim.faults().busyNext).toBe(0);
  });

  it('garbageNext(n): answered with a framed non-IPP message, the request not processed, the link usable', async () => {
    sim.garbageNext(1);
    const c = await IppTestClient.connect(port);
    c.request('PURCHASE', 'g1', sale('1.00'));
    const r = await c.next();
    expect(r).toBeInstanceOf(IppDecodeError);
    expect(Buffer.concat(c.bytes)).toEqual(GARBAGE_FRAME);
    expect(sim.ledger()).toEqual([]);
    expect(stages(await c.exchange('PING', 'g2'))).toEqual([
      [1, 0],
      [5, 0],
    ]);
    await c.close();
  });

  it('hold / release(outcome): pauses at stage 2, then ends as told (cardholder cancels)', async () => {
    sim.hold();
    const c = await IppTestClient.connect(port);
    const held = waitForEvent(sim, 'held');
    c.request('PURCHASE', 'h1', sale('4.00', 'R-HOLD'));
    await held;
    expect(sim.busy).toBe(true);
    expect(sim.release('user_cancel')).toBe(true);
    const answers = await c.untilFinal();
    expect(stages(answers)).toEqual([
      [1, 0],
      [2, 0],
      [5, 13],
    ]);
    expect(sim.netCharges('R-HOLD')).toBe(0);
    await c.close();
    // The hold is cleared by release; nothing waits now.
    expect(sim.faults().hold).toBe(false);
    expect(sim.release()).toBe(false);
    expect(last(await exchangeOnce(port, 'PURCHASE', 'h2', sale('4.00', 'R-HOLD2'))).status).toBe(0);
  });

  it('release() without an outcome lets the amount decide', async () => {
    sim.setFaults({ hold: true });
    const c = await IppTestClient.connect(port);
    const held = waitForEvent(sim, 'held');
    c.request('PURCHASE', 'h3', sale('4.51'));
    await held;
    sim.setFaults({ hold: false });
    expect(last(await c.untilFinal()).status).toBe(14);
    await c.close();
  });

  it('silentAfterStage2: any amount goes silent after stage 2', async () => {
    sim.silentAfterStage2();
    const c = await IppTestClient.connect(port);
    const s2 = waitForEvent<{ sid: string; stage: number }>(sim, 'stage', (e) => e.stage === 2);
    c.request('PURCHASE', 'q1', sale('3.00', 'R-Q'));
    await s2;
    expect(stages(await exchangeOnce(port, 'PING', 'q2'))).toEqual([[1, 1]]);
    const ended = waitForEvent<IppLedgerEntry>(sim, 'ledger');
    await c.close();
    expect((await ended).state).toBe('aborted');
    expect(c.received).toHaveLength(2);
    sim.silentAfterStage2(false);
    expect(last(await exchangeOnce(port, 'PURCHASE', 'q3', sale('3.00'))).status).toBe(0);
  });

  it('offline: open links are closed, new ones reset without an answer; back online serves again', async () => {
    const open = await IppTestClient.connect(port);
    sim.offline();
    await open.whenClosed();

    const c = await IppTestClient.connect(port).catch(() => undefined);
    if (c) {
      c.request('PING', 'off');
      await c.whenClosed();
      expect(c.received).toEqual([]);
    }
    sim.offline(false);
    expect(stages(await exchangeOnce(port, 'PING', 'on'))).toEqual([
      [1, 0],
      [5, 0],
    ]);
  });

  it('close() while a transaction is held ends it cleanly: links closed, nothing recorded', async () => {
    sim.hold();
    const c = await IppTestClient.connect(port);
    const held = waitForEvent(sim, 'held');
    c.request('PURCHASE', 'bye', sale('4.00'));
    await held;
    await sim.close();
    await c.whenClosed();
    expect(sim.ledger()).toEqual([]);
    expect(c.received.map((m) => (m as IppMessage).stage)).toEqual([1, 2]);
  });

  it('setFaults refuses nonsense counts', () => {
    expect(() => sim.setFaults({ busyNext: -1 })).toThrow(/busyNext/);
    expect(() => sim.setFaults({ garbageNext: 1.5 })).toThrow(/garbageNext/);
  });
});

describe('robustness', () => {
  it('a defect while handling a request answers STATUS=14 and the terminal serves on', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    const boom = (): void => {
      throw new Error('listener defect');
    };
    sim.once('request', boom);
    try {
      const c = await IppTestClient.connect(port);
      expect(stages(await c.exchange('PING', 'boom'))).toEqual([[1, 14]]);
      expect(stages(await c.exchange('PING', 'fine'))).toEqual([
        [1, 0],
        [5, 0],
      ]);
      await c.close();
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.join()).toMatch(/listener defect/);
  });
});

describe('events', () => {
  it('emits request (without PASSWORD), stage and ledger', async () => {
    await fresh({ password: 'secret-pw' });
    const requests: Array<{ sid?: string; fields?: Record<string, string> }> = [];
    const seenStages: Array<[string | undefined, number, number]> = [];
    const ledger: IppLedgerEntry[] = [];
    sim.on('request', (r) => requests.push(r as never));
    sim.on('stage', (s) => seenStages.push([s.sid, s.stage, s.status]));
    sim.on('ledger', (e) => ledger.push(e));
    await exchangeOnce(port, 'REFUND', 'ev-1', [...sale('1.00', 'R-EV'), ['PASSWORD', 'secret-pw']]);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.fields).toMatchObject({ METHOD: 'REFUND', AMOUNT: '1.00' });
    expect(JSON.stringify(requests)).not.toContain('secret-pw');
    expect(seenStages).toEqual([
      ['ev-1', 1, 0],
      ['ev-1', 2, 0],
      ['ev-1', 5, 0],
    ]);
    expect(ledger.map((e) => [e.sid, e.state])).toEqual([['ev-1', 'open']]);
  });
});

/** An in-memory ByteStream, standing in for a serial port. */
class MemoryStream extends EventEmitter {
  readonly reader = new IppReader();
  readonly answers: IppMessage[] = [];
  destroyed = false;
  write(chunk: Uint8Array): boolean {
    for (const m of this.reader.push(chunk)) if (m instanceof IppMessage) this.answers.push(m);
    this.emit('answer');
    return true;
  }
  end(): void {
    this.destroy();
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
  /** Feeds a request and resolves once `count` answers have arrived in total. */
  async feed(bytes: Buffer, count: number): Promise<IppMessage[]> {
    const done = new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.answers.length >= count) {
          this.off('answer', check);
          resolve();
        }
      };
      this.on('answer', check);
    });
    this.emit('data', bytes);
    await done;
    return this.answers.slice(0, count);
  }
}

describe('attach(ByteStream) — serial-like links', () => {
  it('serves IPP on any byte stream; dropAfterApproval withholds STAGE=5 without closing the line', async () => {
    const line = new MemoryStream();
    const detach = sim.attach(line as unknown as ByteStream);
    const ping = await line.feed(ippRequest('PING', 'serial-1'), 2);
    expect(stages(ping)).toEqual([
      [1, 0],
      [5, 0],
    ]);

    sim.dropAfterApproval();
    const dropped = waitForEvent(sim, 'dropped');
    await line.feed(ippRequest('PURCHASE', 'serial-2', sale('2.00', 'R-SER')), 4);
    await dropped;
    expect(line.answers.slice(2).map((m) => m.stage)).toEqual([1, 2]);
    expect(line.destroyed).toBe(false);
    expect(sim.openTransaction()?.sid).toBe('serial-2');

    const after = await line.feed(ippRequest('PING', 'serial-3'), 6);
    expect(stages(after.slice(4))).toEqual([
      [1, 0],
      [5, 0],
    ]);
    detach();
  });

  it('offline: an attached line is ignored (a switched-off terminal does not answer)', async () => {
    const line = new MemoryStream();
    sim.attach(line as unknown as ByteStream);
    sim.offline();
    // A PING is answered synchronously when the terminal is on, so "nothing yet" here means "ignored".
    line.emit('data', ippRequest('PING', 'dark'));
    expect(line.answers).toEqual([]);
    expect(line.destroyed).toBe(false);
    sim.offline(false);
    const ping = await line.feed(ippRequest('PING', 'lit'), 2);
    expect(ping.map((m) => m.sid)).toEqual(['lit', 'lit']);
  });
});
