/**
 * The Concert link and session on a manual clock (concert.md §3, §5, §8): the sheet's retries and timers, the busy
 * terminal's silence, the liveness probe, the commit rule, A011, the void of type 2, the 110 s deadline, and what
 * the answer's private field and 7E1 control characters look like. The register side is driven byte by byte.
 */
import { describe, expect, it } from 'vitest';
import type { RegisterContext } from '../../src/register/protocol';
import { concertProtocol } from '../../src/register/concert/session';
import { parseConcertOptions } from '../../src/register/concert/options';
import { decodeAnswer } from '../../src/register/concert/messages';
import { onLine } from '../../src/register/concert/framing';
import { silentLogger } from '../../src/log/logger';
import { ManualTimers, MemoryStream } from '../fuzz/doubles';
import { concertFrame } from '../helpers/concert-register';
import { APPROVED_MC, FakeBridgeApi, flushMany } from './zvt-helpers';

const ENQ = 0x05;
const ACK = 0x06;
const NAK = 0x15;
const EOT = 0x04;
const SP10 = ' '.repeat(10);

function setup(options: Record<string, unknown> = {}) {
  const timers = new ManualTimers();
  const api = new FakeBridgeApi();
  const stream = new MemoryStream();
  let n = 0;
  const ctx: RegisterContext = {
    api,
    identity: { listener: 'fr', register: 'fr', terminal: 'lane1' },
    peer: 'memory',
    log: silentLogger(),
  };
  concertProtocol(parseConcertOptions({ turnaroundMs: 0, ...options }), { timers, newRef: () => `r${++n}` }).serve(
    stream,
    ctx,
  );
  let seen = 0;
  /** Bytes the bridge wrote since the last call. */
  const out = (): number[] => {
    const all = [...Buffer.concat(stream.written)];
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh;
  };
  const send = (bytes: number[] | Buffer): void => stream.feed(Buffer.from(bytes));
  /** Steps 1–5 of a request that the bridge takes. */
  const request = async (message: string): Promise<void> => {
    send([ENQ]);
    expect(out()).toEqual([ACK]);
    send(concertFrame(message));
    expect(out()).toEqual([ACK]);
    send([EOT]);
    await flushMany();
  };
  /** The bridge's answer session: ENQ, our ACK, the frame; returns its message (we have not ACKed it yet). */
  const answerFrame = async (): Promise<string> => {
    await flushMany();
    expect(out()).toEqual([ENQ]);
    send([ACK]);
    await flushMany();
    const frame = Buffer.from(out());
    expect(frame[0]).toBe(0x02);
    return frame.subarray(1, -2).toString('latin1');
  };
  const finishAnswer = async (): Promise<void> => {
    send([ACK]);
    await flushMany();
    expect(out()).toEqual([EOT]);
  };
  return { timers, api, stream, out, send, request, answerFrame, finishAnswer };
}

describe('Concert link (register → bridge)', () => {
  it('the liveness probe: ENQ, ACK, EOT is an empty session, and the next ENQ is answered', async () => {
    const t = setup();
    t.send([ENQ]);
    expect(t.out()).toEqual([ACK]);
    t.send([EOT]);
    t.send([ENQ]);
    expect(t.out()).toEqual([ACK]);
    expect(t.api.all).toHaveLength(0);
  });

  it('an LRC equal to a control character is read by position: §9 (h) ends 03 02, the declined full answer 03 04', async () => {
    const t = setup();
    await t.request(`0100001250110978${SP10}`); // protocol E, LRC 02 (the value of STX)
    expect(t.api.all).toHaveLength(1);
    t.api.all[0]!.finish({ outcome: 'declined' });
    await flushMany();
    expect(t.out()).toEqual([ENQ]);
    t.send([ACK]);
    await flushMany();
    const frame = Buffer.from(t.out());
    expect(frame.length).toBe(83);
    expect(frame.subarray(-2)).toEqual(Buffer.from([0x03, 0x04])); // the LRC has the value of EOT; no EOT yet
    await t.finishAnswer();
    expect(t.api.deliveryLog).toEqual([{ ref: 'r1', how: 'acknowledged', kind: 'sale' }]);
  });

  it('a gap of more than 3 s inside a frame is NAKed; the frame sent again is taken', async () => {
    const t = setup();
    const frame = concertFrame(`0100001250010978${SP10}A010B010`);
    t.send([ENQ]);
    t.out();
    t.send(frame.subarray(0, 10));
    t.timers.advance(2_999);
    expect(t.out()).toEqual([]);
    t.timers.advance(1);
    expect(t.out()).toEqual([NAK]);
    t.send(frame);
    expect(t.out()).toEqual([ACK]);
  });

  it('a register that never sends EOT after our ACK has not learnt we took the request: nothing is paid', async () => {
    const t = setup();
    t.send([ENQ]);
    t.send(concertFrame(`0100001250010978${SP10}A010B010`));
    expect(t.out()).toEqual([ACK, ACK]);
    t.timers.advance(3_000);
    t.send([EOT]); // too late: the session was given up
    await flushMany();
    expect(t.api.all).toHaveLength(0);
  });

  it('ENQ while a transaction runs is not answered (busyEnq "nak": NAK); nor while the terminal is offline', async () => {
    const t = setup();
    await t.request(`0100001250010978${SP10}A010B010`);
    expect(t.api.all).toHaveLength(1);
    t.send([ENQ]);
    expect(t.out()).toEqual([]);
    const n = setup({ busyEnq: 'nak' });
    await n.request(`0100001250010978${SP10}A010B010`);
    n.send([ENQ]);
    expect(n.out()).toEqual([NAK]);
    const off = setup();
    off.api.terminal = { ...off.api.terminal, state: 'offline' };
    off.send([ENQ]);
    expect(off.out()).toEqual([]);
  });
});

describe('Concert answer session (bridge → register) and the commit rule', () => {
  it('ACK of the answer frame commits: delivery acknowledged before the closing EOT', async () => {
    const t = setup();
    await t.request(`0100001250110978${SP10}A010B010`);
    t.api.all[0]!.finish(APPROVED_MC);
    const message = await t.answerFrame();
    expect(decodeAnswer(message)).toMatchObject({ status: '0', report: `5413330000001234${'0'.repeat(39)}` });
    expect(t.api.deliveryLog).toEqual([]);
    await t.finishAnswer();
    expect(t.api.deliveryLog).toEqual([{ ref: 'r1', how: 'acknowledged', kind: 'sale' }]);
  });

  it('no ACK to our ENQ: ENQ sent 4 times 2 s apart, then EOT, and the approval is rejected (reversed)', async () => {
    const t = setup();
    await t.request(`0100001250010978${SP10}A010B010`);
    t.api.all[0]!.finish(APPROVED_MC);
    await flushMany();
    const sent: number[] = [];
    for (let i = 0; i < 4; i++) {
      sent.push(...t.out());
      t.timers.advance(2_000);
      await flushMany();
    }
    sent.push(...t.out());
    expect(sent).toEqual([ENQ, ENQ, ENQ, ENQ, EOT]);
    expect(t.api.deliveryLog).toEqual([{ ref: 'r1', how: 'rejected', kind: 'sale' }]);
  });

  it('NAK to the answer frame: the frame is sent 4 times in all, then EOT; the approval is rejected', async () => {
    const t = setup();
    await t.request(`0100001250010978${SP10}A010B010`);
    t.api.all[0]!.finish(APPROVED_MC);
    await t.answerFrame();
    for (let i = 0; i < 3; i++) {
      t.send([NAK]);
      await flushMany();
      expect(t.out()[0]).toBe(0x02);
    }
    t.send([NAK]);
    await flushMany();
    expect(t.out()).toEqual([EOT]);
    expect(t.api.deliveryLog).toEqual([{ ref: 'r1', how: 'rejected', kind: 'sale' }]);
  });

  it('A011: the answer (status 0) goes out before the payment; without its ACK no payment starts', async () => {
    const t = setup();
    await t.request(`0100001250010978${SP10}A011B010`);
    expect(t.api.all).toHaveLength(0);
    expect(await t.answerFrame()).toBe(`010000012501978${SP10}`);
    await t.finishAnswer();
    await flushMany();
    expect(t.api.all).toHaveLength(1);
    t.api.all[0]!.finish(APPROVED_MC);
    await flushMany();
    expect(t.api.deliveryLog).toEqual([{ ref: 'r1', how: 'written', kind: 'sale' }]);

    const lost = setup();
    await lost.request(`0100001250010978${SP10}A011B010`);
    await lost.answerFrame();
    for (let i = 0; i < 4; i++) {
      lost.timers.advance(2_000);
      await flushMany();
    }
    expect(lost.api.all).toHaveLength(0);
  });

  it("type 2 voids the register's last approved transaction of that amount; another amount gets status 9", async () => {
    const t = setup();
    await t.request(`0100001250010978${SP10}A010B010`);
    t.api.all[0]!.finish(APPROVED_MC);
    await t.answerFrame();
    await t.finishAnswer();
    await t.request(`0100000999012978${SP10}A010B010`);
    expect(decodeAnswer(await t.answerFrame()).status).toBe('9');
    await t.finishAnswer();
    await t.request(`0100001250012978${SP10}A010B010`);
    expect(t.api.all[1]!.request).toEqual({ kind: 'reversal', ref: 'r1' });
    t.api.all[1]!.finish({ outcome: 'approved' });
    expect(decodeAnswer(await t.answerFrame()).status).toBe('0');
    await t.finishAnswer();
    const refused = setup({ type2: 'refuse' });
    await refused.request(`0100001250012978${SP10}A010B010`);
    expect(decodeAnswer(await refused.answerFrame()).status).toBe('9');
  });

  it('no outcome within 110 s: cancelled on myPOS, answer status 7', async () => {
    const t = setup();
    await t.request(`0100001250010978${SP10}A010B010`);
    t.timers.advance(109_999);
    await flushMany();
    expect(t.api.cancels.size).toBe(0);
    t.timers.advance(1);
    await flushMany();
    expect(t.api.cancels.drain()).toEqual(['r1']);
    expect(decodeAnswer(await t.answerFrame()).status).toBe('7');
  });

  it('answer flag 2 (TLV) gets status 9 in the short layout; the receipt-number option fills the private field', async () => {
    const t = setup({ answerPrivate: 'receipt-number' });
    await t.request(`0100001250210978${SP10}A010B010`);
    expect(await t.answerFrame()).toBe(`019000012501978${'0'.repeat(10)}`);
    await t.finishAnswer();
    await t.request(`0100001250010978${SP10}A010B010`);
    t.api.all[0]!.finish(APPROVED_MC);
    expect(decodeAnswer(await t.answerFrame()).privateData).toBe('0000000017');
  });

  it('7E1: the answer goes out with parity bits; controlParity false sends EOT and the framing bytes without', async () => {
    const t = setup({ controlParity: false });
    t.send([ENQ]);
    t.out();
    t.send(onLine(concertFrame(`0100001250010978${SP10}A010B010`), '7E1'));
    expect(t.out()).toEqual([ACK]);
    t.send(onLine(Buffer.from([EOT]), '7E1'));
    await flushMany();
    t.api.all[0]!.finish(APPROVED_MC);
    await flushMany();
    expect(t.out()).toEqual([ENQ]);
    t.send([ACK]);
    await flushMany();
    const frame = t.out();
    expect(frame[0]).toBe(0x02); // no parity bit on STX
    expect(frame[2]).toBe(0xb1); // '1' (31) with its parity bit
    t.send([ACK]);
    await flushMany();
    expect(t.out()).toEqual([EOT]);
  });
});
