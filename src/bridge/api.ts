import type { PaymentRequest, PaymentResult, StageEvent } from '../domain/payment';
import type { Outcome, Stage, TransactionKind } from '../domain/vocabulary';
import type { Money } from '../domain/money';
import type { ReceiptRendering, ReceiptRequest } from '../receipts/types';
import type { DayQuery, EndOfDayReport } from '../reports/day-reports';
import type { DayTotals } from '../reports/totals';
import type { CoreMessage } from '../i18n/core-text';
import type { ReconciliationReport } from '../reports/reconcile';

/**
 * The core's public API for register adapters (native, ZVT, text), the status server and the desktop shell.
 * A register adapter decodes its protocol into these calls and renders what comes back in its own protocol.
 */

/** Who is asking: the listener it came through and the register's own identity (idempotency scope). */
export interface RegisterIdentity {
  /** Listener id from the config. */
  readonly listener: string;
  /** Register identity; refs are unique per register. Defaults to the listener id. */
  readonly register: string;
  /** Default terminal of the listener. */
  readonly terminal?: string;
}

export interface PaymentObserver {
  /** Progress in the stage vocabulary. */
  stage?(event: StageEvent & { ref: string }): void;
}

/** A payment the bridge accepted (or attached to). */
export interface PaymentHandle {
  /** Journal id of the payment. */
  readonly id: string;
  /** True when the ref was already known and this call attached to it (nothing new reached the terminal). */
  readonly attached: boolean;
  /** Resolves with the final result, or with outcome in_doubt when the terminal could not tell. */
  readonly result: Promise<PaymentResult>;
}

export interface CancelAnswer {
  /** True when the cancel stopped the payment (nothing charged), false when it arrived too late. */
  readonly tookEffect: boolean;
  /** Still running: the answer follows as the payment's result (with `cancelTookEffect`). */
  readonly pending: boolean;
  readonly message: string;
  readonly outcome?: Outcome;
}

/** What the bridge knows now about one payment. */
export interface PaymentView {
  readonly id: string;
  readonly register: string;
  readonly ref: string;
  readonly kind: TransactionKind;
  readonly amount: Money;
  readonly tip?: number;
  readonly terminal: string;
  readonly stage: Stage;
  readonly outcome: Outcome | null;
  readonly message: string;
  readonly result?: PaymentResult;
  readonly delivered: boolean;
  readonly acknowledged: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** True when the payment was later reversed (or the pre-authorisation released). */
  readonly reversed?: boolean;
}

export interface TerminalView {
  readonly id: string;
  readonly driver: string;
  readonly link: string;
  readonly state: 'ready' | 'busy' | 'offline' | 'recovering';
  readonly queue: number;
  readonly currentRef?: string;
  readonly lastSeen?: string;
  readonly message?: string;
  /** The message as codes of the catalogue, which the status page writes in its own language. */
  readonly messageCode?: CoreMessage;
  readonly terminalId?: string;
  /** ISO 4217 alpha code of the currency the terminal takes, when configured (requests in another are refused). */
  readonly currency?: string;
}

/** How the register took a result: the commit point for two-phase terminals and the ZVT commit rule. */
export type Delivery =
  /** The result was written completely to the register (counts as accepted unless the listener requires an ack). */
  | 'written'
  /** The register confirmed it recorded the result (native `ack`, ZVT `80 00` after 04 0F). */
  | 'acknowledged'
  /** The register refused the result or never confirmed it within its timer: the payment is reversed. */
  | 'rejected'
  /**
   * The register did not confirm the result, and its protocol lets it ask for it again later (ECR17 "send last
   * result"): the payment stands (completed on the terminal); the journal notes that it is held for the register.
   */
  | 'held'
  /** The result could not be delivered (connection gone); it is delivered on the next status/last/hello. */
  | 'undeliverable';

export interface BridgeApi {
  /** Start a payment (or a follow-up) or attach to the one already known for this ref. Throws BridgeError on refusal. */
  submit(who: RegisterIdentity, request: PaymentRequest, observer?: PaymentObserver): Promise<PaymentHandle>;
  /** Ask to cancel an unfinished payment by ref. */
  cancel(who: RegisterIdentity, ref: string): Promise<CancelAnswer>;
  /**
   * Report how a result reached the register. `kind` picks the record when a ref has follow-ups (a reversal
   * shares its payment's ref); without it the most recent record of the ref is meant.
   */
  delivery(who: RegisterIdentity, ref: string, how: Delivery, kind?: TransactionKind): Promise<void>;
  /** What the bridge knows about a ref of this register, or undefined. */
  status(who: RegisterIdentity, ref: string): PaymentView | undefined;
  /** This register's most recent payment. */
  last(who: RegisterIdentity): PaymentView | undefined;
  /**
   * This register's most recent payment whose result carries `receiptNo` (PaymentResult.receiptNo, 1…9999).
   * ZVT Reversal (06 30) names the payment only by this number.
   */
  findByReceiptNo(who: RegisterIdentity, receiptNo: number): PaymentView | undefined;
  /**
   * Closes the register's accounting period (ZVT End-of-Day 06 50): returns the payments of this register whose
   * results the register acknowledged since the previous close (any kind and outcome; reversed ones flagged), then
   * starts a new period.
   */
  closeDay(who: RegisterIdentity): Promise<PaymentView[]>;
  /** What `closeDay` would return now, without closing the period (ECR17 totals). */
  periodPayments(who: RegisterIdentity): PaymentView[];
  /**
   * The receipt of one of this register's payments: merchant and customer copies as text lines at the asked width
   * (32/40/48, default from the config), and ESC/POS bytes when `escpos` is set. `kind` picks a follow-up (e.g. the
   * reversal) instead of the payment itself. Undefined when the ref is unknown; throws BridgeError
   * `receipt_unavailable` while the outcome is still open (running or in_doubt).
   */
  receipt(who: RegisterIdentity, ref: string, request?: ReceiptRequest): ReceiptRendering | undefined;
  /** The receipt of a journal payment by its id (status UI). Undefined when unknown or still open. */
  receiptById(paymentId: string, request?: ReceiptRequest): ReceiptRendering | undefined;
  /** Totals of a business day so far, from the journal (an X report: nothing is closed). */
  dayTotals(query?: DayQuery): DayTotals;
  /**
   * Closes a business day (a Z report): totals per currency, scheme and type, each terminal's batch where the link
   * can close it, stored in the journal; the day's reconciliation follows automatically (event `reconciliation`).
   */
  endOfDay(query?: DayQuery): Promise<EndOfDayReport>;
  /** Reconciles a business day's journal with each terminal's host and stores the report. */
  reconcile(query?: { day?: string }): Promise<ReconciliationReport>;
  /** The latest stored reconciliation report (of a business day, or of any). */
  latestReconciliation(day?: string): ReconciliationReport | undefined;
  /**
   * Throws BridgeError `not_allowed` when the listener's money-out policy does not allow an operation that never
   * becomes a payment (ZVT Registration). The bridge itself allows everything; a listener's policy narrows it.
   */
  permit(who: RegisterIdentity, operation: 'registration' | 'end_of_day'): void;
  /** Results of this register that were never delivered (delivered again after `hello`). */
  undelivered(who: RegisterIdentity): PaymentView[];
  terminals(): TerminalView[];
  /** The terminal a listener's request goes to (its `terminal`, or the first configured one). */
  terminalFor(who: RegisterIdentity, requested?: string): TerminalView;
  readonly version: string;
}
