/**
 * The simulated IPP terminal's public vocabulary: the status codes it sends (§6), its options, the faults tests can
 * switch on, and the events it emits. The behaviour behind them is in ipp-simulator.ts.
 */
import type { IppLedgerEntry } from './ipp-ledger';
import type { IppSimCard, IppSimIdentity } from './ipp-receipt';

/** Status codes this terminal sends (§6). */
export const IPP_STATUS = {
  OK: 0,
  BUSY: 1,
  SYNTAX_ERROR: 2,
  UNSUPPORTED_PARAM: 3,
  UNSUPPORTED_METHOD: 4,
  NO_CARD_FOUND: 5,
  INVALID_PIN: 9,
  MAX_PIN_COUNT_EXCEEDED: 10,
  USER_CANCEL: 13,
  INTERNAL_ERROR: 14,
  COMMUNICATION_ERROR: 15,
  TRANSACTION_NOT_FOUND: 17,
  REVERSAL_NOT_FOUND: 18,
  INVALID_AMOUNT: 19,
  NOT_COMPLETED_LAST_TX: 20,
  UNSUPPORTED_PROTOCOL_VERSION: 38,
  WRONG_PREAUTH_CODE: 39,
  PREAUTH_IS_COMPLETED: 40,
  WRONG_PASSWORD: 49,
} as const;

export interface IppSimFaults {
  /** Record the approval (PURCHASE, REFUND, COMPLETE_PREAUTH) in the ledger, then drop the link before STAGE=5. */
  dropAfterApproval: boolean;
  /** Every card transaction goes silent after stage 2, like an amount ending in 99. */
  silentAfterStage2: boolean;
  /** TCP connections are reset as soon as they are accepted (open ones are closed); attached streams are ignored. */
  offline: boolean;
  /** Answer the next n requests with STAGE=1 STATUS=1 (BUSY). */
  busyNext: number;
  /** Answer the next n requests with a correctly length-framed message that is not IPP. */
  garbageNext: number;
  /** Card transactions pause at stage 2 until `release()`. */
  hold: boolean;
}

export interface IppSimulatorOptions {
  /** The terminal's currency (alpha code); PURCHASE/REFUND in another currency get STATUS=3. Default EUR. */
  currency?: string;
  /** No pacing between stages (tests, benchmarks): stageDelayMs defaults to 0 instead of 300. */
  fast?: boolean;
  /** Pause between the stages of a normal transaction. Default 300 ms (a pace a person can follow), 0 with `fast`. */
  stageDelayMs?: number;
  /** Pause between stages for amounts ending in 77. Default 1500 ms. */
  slowStageMs?: number;
  /** TIMEOUT announced with stages 1–3, seconds. Default 60 (as in the spec's worked example, §13). */
  timeoutSeconds?: number;
  /**
   * How long a silent transaction (…99, silentAfterStage2) keeps the terminal busy while its link stays open.
   * A real terminal gives up waiting for the card after its timeout. Default: timeoutSeconds.
   */
  silentTimeoutMs?: number;
  /** Discard a partial message after this long without a byte, answering SYNTAX ERROR (§1 serial handling). Default 2000. */
  partialTimeoutMs?: number;
  /** Accepted VERSION values as inclusive ranges. Default 100–106 and 200–202 (§3). */
  acceptedVersions?: ReadonlyArray<readonly [number, number]>;
  /** Amounts of at least this many minor units ask for a PIN (stage 3). Default 5000 (a contactless limit). */
  pinThresholdMinor?: number;
  /** Merchant password REFUND and REVERSAL must carry (STATUS=49 otherwise). Default: none asked for. */
  password?: string;
  /**
   * Whether an approved pre-authorisation (PURCHASE with PREAUTH_TX=1) is open until COMPLETE_TX like a sale.
   * §8.1 names PURCHASE without exception, so default true; unconfirmed on a device.
   */
  preauthNeedsCompletion?: boolean;
  /** Decimals every amount must have (§9 says exactly two). Default 2. */
  amountDecimals?: number;
  identity?: Partial<IppSimIdentity>;
  card?: Partial<IppSimCard>;
  /** Keep the ledger (and so the open transaction) in this file across restarts; written atomically on every change. */
  stateFile?: string;
  /** Waits between stages; injectable so tests can observe the pacing without sleeping. */
  delay?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Clock for TX_DATE_LOCAL / TX_TIME_LOCAL and ledger times. */
  now?: () => Date;
}

export interface IppSimRequestEvent {
  readonly connectionId: number;
  readonly method?: string;
  readonly sid?: string;
  /** Properties of the request, PASSWORD removed. */
  readonly fields?: Readonly<Record<string, string>>;
  /** Why the request could not be decoded. */
  readonly error?: string;
}

export interface IppSimStageEvent {
  readonly connectionId: number;
  readonly method?: string;
  readonly sid?: string;
  readonly stage: number;
  readonly status: number;
  readonly fields: Readonly<Record<string, string>>;
}

export interface IppSimulatorEvents {
  request: [IppSimRequestEvent];
  stage: [IppSimStageEvent];
  ledger: [IppLedgerEntry];
  /** A transaction paused at stage 2 because `hold` is set. */
  held: [{ readonly sid: string; readonly method: string }];
  /** A connection was dropped by dropAfterApproval before STAGE=5. */
  dropped: [{ readonly sid: string; readonly method: string; readonly connectionId: number }];
  connection: [{ readonly connectionId: number; readonly open: boolean }];
}

/** The VERSION values a terminal accepts unless told otherwise, as inclusive ranges (§3). */
export const DEFAULT_IPP_VERSIONS: ReadonlyArray<readonly [number, number]> = [
  [100, 106],
  [200, 202],
];
