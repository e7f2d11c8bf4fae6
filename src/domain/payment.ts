import type { Money } from './money';
import type { Outcome, Stage, TransactionKind } from './vocabulary';

/** A register's request as every register protocol decodes it. */
export interface PaymentRequest {
  readonly kind: TransactionKind;
  /** The register's reference: for sale/refund/preauth the new payment's; for follow-ups the earlier payment's. */
  readonly ref: string;
  /** Required for sale, refund, preauth and completion. */
  readonly amount?: Money;
  /** Tip in minor units of the same currency (sale and preauth). */
  readonly tip?: number;
  /** Terminal id; default is the listener's terminal. */
  readonly terminal?: string;
}

/** What a terminal reported about a payment, in the bridge's own names. Never a full PAN. */
export interface ResultFields {
  authCode?: string;
  rrn?: string;
  stan?: string;
  cardScheme?: string;
  panMasked?: string;
  terminalId?: string;
  merchantId?: string;
  merchantName?: string;
  aid?: string;
  applicationLabel?: string;
  entryMode?: string;
  /** Host response code (IPP APPROVAL, e.g. "00", "51"). */
  hostCode?: string;
  /** Terminal status code (IPP STATUS). */
  terminalStatus?: string;
  signatureRequired?: boolean;
  preauthCode?: string;
  txDate?: string;
  txTime?: string;
  /** Amount the terminal processed, when it reported one. */
  processedAmount?: Money;
  declineReason?: string;
}

/** The final (or in_doubt) word on a payment, as delivered to a register. */
export interface PaymentResult extends ResultFields {
  readonly ref: string;
  readonly kind: TransactionKind;
  readonly outcome: Outcome;
  readonly amount: Money;
  readonly tip?: number;
  readonly terminal: string;
  readonly message: string;
  /** Set on the result of a register's cancel: true when the cancel stopped the payment. */
  readonly cancelTookEffect?: boolean;
  /** The bridge's receipt/trace number for this payment (used by ZVT as BMP 87). */
  readonly receiptNo?: number;
}

/** Progress of a payment, in the stage vocabulary. */
export interface StageEvent {
  readonly stage: Stage;
  readonly message: string;
}
