import { BridgeError } from '../../src/domain/errors';
import type { PaymentRequest } from '../../src/domain/payment';
import type { TransactionKind } from '../../src/domain/vocabulary';
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
import type { ReceiptRendering } from '../../src/receipts/types';
import type { EndOfDayReport } from '../../src/reports/day-reports';
import type { DayTotals } from '../../src/reports/totals';
import type { ReconciliationReport } from '../../src/reports/reconcile';

/**
 * The part of BridgeApi a register adapter's fake does not script: the answers of a bridge that keeps no receipts and
 * no day reports. A receipt number names only the register's last payment, a register's period holds nothing, and the
 * business day cannot be closed or reconciled (`unsupported`). Fakes extend it and script the payment calls.
 */
export abstract class FakeBridgeBase implements BridgeApi {
  abstract readonly version: string;
  abstract submit(who: RegisterIdentity, request: PaymentRequest, observer?: PaymentObserver): Promise<PaymentHandle>;
  abstract cancel(who: RegisterIdentity, ref: string): Promise<CancelAnswer>;
  abstract delivery(who: RegisterIdentity, ref: string, how: Delivery, kind?: TransactionKind): Promise<void>;
  abstract status(who: RegisterIdentity, ref: string): PaymentView | undefined;
  abstract last(who: RegisterIdentity): PaymentView | undefined;
  abstract undelivered(who: RegisterIdentity): PaymentView[];
  abstract terminals(): TerminalView[];
  abstract terminalFor(who: RegisterIdentity, requested?: string): TerminalView;

  findByReceiptNo(who: RegisterIdentity, receiptNo: number): PaymentView | undefined {
    const last = this.last(who);
    return last?.result?.receiptNo === receiptNo ? last : undefined;
  }

  async closeDay(_who: RegisterIdentity): Promise<PaymentView[]> {
    return [];
  }

  periodPayments(_who: RegisterIdentity): PaymentView[] {
    return [];
  }

  receipt(): ReceiptRendering | undefined {
    return undefined;
  }

  receiptById(): ReceiptRendering | undefined {
    return undefined;
  }

  dayTotals(): DayTotals {
    throw new BridgeError('unsupported', 'this bridge keeps no day totals');
  }

  async endOfDay(): Promise<EndOfDayReport> {
    throw new BridgeError('unsupported', 'this bridge keeps no day totals');
  }

  async reconcile(): Promise<ReconciliationReport> {
    throw new BridgeError('unsupported', 'this bridge keeps no day totals');
  }

  latestReconciliation(): ReconciliationReport | undefined {
    return undefined;
  }

  permit(): void {}
}
