import type { Money } from '../domain/money';
import type { Outcome, Stage, TransactionKind } from '../domain/vocabulary';
import type { ResultFields } from '../domain/payment';
import type { ErrorCode } from '../domain/errors';
import type { CoreMessage } from '../i18n/core-text';

/**
 * The port every terminal link implements (IPP over TCP or serial, ePOS through the API Gateway, the simulator).
 * A driver never knows which register protocol asked; the bridge never knows which wire the driver speaks.
 */

/** One command for the terminal. */
export interface TerminalCommand {
  readonly kind: TransactionKind;
  /** Amount for sale, refund, preauth and completion. */
  readonly amount?: Money;
  /** Tip in minor units (sale, preauth). */
  readonly tip?: number;
  /** The bridge's reference for this payment, sent to the terminal (IPP REFERENCE_NUMBER, ePOS reference_number). */
  readonly reference: string;
  /** For follow-ups: what the earlier payment was. */
  readonly original?: {
    readonly reference: string;
    readonly driverRef?: string;
    readonly preauthCode?: string;
    readonly amount?: Money;
  };
}

export interface DriverContext {
  /** Aborted when the register asks to cancel. A driver stops the payment if its link allows it. */
  readonly signal: AbortSignal;
  /** Progress for the register and the UI. */
  stage(stage: Stage, message?: string): void;
  /**
   * Must be awaited before the first byte of a financial request goes to the terminal: the bridge commits
   * the driver's reference for it (IPP SID, ePOS payment reference) to the journal.
   */
  beforeSend(driverRef: string): Promise<void>;
}

/** What a driver reports at the end of `execute` or `lookup`. */
export interface TerminalOutcome {
  readonly outcome: Outcome;
  readonly fields: ResultFields;
  /** The driver's handle on this payment (IPP SID, ePOS payment id). */
  readonly driverRef?: string;
  /** Approved at the terminal but open: the bridge must call `settle` (IPP two-phase completion, spec §8.1). */
  readonly needsSettlement?: boolean;
  /** True when a register's cancel (signal) stopped the payment. */
  readonly cancelTookEffect?: boolean;
  /** The terminal refused before anything happened; `outcome` is then `failed`. */
  readonly refused?: TerminalRefusal;
  readonly message: string;
  /** Every property the terminal sent, unknown ones included (kept in the journal). Never card data beyond the masked PAN. */
  readonly raw?: Readonly<Record<string, string>>;
}

export interface TerminalRefusal {
  readonly code: ErrorCode | 'not_completed_last_tx';
  /** The terminal's own status code as text (IPP STATUS, HTTP status …). */
  readonly status: string;
  readonly retryable: boolean;
}

export interface TerminalHealth {
  readonly online: boolean;
  readonly checkedAt: string;
  /** In English words, for the log and API consumers. */
  readonly message: string;
  /** The message as codes of the catalogue, which the status page writes in its own language. */
  readonly messageCode?: CoreMessage;
  readonly terminalId?: string;
  readonly model?: string;
  readonly softwareVersion?: string;
  readonly currency?: string;
}

export interface TerminalInfo {
  readonly id: string;
  /** 'ipp' | 'epos' | 'simulator' */
  readonly driver: string;
  /** Human description of the link, e.g. "IPP tcp 192.168.1.50:7900". */
  readonly link: string;
  readonly currency?: string;
  /** Which payments REVERSAL can void: only the terminal's last transaction (IPP, spec §8.4) or any. Default 'last'. */
  readonly reversal?: 'last' | 'any';
  /** myPOS's environment the terminal belongs to (ePOS: Demo or Live); absent for links without environments. */
  readonly environment?: 'demo' | 'live';
  /** How often the bridge may run `probe()` while the terminal is idle, ms; absent: no probing. */
  readonly probeIntervalMs?: number;
}

export interface TerminalDriver {
  readonly info: TerminalInfo;
  /** Run one command on the terminal. Never throws for a terminal answer; throws BridgeError only for bad commands. */
  execute(command: TerminalCommand, ctx: DriverContext): Promise<TerminalOutcome>;
  /** Close an approved-but-open payment: confirm (`complete`) or reverse (`cancel`). No-op where the link has no such step. */
  settle(driverRef: string, decision: 'complete' | 'cancel'): Promise<SettleResult>;
  /**
   * Ask the terminal what happened to an earlier payment (recovery after a crash or a lost answer).
   * `undefined` means the terminal cannot tell now: the payment stays in_doubt.
   */
  lookup(query: LookupQuery): Promise<TerminalOutcome | undefined>;
  health(): Promise<TerminalHealth>;
  /**
   * Optional: a light liveness check the bridge runs often while the terminal is idle (IPP: one PING with a short
   * connect timeout), so that a vanished terminal shows offline within seconds. Only `online` and `message` count;
   * without it the bridge relies on `health()` at its slower interval.
   */
  probe?(): Promise<TerminalHealth>;
  close(): Promise<void>;
  /**
   * Optional: the host's record of this terminal's transactions between two calendar dates (reconciliation).
   * Only links with a documented transactions list implement it (ePOS `/pos/v1/terminals/{tid}/transactions`);
   * IPP has none, and reconciliation asks it per payment with `lookup` instead.
   */
  transactions?(query: HostDayQuery): Promise<HostTransaction[]>;
  /**
   * Optional: close the terminal's batch at end of day. Only where the link documents it; neither the public IPP
   * protocol (CLEAR_BATCH appears only in the SDK) nor the API Gateway does, so no driver implements it yet.
   */
  closeBatch?(): Promise<BatchCloseResult>;
}

/** Calendar dates `YYYY-MM-DD`, both included, as the host's filters take them. */
export interface HostDayQuery {
  readonly dateFrom: string;
  readonly dateTo: string;
}

/** How the host records a transaction, reduced to what reconciliation compares. */
export type HostStatus = 'approved' | 'reversed' | 'declined' | 'unknown';

/** One transaction in the host's record. Amounts converted exactly to minor units at the driver's edge. */
export interface HostTransaction {
  /** The host's own id (ePOS `payment_reference`). */
  readonly hostId?: string;
  /** The reference the bridge sent (IPP REFERENCE_NUMBER, ePOS `reference_number`). */
  readonly reference?: string;
  /** Undefined when the host's amount could not be read exactly. */
  readonly amount?: Money;
  /** The amount as the host wrote it (e.g. "12.3" in decimal major units). */
  readonly amountText?: string;
  readonly status: HostStatus;
  /** The host's own words for the status. */
  readonly statusText: string;
  /** Host timestamp as sent (local without zone, or with an offset); null when not given. */
  readonly at: string | null;
  readonly rrn?: string;
  readonly stan?: string;
  readonly cardScheme?: string;
  /** Masked (last four digits at most). */
  readonly panMasked?: string;
}

export interface BatchCloseResult {
  readonly closed: boolean;
  readonly message: string;
}

export interface SettleResult {
  readonly ok: boolean;
  readonly message: string;
  /** The terminal had nothing open to settle (already completed or cancelled). */
  readonly nothingOpen?: boolean;
}

export interface LookupQuery {
  readonly kind: TransactionKind;
  readonly reference: string;
  readonly driverRef?: string;
  readonly amount?: Money;
}
