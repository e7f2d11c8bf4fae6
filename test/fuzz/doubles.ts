/**
 * Doubles for session-level fuzz targets: an in-memory ByteStream and a BridgeApi that answers at once. Only the
 * outside of the session is faked; the protocol session under test is the product's.
 */
import { EventEmitter } from 'node:events';
import type {
  BridgeApi,
  CancelAnswer,
  PaymentHandle,
  PaymentView,
  RegisterIdentity,
  TerminalView,
} from '../../src/bridge/api';
import { BridgeError } from '../../src/domain/errors';
import type { PaymentRequest, PaymentResult } from '../../src/domain/payment';
import { silentLogger } from '../../src/log/logger';
import type { RegisterContext } from '../../src/register/protocol';
import type { ByteStream } from '../../src/transport/byte-stream';
import { FakeBridgeBase } from '../helpers/fake-bridge-base';

/** The session's side of a connection; what it writes is collected in `written`. */
export class MemoryStream extends EventEmitter implements ByteStream {
  readonly written: Buffer[] = [];
  ended = false;
  destroyed = false;

  write(chunk: Uint8Array, cb?: (err?: Error | null) => void): boolean {
    if (this.destroyed) {
      queueMicrotask(() => cb?.(new Error('destroyed')));
      return false;
    }
    this.written.push(Buffer.from(chunk));
    queueMicrotask(() => cb?.(null));
    return true;
  }

  end(): void {
    this.ended = true;
  }

  destroy(): void {
    this.destroyed = true;
  }

  /** Bytes from the register. */
  feed(chunk: Uint8Array): void {
    this.emit('data', Buffer.from(chunk));
  }

  text(): string {
    return Buffer.concat(this.written).toString('utf8');
  }
}

const TERMINAL: TerminalView = { id: 't1', driver: 'fake', link: 'in memory', state: 'ready', queue: 0 };

/** A bridge that approves every payment at once and knows no earlier ref. */
export class InstantBridgeApi extends FakeBridgeBase {
  readonly version = '0.0.0-fuzz';
  submitted = 0;

  async submit(_who: RegisterIdentity, request: PaymentRequest): Promise<PaymentHandle> {
    if (request.kind === 'reversal' || request.kind === 'completion' || request.kind === 'preauth_cancel') {
      throw new BridgeError('unknown_ref', `no payment with ref "${request.ref}" is known for this register`);
    }
    this.submitted++;
    const result: PaymentResult = {
      ref: request.ref,
      kind: request.kind,
      outcome: 'approved',
      amount: request.amount!,
      terminal: 't1',
      message: 'Approved',
    };
    return { id: `p${this.submitted}`, attached: false, result: Promise.resolve(result) };
  }

  async cancel(): Promise<CancelAnswer> {
    return { tookEffect: false, pending: false, message: 'nothing to cancel' };
  }

  async delivery(): Promise<void> {}

  status(): PaymentView | undefined {
    return undefined;
  }

  last(): PaymentView | undefined {
    return undefined;
  }

  undelivered(): PaymentView[] {
    return [];
  }

  terminals(): TerminalView[] {
    return [TERMINAL];
  }

  terminalFor(): TerminalView {
    return TERMINAL;
  }
}

export function contextFor(api: BridgeApi): RegisterContext {
  return { api, identity: { listener: 'fuzz', register: 'fuzz' }, peer: 'memory', log: silentLogger() };
}

/** Lets queued microtasks, promise chains and immediates run. */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Timers that move only when told (ZVT T1/T2 and the like), so a fuzz case never waits. */
export class ManualTimers {
  private t = 0;
  private pending: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];

  after(ms: number, fn: () => void): { cancel(): void } {
    const entry = { at: this.t + ms, fn, cancelled: false };
    this.pending.push(entry);
    return { cancel: () => void (entry.cancelled = true) };
  }

  now(): Date {
    return new Date(Date.UTC(2025, 0, 1) + this.t);
  }

  advance(ms: number): void {
    this.t += ms;
    for (;;) {
      const due = this.pending.filter((p) => !p.cancelled && p.at <= this.t).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.cancelled = true;
      due.fn();
    }
    this.pending = this.pending.filter((p) => !p.cancelled);
  }
}
