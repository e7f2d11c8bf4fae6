/**
 * Test doubles for the capture and text protocols: an in-memory byte stream, a hand-stepped clock, an in-memory
 * device link, and a BridgeApi fake that records what it was asked (outcomes follow the simulator's magic
 * amounts: …51 declines, everything else approves).
 */
import { EventEmitter } from 'node:events';
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
import type { Outcome, TransactionKind } from '../../src/domain/vocabulary';
import { silentLogger } from '../../src/log/logger';
import type { RegisterContext } from '../../src/register/protocol';
import type { ByteStream } from '../../src/transport/byte-stream';
import type { Clock } from '../../src/register/capture/clock';
import type { DeviceLink, Dialer } from '../../src/register/capture/forward';
import { FakeBridgeBase } from '../helpers/fake-bridge-base';

/** The register's side of a connection: `feed` is what the register sends, `written` what it received. */
export class MemoryStream extends EventEmitter implements ByteStream {
  readonly written: Buffer[] = [];
  ended = false;
  destroyed = false;

  write(chunk: Uint8Array, cb?: (err?: Error | null) => void): boolean {
    if (this.destroyed) {
      cb?.(new Error('destroyed'));
      return false;
    }
    this.written.push(Buffer.from(chunk));
    cb?.(null);
    return true;
  }

  end(): void {
    this.ended = true;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }

  feed(bytes: Uint8Array | string): void {
    this.emit('data', Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes as string, 'latin1'));
  }

  /** The register half-closes its side. */
  finish(): void {
    this.emit('end');
  }

  text(): string {
    return Buffer.concat(this.written).toString('latin1');
  }
}

/** A clock that moves only when told. */
export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = new Date(2026, 2, 14, 10, 30, 0)) {
    this.t = start.getTime();
  }

  now(): Date {
    return new Date(this.t);
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward, running every timer that falls due, in order. */
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, v]) => v.at <= until)
        .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = Math.max(this.t, due[1].at);
      due[1].fn();
    }
    this.t = until;
  }

  get pending(): number {
    return this.timers.size;
  }
}

/** A device that records everything written to it. */
export class MemoryDevice {
  readonly received: Buffer[] = [];
  readonly links: MemoryLink[] = [];
  dials = 0;
  /** Dial attempts fail while this is set. */
  offline = false;

  readonly dial: Dialer = async () => {
    this.dials++;
    if (this.offline) throw new Error('connection refused');
    const link = new MemoryLink(this);
    this.links.push(link);
    return link;
  };

  bytes(): Buffer {
    return Buffer.concat(this.received);
  }
}

export class MemoryLink implements DeviceLink {
  private dataFns: Array<(b: Buffer) => void> = [];
  private closeFns: Array<(err?: Error) => void> = [];
  closed = false;

  constructor(private readonly device: MemoryDevice) {}

  write(bytes: Uint8Array): void {
    if (!this.closed) this.device.received.push(Buffer.from(bytes));
  }

  onData(fn: (b: Buffer) => void): void {
    this.dataFns.push(fn);
  }

  onClose(fn: (err?: Error) => void): void {
    this.closeFns.push(fn);
  }

  /** The device answers. */
  answer(bytes: Uint8Array): void {
    for (const fn of this.dataFns) fn(Buffer.from(bytes));
  }

  /** The device drops the connection. */
  drop(): void {
    this.closed = true;
    for (const fn of this.closeFns) fn(new Error('reset'));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  destroy(): void {
    this.closed = true;
  }
}

interface Submitted {
  readonly who: RegisterIdentity;
  readonly request: PaymentRequest;
  readonly result: Promise<PaymentResult>;
  resolve(r: PaymentResult): void;
  outcome: Outcome | null;
  final?: PaymentResult;
  delivered: Delivery[];
}

/** A BridgeApi that records requests; results come at once unless `hold` is set (then `release(ref)`). */
export class FakeApi extends FakeBridgeBase {
  readonly version = 'test';
  readonly submitted: Submitted[] = [];
  readonly deliveries: Array<{ ref: string; how: Delivery; kind?: TransactionKind }> = [];
  readonly cancels: string[] = [];
  hold = false;
  /** Refs the journal already knows (e.g. from before a restart). */
  readonly known = new Map<string, PaymentView>();

  async submit(who: RegisterIdentity, request: PaymentRequest, observer?: PaymentObserver): Promise<PaymentHandle> {
    const existing = this.submitted.find((s) => s.request.ref === request.ref);
    if (existing) return { id: request.ref, attached: true, result: existing.result };
    if (!request.amount || request.amount.minor === 0)
      throw new BridgeError('invalid_amount', 'amount must be greater than zero');
    observer?.stage?.({ ref: request.ref, stage: 'queued', message: 'Waiting for the terminal' });
    observer?.stage?.({ ref: request.ref, stage: 'present_card', message: 'Present card' });
    let resolve!: (r: PaymentResult) => void;
    const result = new Promise<PaymentResult>((r) => (resolve = r));
    const entry: Submitted = { who, request, result, resolve, outcome: null, delivered: [] };
    this.submitted.push(entry);
    if (!this.hold) this.release(request.ref);
    return { id: request.ref, attached: false, result };
  }

  /** Finishes a held payment with the outcome its amount calls for. */
  release(ref: string, outcome?: Outcome): void {
    const s = this.submitted.find((e) => e.request.ref === ref);
    if (!s || s.outcome !== null) return;
    const amount = s.request.amount!;
    const o: Outcome = outcome ?? (amount.minor % 100 === 51 ? 'declined' : 'approved');
    s.outcome = o;
    s.final = {
      ref,
      kind: s.request.kind,
      outcome: o,
      amount,
      terminal: 'lane1',
      message: o === 'approved' ? 'Approved' : o === 'declined' ? 'Insufficient funds' : o,
      ...(o === 'approved' ? { authCode: 'A1B2C3', panMasked: '541333******1234', cardScheme: 'MASTERCARD' } : {}),
      ...(o === 'declined' ? { hostCode: '51' } : {}),
    };
    s.resolve(s.final);
  }

  async cancel(_who: RegisterIdentity, ref: string): Promise<CancelAnswer> {
    this.cancels.push(ref);
    const s = this.submitted.find((e) => e.request.ref === ref);
    if (!s) return { tookEffect: false, pending: false, message: 'unknown' };
    if (s.outcome === null) {
      this.release(ref, 'cancelled');
      return { tookEffect: true, pending: false, message: 'Cancelled' };
    }
    return { tookEffect: false, pending: false, message: 'Too late', outcome: s.outcome };
  }

  async delivery(_who: RegisterIdentity, ref: string, how: Delivery, kind?: TransactionKind): Promise<void> {
    this.deliveries.push({ ref, how, ...(kind ? { kind } : {}) });
  }

  status(_who: RegisterIdentity, ref: string): PaymentView | undefined {
    const known = this.known.get(ref);
    if (known) return known;
    const s = this.submitted.find((e) => e.request.ref === ref);
    return s ? this.view(s) : undefined;
  }

  last(): PaymentView | undefined {
    const s = this.submitted[this.submitted.length - 1];
    if (s) return this.view(s);
    return [...this.known.values()].pop();
  }

  undelivered(): PaymentView[] {
    return [];
  }

  terminals(): TerminalView[] {
    return [{ id: 'lane1', driver: 'fake', link: 'memory', state: 'ready', queue: 0 }];
  }

  terminalFor(): TerminalView {
    return this.terminals()[0]!;
  }

  /** Amounts of the sales started, in minor units. */
  amounts(): number[] {
    return this.submitted.map((s) => s.request.amount!.minor);
  }

  private view(s: Submitted): PaymentView {
    return {
      id: s.request.ref,
      register: s.who.register,
      ref: s.request.ref,
      kind: s.request.kind,
      amount: s.request.amount!,
      terminal: 'lane1',
      stage: s.outcome === null ? 'present_card' : 'done',
      outcome: s.outcome,
      message: '',
      ...(s.final ? { result: s.final } : {}),
      delivered: false,
      acknowledged: false,
      createdAt: '',
      updatedAt: '',
    };
  }
}

export function contextFor(api: BridgeApi, listener = 'cap'): RegisterContext {
  return { api, identity: { listener, register: listener }, peer: 'memory', log: silentLogger() };
}

/** Waits until `pred` holds, letting promises run between checks (no timers involved). */
export async function until(pred: () => boolean, what = 'condition', rounds = 1000): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (pred()) return;
    await new Promise<void>((r) => setImmediate(r));
  }
  throw new Error(`${what} did not happen`);
}

/** Splits bytes into pieces at the given cut points (sorted, deduplicated, within range). */
export function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.min(Math.max(c, 0), bytes.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    if (p > from) out.push(bytes.subarray(from, p));
    from = p;
  }
  if (from < bytes.length) out.push(bytes.subarray(from));
  return out;
}
