/**
 * Refunds and reversals a listener's money-out policy holds for an operator's confirmation: listed on the status
 * page, confirmed or refused there. Nothing reaches the terminal (nor the journal) while a request is held; the
 * register hears the stage `awaiting_manager`, then the outcome. A hold nobody decides on within its time is
 * refused, and a register that cancels its request withdraws it.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Money } from '../domain/money';

/** What the status page shows of a held request. */
export interface OperatorHoldView {
  readonly id: string;
  readonly listener: string;
  readonly register: string;
  readonly kind: 'refund' | 'reversal';
  readonly ref: string;
  readonly amount: Money;
  /** Why it waits, in words ("above 50.00 EUR"). */
  readonly reason: string;
  readonly since: string;
  /** Refused by itself at this time when nobody decides. */
  readonly expiresAt: string;
}

export type HoldDecision = 'confirmed' | 'refused' | 'expired' | 'withdrawn';

export interface OperatorHoldEvents {
  pending: [OperatorHoldView];
  resolved: [{ readonly id: string; readonly decision: HoldDecision; readonly hold: OperatorHoldView }];
}

interface Entry {
  readonly view: OperatorHoldView;
  readonly decided: Promise<HoldDecision>;
  resolve(d: HoldDecision): void;
  readonly timer: NodeJS.Timeout;
}

/** At most this many requests wait at once; beyond that a new one is refused at once. */
const MAX_HOLDS = 50;

export class OperatorHolds extends EventEmitter<OperatorHoldEvents> {
  private readonly entries = new Map<string, Entry>();

  /** Requests waiting for a decision, oldest first. */
  list(): OperatorHoldView[] {
    return [...this.entries.values()].map((e) => e.view);
  }

  /** The waiting hold of a register's request, if any (a resend of the same ref joins it). */
  find(
    register: string,
    ref: string,
    kind: OperatorHoldView['kind'],
  ): { view: OperatorHoldView; decided: Promise<HoldDecision> } | undefined {
    for (const e of this.entries.values()) {
      if (e.view.register === register && e.view.ref === ref && e.view.kind === kind)
        return { view: e.view, decided: e.decided };
    }
    return undefined;
  }

  /** Holds a request until an operator decides, the time runs out, or the register withdraws it. */
  hold(
    request: Omit<OperatorHoldView, 'id' | 'since' | 'expiresAt'>,
    timeoutMs: number,
    now = new Date(),
  ): { view: OperatorHoldView; decided: Promise<HoldDecision> } {
    if (this.entries.size >= MAX_HOLDS) {
      const view: OperatorHoldView = {
        ...request,
        id: randomUUID(),
        since: now.toISOString(),
        expiresAt: now.toISOString(),
      };
      return { view, decided: Promise.resolve('refused') };
    }
    const view: OperatorHoldView = {
      ...request,
      id: randomUUID(),
      since: now.toISOString(),
      expiresAt: new Date(now.getTime() + timeoutMs).toISOString(),
    };
    let resolve!: (d: HoldDecision) => void;
    const decided = new Promise<HoldDecision>((r) => (resolve = r));
    const timer = setTimeout(() => this.settle(view.id, 'expired'), timeoutMs);
    timer.unref();
    this.entries.set(view.id, { view, decided, resolve, timer });
    this.emit('pending', view);
    return { view, decided };
  }

  /** The operator's decision; false when no such request waits (decided already, expired, withdrawn). */
  decide(id: string, action: 'confirm' | 'refuse'): boolean {
    return this.settle(id, action === 'confirm' ? 'confirmed' : 'refused');
  }

  /** The register cancelled its held request. */
  withdraw(register: string, ref: string): boolean {
    for (const e of this.entries.values())
      if (e.view.register === register && e.view.ref === ref) return this.settle(e.view.id, 'withdrawn');
    return false;
  }

  /** Every waiting request is refused (the bridge stops). */
  close(): void {
    for (const id of [...this.entries.keys()]) this.settle(id, 'refused');
  }

  private settle(id: string, decision: HoldDecision): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    this.entries.delete(id);
    clearTimeout(e.timer);
    e.resolve(decision);
    this.emit('resolved', { id, decision, hold: e.view });
    return true;
  }
}
