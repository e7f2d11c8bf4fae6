/**
 * When a pole display's total becomes a payment. What the display shows is debounced: a state (the total shown,
 * and whether a key word is shown) counts only once it stayed unchanged for `stableMs`, so a redraw (clear, then
 * write the same total again) or a half-received line never counts.
 *  - "stable": a payment starts when the settled total changes to an amount (a different one, or the same one
 *    after the display showed no total for a while);
 *  - "keyword": a payment starts when a key word (KARTE, CARD …) appears; the amount is the total shown with it,
 *    or else the last total shown before it.
 */
import type { Money } from '../../domain/money';
import { Timer, type Clock } from './clock';

export interface Observation {
  readonly total: Money | undefined;
  readonly keyword: boolean;
  readonly text: string;
}

export interface TriggerOptions {
  readonly mode: 'stable' | 'keyword';
  readonly stableMs: number;
  readonly clock: Clock;
  readonly fire: (total: Money, text: string) => void;
  /** Called after every state that settled (fired or not). */
  readonly settled?: () => void;
}

const keyOfTotal = (t: Money | undefined): string => (t ? `${t.minor} ${t.currency}` : '-');

export class TotalTrigger {
  private readonly timer: Timer;
  private settled: Observation = { total: undefined, keyword: false, text: '' };
  private pending: Observation | undefined;
  private lastTotal: { total: Money; text: string } | undefined;

  constructor(private readonly o: TriggerOptions) {
    this.timer = new Timer(o.clock);
  }

  /** True when no state is waiting to settle. */
  get idle(): boolean {
    return !this.timer.running;
  }

  /** What the display shows now. */
  observe(obs: Observation): void {
    if (obs.total) this.lastTotal = { total: obs.total, text: obs.text };
    const key = this.key(obs);
    if (this.pending && key === this.key(this.pending)) {
      this.pending = obs;
      return;
    }
    if (key === this.key(this.settled)) {
      this.pending = undefined;
      this.timer.stop();
      return;
    }
    this.pending = obs;
    this.timer.start(this.o.stableMs, () => {
      this.settle();
      this.o.settled?.();
    });
  }

  /** A total that was on the display only between two observations (shown and wiped within one chunk). */
  seen(total: Money, text: string): void {
    this.lastTotal = { total, text };
  }

  stop(): void {
    this.timer.stop();
    this.pending = undefined;
  }

  private key(obs: Observation): string {
    return this.o.mode === 'stable' ? keyOfTotal(obs.total) : `${keyOfTotal(obs.total)}|${obs.keyword}`;
  }

  private settle(): void {
    const next = this.pending;
    if (!next) return;
    this.pending = undefined;
    const previous = this.settled;
    this.settled = next;
    if (this.o.mode === 'stable') {
      if (next.total && keyOfTotal(next.total) !== keyOfTotal(previous.total)) this.o.fire(next.total, next.text);
      return;
    }
    if (next.keyword && !previous.keyword) {
      const chosen = next.total ? { total: next.total, text: next.text } : this.lastTotal;
      this.lastTotal = undefined;
      if (chosen) this.o.fire(chosen.total, chosen.text);
    }
  }
}
