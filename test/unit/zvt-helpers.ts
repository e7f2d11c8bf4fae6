/**
 * Test doubles for the ZVT tests: an in-memory byte stream, a manual clock, a register (ECR) client built on the
 * product's own codec, and a fake BridgeApi. Only the outside world is faked here — the session under test is real.
 */
import { EventEmitter } from 'node:events';
import { expect } from 'vitest';
import type {
  BridgeApi,
  CancelAnswer,
  Delivery,
  PaymentHandle,
  PaymentObserver,
  PaymentView,
  RegisterIdentity,
  TerminalView,
} from '../../src/bridge/api';
import { BridgeError } from '../../src/domain/errors';
import type { PaymentRequest, PaymentResult } from '../../src/domain/payment';
import type { Outcome, Stage, TransactionKind } from '../../src/domain/vocabulary';
import { silentLogger } from '../../src/log/logger';
import type { RegisterContext } from '../../src/register/protocol';
import type { ByteStream } from '../../src/transport/byte-stream';
import { ApduReader, apduBytes, type Apdu } from '../../src/register/zvt/apdu';
import { toHex } from '../../src/register/zvt/bcd';
import { SerialLink } from '../../src/register/zvt/serial-framing';
import type { TimerHandle, Timers } from '../../src/register/zvt/timers';
import { FakeBridgeBase } from '../helpers/fake-bridge-base';

export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

/** "06 0F 00" with single spaces and upper case, for readable comparisons. */
export function norm(s: string): string {
  return toHex(hex(s));
}

/** A queue whose `next()` waits for the next item. */
export class Inbox<T> {
  private items: T[] = [];
  private waiters: Array<(t: T) => void> = [];
  push(item: T): void {
    const w = this.waiters.shift();
    if (w) w(item);
    else this.items.push(item);
  }
  next(): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  get size(): number {
    return this.items.length;
  }
  drain(): T[] {
    const all = this.items;
    this.items = [];
    return all;
  }
}

/** Lets pending promise callbacks and immediates run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export async function flushMany(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await flush();
}

// ---- in-memory stream --------------------------------------------------------------------------------------------

/** The terminal side of an in-memory connection: a ByteStream whose writes reach the register side. */
export class MemoryStream extends EventEmitter implements ByteStream {
  closed = false;
  /** Receives what the session writes. */
  onWrite: (chunk: Buffer) => void = () => undefined;

  write(chunk: Uint8Array, cb?: (err?: Error | null) => void): boolean {
    if (this.closed) {
      queueMicrotask(() => cb?.(new Error('closed')));
      return false;
    }
    const copy = Buffer.from(chunk);
    queueMicrotask(() => {
      this.onWrite(copy);
      cb?.(null);
    });
    return true;
  }

  end(): void {
    this.destroy();
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    queueMicrotask(() => this.emit('close'));
  }

  /** Bytes from the register. */
  feed(bytes: Uint8Array): void {
    const copy = Buffer.from(bytes);
    queueMicrotask(() => {
      if (!this.closed) this.emit('data', copy);
    });
  }
}

// ---- manual clock --------------------------------------------------------------------------------------------------

/** Timers that move only when the test says so. */
export class ManualTimers implements Timers {
  private t = 0;
  private seq = 0;
  private entries: Array<{ at: number; seq: number; fn: () => void; cancelled: boolean }> = [];
  constructor(private readonly start = new Date(2025, 10, 25, 14, 30, 15)) {}

  after(ms: number, fn: () => void): TimerHandle {
    const e = { at: this.t + ms, seq: this.seq++, fn, cancelled: false };
    this.entries.push(e);
    return { cancel: () => (e.cancelled = true) };
  }

  now(): Date {
    return new Date(this.start.getTime() + this.t);
  }

  /** Number of timers waiting. */
  get pending(): number {
    return this.entries.filter((e) => !e.cancelled).length;
  }

  /** Runs every timer due within `ms`, in order. */
  advance(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      const due = this.entries
        .filter((e) => !e.cancelled && e.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      due.cancelled = true;
      this.t = due.at;
      due.fn();
    }
    this.entries = this.entries.filter((e) => !e.cancelled);
    this.t = target;
  }
}

// ---- the register (ECR) -------------------------------------------------------------------------------------------

export interface Wire {
  write(bytes: Buffer): void;
  onData(listener: (bytes: Buffer) => void): void;
}

/** A ZVT register for tests: sends commands and reads what the terminal sends, over TCP framing or serial framing
 *  (the serial side ACKs every frame it receives and waits for ACK after each frame it sends). */
export class TestEcr {
  readonly received = new Inbox<Apdu>();
  /** Every byte the register received (serial: ACK/NAK bytes and frames). */
  raw: Buffer = Buffer.alloc(0);
  private readonly reader = new ApduReader();
  private readonly serial: SerialLink | undefined;

  constructor(
    private readonly wire: Wire,
    readonly mode: 'tcp' | 'serial' = 'tcp',
    timers?: Timers,
  ) {
    if (mode === 'serial') {
      this.serial = new SerialLink(
        (b) => wire.write(b),
        {
          apdu: (a) => this.received.push(a),
          malformed: (r) => {
            throw new Error(`terminal sent a malformed frame: ${r}`);
          },
          rejected: (r) => {
            throw new Error(`terminal sent a bad frame: ${r}`);
          },
        },
        timers ? { timers } : {},
      );
    }
    wire.onData((bytes) => {
      this.raw = Buffer.concat([this.raw, bytes]);
      if (this.serial) this.serial.push(bytes);
      else for (const a of this.reader.push(bytes)) this.received.push(a);
    });
  }

  /** Sends one APDU (hex text or bytes); serial: resolves after the terminal's ACK. */
  async send(apdu: string | Buffer): Promise<void> {
    const bytes = typeof apdu === 'string' ? hex(apdu) : apdu;
    if (this.serial) await this.serial.send(bytes);
    else this.wire.write(bytes);
  }

  ack(): Promise<void> {
    return this.send('80 00 00');
  }

  next(): Promise<Apdu> {
    return this.received.next();
  }

  /** Reads the next APDU and checks it byte for byte. */
  async expect(expected: string): Promise<Apdu> {
    const a = await this.next();
    expect(toHex(apduBytes(a))).toBe(norm(expected));
    return a;
  }
}

/** An in-memory terminal stream with a register attached to it. */
export function memoryPair(mode: 'tcp' | 'serial' = 'tcp', ecrTimers?: Timers): { stream: MemoryStream; ecr: TestEcr } {
  const stream = new MemoryStream();
  let listener: (b: Buffer) => void = () => undefined;
  stream.onWrite = (b) => listener(b);
  const ecr = new TestEcr({ write: (b) => stream.feed(b), onData: (l) => (listener = l) }, mode, ecrTimers);
  return { stream, ecr };
}

// ---- fake bridge --------------------------------------------------------------------------------------------------

export type FinishFields = Partial<Omit<PaymentResult, 'outcome'>> & { outcome: Outcome };

/** A payment the fake bridge accepted; the test reports its stages and its end. */
export class RunningPayment {
  done = false;
  result!: PaymentResult;
  private resolveResult!: (r: PaymentResult) => void;
  readonly promise: Promise<PaymentResult>;
  constructor(
    private readonly bridge: FakeBridgeApi,
    readonly who: RegisterIdentity,
    readonly request: PaymentRequest,
    readonly observer: PaymentObserver | undefined,
  ) {
    this.promise = new Promise((resolve) => (this.resolveResult = resolve));
  }

  stage(stage: Stage): void {
    this.observer?.stage?.({ ref: this.request.ref, stage, message: stage });
  }

  finish(fields: FinishFields): PaymentResult {
    if (this.done) return this.result;
    this.done = true;
    const original = this.request.kind === 'reversal' ? this.bridge.views.get(this.request.ref) : undefined;
    this.result = {
      ref: this.request.ref,
      kind: this.request.kind,
      amount: this.request.amount ?? original?.amount ?? { minor: 0, currency: 'EUR' },
      terminal: 'lane1',
      message: fields.outcome,
      ...fields,
    };
    this.bridge.record(this);
    this.resolveResult(this.result);
    return this.result;
  }
}

/** A BridgeApi that does what the test scripts, and records what the adapter reported. */
export class FakeBridgeApi extends FakeBridgeBase {
  readonly version = '2.14.15';
  terminal: TerminalView = {
    id: 'lane1',
    driver: 'fake',
    link: 'memory',
    state: 'ready',
    queue: 0,
    terminalId: '12345678',
  };
  readonly submits = new Inbox<RunningPayment>();
  readonly all: RunningPayment[] = [];
  readonly deliveries = new Inbox<{ ref: string; how: Delivery; kind?: TransactionKind }>();
  readonly deliveryLog: Array<{ ref: string; how: Delivery; kind?: TransactionKind }> = [];
  readonly cancels = new Inbox<string>();
  /** Payments (sale/refund) by ref, as views. */
  readonly views = new Map<string, PaymentView>();
  /** When set, every submit is finished at once with these fields. */
  autoFinish: ((req: PaymentRequest) => FinishFields) | undefined;
  /** On cancel: end the running payment as cancelled (default), or say it is too late. */
  cancelEffect: 'cancels' | 'too_late' = 'cancels';
  /** false: receipt numbers name only the register's last payment. */
  private readonly receiptLookup: boolean;

  constructor(options: { receiptLookup?: boolean } = {}) {
    super();
    this.receiptLookup = options.receiptLookup !== false;
  }

  override findByReceiptNo(who: RegisterIdentity, receiptNo: number): PaymentView | undefined {
    if (!this.receiptLookup) return super.findByReceiptNo(who, receiptNo);
    return [...this.views.values()].reverse().find((v) => v.result?.receiptNo === receiptNo);
  }

  async submit(who: RegisterIdentity, request: PaymentRequest, observer?: PaymentObserver): Promise<PaymentHandle> {
    if (request.kind === 'reversal') {
      const original = this.views.get(request.ref);
      if (!original) throw new BridgeError('unknown_ref', `no payment with ref "${request.ref}"`);
      if (original.reversed) throw new BridgeError('not_reversible', 'already reversed');
    } else {
      if (!request.amount || request.amount.minor === 0)
        throw new BridgeError('invalid_amount', 'amount must be greater than zero');
      if (request.amount.currency !== 'EUR') throw new BridgeError('currency_mismatch', 'terminal takes EUR');
    }
    const run = new RunningPayment(this, who, request, observer);
    this.all.push(run);
    this.submits.push(run);
    if (this.autoFinish) run.finish(this.autoFinish(request));
    return { id: `id-${this.all.length}`, attached: false, result: run.promise };
  }

  async cancel(_who: RegisterIdentity, ref: string): Promise<CancelAnswer> {
    this.cancels.push(ref);
    const run = [...this.all].reverse().find((r) => r.request.ref === ref && !r.done);
    if (run && this.cancelEffect === 'cancels') {
      run.finish({ outcome: 'cancelled', cancelTookEffect: true, message: 'Cancelled by the register' });
      return { tookEffect: true, pending: false, message: 'Cancelled', outcome: 'cancelled' };
    }
    return { tookEffect: false, pending: false, message: 'Too late' };
  }

  async delivery(_who: RegisterIdentity, ref: string, how: Delivery, kind?: TransactionKind): Promise<void> {
    const d = { ref, how, ...(kind ? { kind } : {}) };
    this.deliveryLog.push(d);
    this.deliveries.push(d);
  }

  status(_who: RegisterIdentity, ref: string): PaymentView | undefined {
    return this.views.get(ref);
  }

  last(_who: RegisterIdentity): PaymentView | undefined {
    return [...this.views.values()].pop();
  }

  undelivered(): PaymentView[] {
    return [];
  }

  terminals(): TerminalView[] {
    return [this.terminal];
  }

  terminalFor(): TerminalView {
    return this.terminal;
  }

  /** Puts a finished payment into the fake journal (also used to seed reversals). */
  record(run: RunningPayment): void {
    const r = run.result;
    if (run.request.kind === 'reversal') {
      const original = this.views.get(run.request.ref);
      if (original && r.outcome === 'approved') this.views.set(original.ref, { ...original, reversed: true });
      return;
    }
    this.views.set(r.ref, this.viewOf(r));
  }

  viewOf(r: PaymentResult): PaymentView {
    return {
      id: `id-${r.ref}`,
      register: 'zvt-1',
      ref: r.ref,
      kind: r.kind,
      amount: r.amount,
      terminal: 'lane1',
      stage: 'done',
      outcome: r.outcome,
      message: r.message,
      result: r,
      delivered: true,
      acknowledged: true,
      createdAt: '2025-11-25T14:30:15.000Z',
      updatedAt: '2025-11-25T14:30:15.000Z',
    };
  }
}

export function contextFor(api: BridgeApi, peer = 'memory'): RegisterContext {
  return {
    api,
    identity: { listener: 'zvt-1', register: 'zvt-1', terminal: 'lane1' },
    peer,
    log: silentLogger(),
  };
}

/** §9 (b)'s approved Mastercard payment, as a terminal would report it. */
export const APPROVED_MC: FinishFields = {
  outcome: 'approved',
  stan: '000042',
  txTime: '143015',
  txDate: '1125',
  panMasked: '541333******1234',
  terminalId: '12345678',
  receiptNo: 17,
  aid: 'A0000000041010',
};
