import type { Journal } from '../journal/journal';
import type { Logger } from '../log/logger';
import type { TerminalDriver } from '../terminal/driver';
import type { DayReportSettings, EndOfDayReport } from '../reports/day-reports';
import type { ReconciliationReport } from '../reports/reconcile';
import type { PaymentView, TerminalView } from './api';
import type { StageEvent } from './payment-run';
import type { ReceiptDefaults } from './queries';

/** How the bridge is built (service.ts from the config; tests with short waits) and what it tells its watchers. */

export interface BridgeTerminal {
  readonly driver: TerminalDriver;
  /** Terminal currency; requests in another currency are refused with currency_mismatch. */
  readonly currency?: string;
}

export interface BridgeOptions {
  journal: Journal;
  terminals: BridgeTerminal[];
  log: Logger;
  version: string;
  /** Listener → seconds within which a register must `ack` an approved result, else it is reversed. */
  requireAck?: (listener: string) => number | undefined;
  /** BUSY answers are retried this many times with backoff. */
  busyRetries?: number;
  busyBackoffMs?: number;
  /**
   * How long an approved-open payment waits for the register adapter's delivery report before it is cancelled.
   * Adapters report as soon as they know; a ZVT register may take up to 255 s (BMP 01) to confirm.
   */
  deliveryTimeoutMs?: number;
  /** Background recovery of in_doubt payments: first delay and cap (doubling). */
  recoveryMinMs?: number;
  recoveryMaxMs?: number;
  /** Health check interval (PING); 0 disables periodic checks. */
  healthIntervalMs?: number;
  /**
   * Liveness probes of idle terminals whose driver offers them (TerminalInfo.probeIntervalMs): a vanished terminal
   * shows offline within seconds. Default: the driver's interval while health checks run, none when they are off.
   * 0 disables them.
   */
  probeIntervalMs?: number;
  /** After a lost answer: how many immediate lookups before the result is in_doubt, and the delay step between them. */
  inDoubtLookups?: number;
  inDoubtLookupDelayMs?: number;
  /** End of day, reconciliation and receipt settings (config `merchant`, `receipts`, `businessDay`, `reports`). */
  reports?: DayReportSettings;
  /** Receipt defaults: width when a request names none, and the ESC/POS printer's settings. */
  receiptDefaults?: ReceiptDefaults;
}

export interface BridgeEvents {
  payment: [PaymentView];
  stage: [StageEvent];
  terminal: [TerminalView];
  /** A business day was closed. */
  endOfDay: [EndOfDayReport];
  /** A reconciliation report was stored (after end of day, or on request). */
  reconciliation: [ReconciliationReport];
}
