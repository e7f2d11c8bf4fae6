import type { PaymentResult } from '../domain/payment';
import type { Stage } from '../domain/vocabulary';
import type { PaymentRecord } from '../journal/journal';
import type { PaymentObserver } from './api';
import type { Lane } from './lane';
import { DeliveryWaiter, type Settling } from './settlement';

/** A payment on its way through its lane: what the bridge holds for it while it runs. */
export class Job implements Settling {
  readonly observers: Set<PaymentObserver>;
  readonly abort = new AbortController();
  readonly promise: Promise<PaymentResult>;
  readonly resolve: (result: PaymentResult) => void;
  readonly delivery = new DeliveryWaiter();
  started = false;
  cancelRequested = false;
  /** Last progress sent to observers (repeats are not sent again). */
  lastStage: Stage | undefined;
  lastMessage: string | undefined;

  constructor(
    public record: PaymentRecord,
    readonly lane: Lane,
    observer?: PaymentObserver,
  ) {
    this.observers = new Set(observer ? [observer] : []);
    let resolve!: (r: PaymentResult) => void;
    this.promise = new Promise<PaymentResult>((res) => (resolve = res));
    this.resolve = resolve;
  }
}
