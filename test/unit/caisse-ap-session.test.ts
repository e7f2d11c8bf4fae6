/**
 * The Caisse-AP session against a scripted bridge on manual timers (caisse-ap.md §1 receive rule, §9 timers, §10 commit
 * rule): what is reported to the bridge for each way an answer can end, the deadline answer, immediate mode.
 */
import { describe, expect, it } from 'vitest';
import type {
  CancelAnswer,
  Delivery,
  PaymentHandle,
  PaymentView,
  RegisterIdentity,
  TerminalView,
} from '../../src/bridge/api';
import type { PaymentRequest, PaymentResult } from '../../src/domain/payment';
import { caisseApProtocol } from '../../src/register/caisse-ap/session';
import { contextFor, InstantBridgeApi, ManualTimers, MemoryStream, settle } from '../fuzz/doubles';
import { FakeBridgeBase } from '../helpers/fake-bridge-base';

const SALE = 'CZ0040300CJ012012345678901CA00201CE003978BA0010CD0010CB0041250';
const IMMEDIATE = SALE.replace('BA0010', 'BA0011');

/** A bridge whose payments end when the test says so. */
class ScriptedApi extends FakeBridgeBase {
  readonly version = '0.0.0-test';
  readonly requests: Array<{ who: RegisterIdentity; request: PaymentRequest }> = [];
  readonly deliveries: Array<{ ref: string; how: Delivery }> = [];
  readonly cancels: string[] = [];
  /** Refs the journal knows, and the last ref per register. */
  readonly known = new Set<string>();
  readonly lastRefs = new Map<string, string>();
  private readonly instant = new InstantBridgeApi();
  private finish: ((r: PaymentResult) => void) | undefined;

  async submit(who: RegisterIdentity, request: PaymentRequest): Promise<PaymentHandle> {
    this.requests.push({ who, request });
    return {
      id: `p${this.requests.length}`,
      attached: false,
      result: new Promise<PaymentResult>((resolve) => (this.finish = resolve)),
    };
  }

  end(outcome: PaymentResult['outcome'], extra: Partial<PaymentResult> = {}): void {
    const r = this.requests.at(-1)!.request;
    this.finish?.({ ref: r.ref, kind: r.kind, outcome, amount: r.amount!, terminal: 't1', message: outcome, ...extra });
  }

  async delivery(_who: RegisterIdentity, ref: string, how: Delivery): Promise<void> {
    this.deliveries.push({ ref, how });
  }

  async cancel(_who: RegisterIdentity, ref: string): Promise<CancelAnswer> {
    this.cancels.push(ref);
    return { tookEffect: false, pending: true, message: 'asked' };
  }

  status(_who: RegisterIdentity, ref: string): PaymentView | undefined {
    return this.known.has(ref) ? ({ ref } as PaymentView) : undefined;
  }

  last(who: RegisterIdentity): PaymentView | undefined {
    const ref = this.lastRefs.get(who.register);
    return ref ? ({ ref } as PaymentView) : undefined;
  }

  undelivered(): PaymentView[] {
    return [];
  }

  terminals(): TerminalView[] {
    return this.instant.terminals();
  }

  terminalFor(): TerminalView {
    return this.instant.terminalFor();
  }
}

function start(options: Record<string, unknown> = {}) {
  const api = new ScriptedApi();
  const timers = new ManualTimers();
  const stream = new MemoryStream();
  caisseApProtocol({ quietMs: 300, ...options }, { timers }).serve(stream, contextFor(api));
  const send = async (s: string): Promise<void> => {
    stream.feed(Buffer.from(s, 'latin1'));
    timers.advance(300);
    await settle(4);
  };
  const answers = (): string[] => stream.written.map((b) => b.toString('latin1'));
  return { api, timers, stream, send, answers };
}

describe('Caisse-AP session (scripted bridge, manual timers)', () => {
  it('a request is served only after the quiet time; each segment restarts it', async () => {
    const { api, timers, stream } = start();
    stream.feed(Buffer.from(SALE.slice(0, 40), 'latin1'));
    timers.advance(299);
    stream.feed(Buffer.from(SALE.slice(40), 'latin1'));
    timers.advance(299);
    await settle();
    expect(api.requests).toHaveLength(0);
    timers.advance(1);
    await settle();
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]).toMatchObject({
      who: { register: 'fuzz/01' },
      request: { kind: 'sale', ref: 'CA01-000001', amount: { minor: 1250, currency: 'EUR' } },
    });
  });

  it('the answer written is the commit point: delivery "written", then the bridge half-closes', async () => {
    const { api, stream, send, answers } = start();
    await send(SALE);
    expect(answers()).toEqual([]); // nothing while the payment runs (§9.1 step 3)
    api.end('approved', {
      cardScheme: 'VISA',
      entryMode: 'CONTACTLESS',
      panMasked: '411111******1111',
      authCode: '123456',
    });
    await settle(4);
    expect(answers()).toEqual([`${SALE}AE00210AF00201CC00300BCI0012AC006123456AA016411111######1111`]);
    expect(api.deliveries).toEqual([{ ref: 'CA01-000001', how: 'written' }]);
    expect(stream.ended).toBe(true);
  });

  it('the register ended the connection before the approval: delivery "rejected" (reversed), nothing written', async () => {
    const { api, stream, send, answers } = start();
    await send(SALE);
    stream.emit('end');
    api.end('approved');
    await settle(4);
    expect(answers()).toEqual([]);
    expect(api.deliveries).toEqual([{ ref: 'CA01-000001', how: 'rejected' }]);
    expect(api.cancels).toEqual([]); // cancelWhenRegisterLeaves is off by default
  });

  it('cancelWhenRegisterLeaves: the hang-up cancels the running payment; a decline then is "undeliverable"', async () => {
    const { api, stream, send } = start({ cancelWhenRegisterLeaves: true });
    await send(SALE);
    stream.emit('end');
    expect(api.cancels).toEqual(['CA01-000001']);
    api.end('cancelled', { cancelTookEffect: true });
    await settle(4);
    expect(api.deliveries).toEqual([{ ref: 'CA01-000001', how: 'undeliverable' }]);
  });

  it('§9.1 deadlines: abort asked at abortAfterMs, AE 01 AF 08 at answerDeadlineMs, an approval after that is reversed', async () => {
    const { api, timers, send, answers } = start({ abortAfterMs: 1000, answerDeadlineMs: 2000 });
    await send(SALE);
    timers.advance(1000);
    expect(api.cancels).toEqual(['CA01-000001']);
    timers.advance(1000);
    await settle(4);
    expect(answers()).toEqual([`${SALE}AE00201AF00208`]);
    api.end('approved');
    await settle(4);
    expect(answers()).toHaveLength(1);
    expect(api.deliveries).toEqual([{ ref: 'CA01-000001', how: 'rejected' }]);
  });

  it('a cancel that took effect at the abort is answered AF 08 (time-out)', async () => {
    const { api, timers, send, answers } = start({ abortAfterMs: 1000, answerDeadlineMs: 2000 });
    await send(SALE);
    timers.advance(1000);
    api.end('cancelled', { cancelTookEffect: true });
    await settle(4);
    expect(answers()).toEqual([`${SALE}AE00201AF00208`]);
    expect(api.deliveries).toEqual([{ ref: 'CA01-000001', how: 'written' }]);
  });

  it('an outcome in doubt is answered AF 00 and reported "rejected" (reversed should it turn out approved)', async () => {
    const { api, send, answers } = start();
    await send(SALE);
    api.end('in_doubt');
    await settle(4);
    expect(answers()).toEqual([`${SALE}AE00201AF00200`]);
    expect(api.deliveries).toEqual([{ ref: 'CA01-000001', how: 'rejected' }]);
  });

  it('immediate mode: AE 11 at once; the result is reported "written" even with the register gone (never reversed)', async () => {
    const { api, stream, send, answers } = start();
    await send(IMMEDIATE);
    expect(answers()).toEqual([`${IMMEDIATE}AE00211`]);
    stream.emit('end');
    api.end('approved');
    await settle(4);
    expect(answers()).toHaveLength(1);
    expect(api.deliveries).toEqual([{ ref: 'CA01-000001', how: 'written' }]);
  });

  it('immediate mode with immediateStatus "10" and pushFinalAnswer: AE 10, then the final answer on the same connection', async () => {
    const { api, stream, send, answers } = start({
      immediateStatus: '10',
      pushFinalAnswer: true,
      authorisedCode: false,
    });
    await send(IMMEDIATE);
    expect(answers()).toEqual([`${IMMEDIATE}AE00210`]);
    expect(stream.ended).toBe(false);
    api.end('declined', { hostCode: '51' });
    await settle(4);
    expect(answers()).toEqual([`${IMMEDIATE}AE00210`, `${IMMEDIATE}AE00201AF00204`]);
    expect(stream.ended).toBe(true);
  });

  it('the register leaves before its request is complete: nothing is started', async () => {
    const { api, timers, stream } = start();
    stream.feed(Buffer.from(SALE, 'latin1'));
    stream.emit('end');
    timers.advance(10_000);
    await settle(4);
    expect(api.requests).toEqual([]);
    expect(stream.written).toEqual([]);
  });

  it('refs number on per register (CA) and never reuse a ref the journal knows', async () => {
    const api = new ScriptedApi();
    api.known.add('CA01-000002');
    api.lastRefs.set('fuzz/01', 'CA01-000001');
    const timers = new ManualTimers();
    const protocol = caisseApProtocol({}, { timers });
    for (const ca of ['01', '02']) {
      const stream = new MemoryStream();
      protocol.serve(stream, contextFor(api));
      stream.feed(Buffer.from(SALE.replace('CA00201', `CA002${ca}`), 'latin1'));
      timers.advance(300);
      await settle(4);
      api.end('declined');
      await settle(4);
    }
    expect(api.requests.map((r) => [r.who.register, r.request.ref])).toEqual([
      ['fuzz/01', 'CA01-000003'],
      ['fuzz/02', 'CA02-000001'],
    ]);
  });
});
