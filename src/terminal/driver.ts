import type { Money } from '../domain/money';
import type { Outcome, Stage, TransactionKind } from '../domain/vocabulary';
import type { ResultFields } from '../domain/payment';
import type { ErrorCode } from '../domain/errors';

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
  readonly message: string;
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
  close(): Promise<void>;
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
